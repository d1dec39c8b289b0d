import { createHash } from 'node:crypto';
import type { FilterClause, OrderByTerm } from './searchFilter';
import { likeToRegExp, parseFilter, parseOrderBy } from './searchFilter';
import { InvalidArgumentError } from './trackingErrors';
import type { RunState } from './trackingState';
import type { SearchRunsOptions, ViewType } from './trackingTypes';

export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_MAX_RESULTS_LIMIT = 50_000;

type Predicate = (run: RunState) => boolean;

/** A test for a string value under one clause (=, !=, LIKE, ILIKE, IN, NOT IN). */
export function stringTest(clause: FilterClause): (value: string) => boolean {
  const { comparator, value } = clause;
  switch (comparator) {
    case '=':
      return (v) => v === value;
    case '!=':
      return (v) => v !== value;
    case 'LIKE': {
      const re = likeToRegExp(String(value), false);
      return (v) => re.test(v);
    }
    case 'ILIKE': {
      const re = likeToRegExp(String(value), true);
      return (v) => re.test(v);
    }
    case 'IN': {
      const set = new Set(value as readonly string[]);
      return (v) => set.has(v);
    }
    case 'NOT IN': {
      const set = new Set(value as readonly string[]);
      return (v) => !set.has(v);
    }
    default:
      return () => false;
  }
}

// IEEE comparisons: NaN matches only "!=", as in SQL engines that keep NaN.
export function numberTest(clause: FilterClause): (value: number) => boolean {
  const x = clause.value as number;
  switch (clause.comparator) {
    case '=':
      return (v) => v === x;
    case '!=':
      return (v) => v !== x;
    case '<':
      return (v) => v < x;
    case '<=':
      return (v) => v <= x;
    case '>':
      return (v) => v > x;
    case '>=':
      return (v) => v >= x;
    default:
      return () => false;
  }
}

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

type SortValue = number | string | null;

function sortValue(run: RunState, term: OrderByTerm): SortValue {
  switch (term.entity) {
    case 'metrics':
      return run.metrics.get(term.key)?.value ?? null;
    case 'params':
      return run.params.get(term.key) ?? null;
    case 'tags':
      return run.tags.get(term.key) ?? null;
    case 'attributes':
      return numericAttribute(run, term.key) ?? stringAttribute(run, term.key);
    default:
      return null;
  }
}

/** rank 0: ordinary values, 1: NaN, 2: missing — NaN and missing sort last in either direction. */
function rank(v: SortValue): number {
  if (v === null) return 2;
  if (typeof v === 'number' && Number.isNaN(v)) return 1;
  return 0;
}

function compareValues(a: SortValue, b: SortValue, ascending: boolean): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb || ra !== 0) return ra - rb;
  const cmp = typeof a === 'number' && typeof b === 'number' ? a - b || 0 : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  return ascending ? cmp : -cmp;
}

export interface PageToken {
  readonly offset: number;
  readonly fingerprint: string;
}

export function encodePageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify({ o: token.offset, f: token.fingerprint }), 'utf8').toString('base64url');
}

export function decodePageToken(text: string, fingerprint: string): number {
  let parsed: { o?: unknown; f?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { o?: unknown; f?: unknown };
  } catch {
    throw new InvalidArgumentError(`Invalid page token "${text.slice(0, 40)}": it was not produced by this store.`);
  }
  if (typeof parsed.o !== 'number' || !Number.isInteger(parsed.o) || parsed.o < 0 || typeof parsed.f !== 'string') {
    throw new InvalidArgumentError(`Invalid page token "${text.slice(0, 40)}": it was not produced by this store.`);
  }
  if (parsed.f !== fingerprint) throw new InvalidArgumentError('The page token belongs to a different search (filter, order or experiments changed); start again without it.');
  return parsed.o;
}

export function queryFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function matchesViewType(stage: 'active' | 'deleted', viewType: ViewType): boolean {
  return viewType === 'ALL' || (viewType === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted');
}

export function checkMaxResults(maxResults: number | undefined): number {
  const n = maxResults ?? SEARCH_MAX_RESULTS_DEFAULT;
  if (!Number.isInteger(n) || n < 1 || n > SEARCH_MAX_RESULTS_LIMIT) {
    throw new InvalidArgumentError(`maxResults must be an integer from 1 to ${SEARCH_MAX_RESULTS_LIMIT}, got ${String(maxResults)}`);
  }
  return n;
}

/**
 * MLflow's search_runs over the in-memory run states: filter, order (then start_time DESC, run_id),
 * and page. Returns the page and the offset of the next one.
 */
export function searchRunStates(all: Iterable<RunState>, options: SearchRunsOptions): { page: RunState[]; nextPageToken?: string } {
  const clauses = parseFilter(options.filter);
  const terms = (options.orderBy ?? []).map((t) => parseOrderBy(t));
  const maxResults = checkMaxResults(options.maxResults);
  const viewType = options.viewType ?? 'ACTIVE_ONLY';
  const experiments = options.experimentIds && options.experimentIds.length > 0 ? new Set(options.experimentIds) : undefined;
  const fingerprint = queryFingerprint([options.filter ?? '', options.orderBy ?? [], [...(experiments ?? [])].sort(), viewType]);
  const offset = options.pageToken ? decodePageToken(options.pageToken, fingerprint) : 0;
  const predicate = compileFilter(clauses);
  const matched: RunState[] = [];
  for (const run of all) {
    if (experiments && !experiments.has(run.experimentId)) continue;
    if (!matchesViewType(run.lifecycleStage, viewType)) continue;
    if (predicate(run)) matched.push(run);
  }
  if (terms.length === 0) {
    matched.sort((a, b) => b.startTime - a.startTime || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  } else {
    // Precompute keys once: 10,000 runs sort in a few ms instead of re-reading maps per comparison.
    const keyed = matched.map((run) => ({ run, keys: terms.map((t) => sortValue(run, t)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < terms.length; i++) {
        const c = compareValues(a.keys[i] as SortValue, b.keys[i] as SortValue, (terms[i] as OrderByTerm).ascending);
        if (c !== 0) return c;
      }
      return b.run.startTime - a.run.startTime || (a.run.runId < b.run.runId ? -1 : a.run.runId > b.run.runId ? 1 : 0);
    });
    for (let i = 0; i < keyed.length; i++) matched[i] = (keyed[i] as { run: RunState }).run;
  }
  const page = matched.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < matched.length ? { page, nextPageToken: encodePageToken({ offset: next, fingerprint }) } : { page };
}
