// The in-memory filter the runs fake host applies to its run states: MLflow's semantics as the
// store's SQL search keeps them (src/core/tracking/runSearchSql.ts), for webview tests that have no store.
import { numberTest, stringTest } from '../../src/core/tracking/runSearch';
import type { FilterClause } from '../../src/core/tracking/searchFilter';
import type { RunState } from '../../src/core/tracking/trackingState';

type Predicate = (run: RunState) => boolean;

function stringAttribute(run: RunState, key: string): string | null {
  switch (key) {
    case 'run_id':
      return run.runId;
    case 'run_name':
      return run.runName;
    case 'status':
      return run.status;
    case 'user_id':
      return run.userId;
    case 'experiment_id':
      return run.experimentId;
    case 'parent_run_id':
      return run.parentRunId;
    case 'artifact_uri':
      return `artifacts/${run.runId}`;
    default:
      return null;
  }
}

function numericAttribute(run: RunState, key: string): number | null {
  if (key === 'start_time' || key === 'created') return run.startTime;
  if (key === 'end_time') return run.endTime;
  return null;
}

/** Compiles parsed clauses to one predicate. A run lacking the key never matches, even "!=" (MLflow). */
export function compileFilter(clauses: readonly FilterClause[]): Predicate {
  const predicates: Predicate[] = clauses.map((clause): Predicate => {
    const { key } = clause;
    switch (clause.entity) {
      case 'metrics': {
        const test = numberTest(clause);
        return (run) => {
          const summary = run.metrics.get(key);
          return summary !== undefined && test(summary.value);
        };
      }
      case 'params': {
        const test = stringTest(clause);
        return (run) => {
          const v = run.params.get(key);
          return v !== undefined && test(v);
        };
      }
      case 'tags': {
        const test = stringTest(clause);
        return (run) => {
          const v = run.tags.get(key);
          return v !== undefined && test(v);
        };
      }
      case 'attributes': {
        if (typeof clause.value === 'number') {
          const test = numberTest(clause);
          return (run) => {
            const v = numericAttribute(run, key);
            return v !== null && test(v);
          };
        }
        const test = stringTest(clause);
        return (run) => {
          const v = stringAttribute(run, key);
          return v !== null && test(v);
        };
      }
      case 'datasets': {
        const test = stringTest(clause);
        const field = key as 'name' | 'digest' | 'context';
        return (run) => run.inputs.some((input) => {
          const v = input[field];
          return v !== undefined && test(v);
        });
      }
    }
  });
  return (run) => {
    for (const p of predicates) if (!p(run)) return false;
    return true;
  };
}

