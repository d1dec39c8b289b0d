import type { SqlValue } from 'sql.js';
import type { DurableDatabase } from '../store/durableDatabase';
import { checkMaxResults, decodePageToken, encodePageToken, queryFingerprint } from './runSearch';
import type { FilterClause, OrderByTerm } from './searchFilter';
import { likeToRegExp, parseFilter, parseOrderBy } from './searchFilter';
import type { SearchRunsOptions } from './trackingTypes';

/**
 * MLflow's search_runs answered by SQLite: filter, order (then start_time DESC, run_id) and page
 * are one query over the tracking tables, so a search reads the rows it needs and builds only the
 * page's runs — a 100,000-run store answers `metrics.acc > 0.9` without a run in memory.
 *
 * Semantics are MLflow's, as the store always kept them:
 * - a run lacking the key never matches, even "!=";
 * - metrics compare as IEEE numbers: NaN (stored as NULL with its exact text) matches only "!=";
 * - NaN sorts after every number and a missing value after NaN, in either direction;
 * - LIKE is case-sensitive, ILIKE is not, "%" and "_" are the only wildcards (a JS function: SQLite's
 *   own LIKE ignores ASCII case and its "_" is a byte, not a character).
 */

const LIKE_FUNCTION = 'mlops_like';

/** Columns of `runs r` the attributes name; artifact_uri is what MLflow's filter sees. */
const STRING_ATTRIBUTE_SQL: ReadonlyMap<string, string> = new Map([
  ['run_id', 'r.run_id'],
  ['run_name', 'r.run_name'],
  ['status', 'r.status'],
  ['user_id', 'r.user_id'],
  ['experiment_id', 'r.experiment_id'],
  ['parent_run_id', 'r.parent_run_id'],
  ['artifact_uri', "('artifacts/' || r.run_id)"],
]);
const NUMERIC_ATTRIBUTE_SQL: ReadonlyMap<string, string> = new Map([
  ['start_time', 'r.start_time'],
  ['created', 'r.start_time'],
  ['end_time', 'r.end_time'],
]);
const DATASET_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['name', 'i.name'],
  ['digest', 'i.digest'],
  ['context', 'i.context'],
]);

const patterns = new Map<string, RegExp>();

/** Registers the LIKE / ILIKE function on this database (once per open database). */
function defineLike(db: DurableDatabase): void {
  db.defineFunction(LIKE_FUNCTION, (value: SqlValue, pattern: SqlValue, caseInsensitive: SqlValue): number => {
    if (typeof value !== 'string' || typeof pattern !== 'string') return 0;
    const key = `${caseInsensitive === 1 ? 'i' : 's'}${pattern}`;
    let re = patterns.get(key);
    if (!re) {
      re = likeToRegExp(pattern, caseInsensitive === 1);
      if (patterns.size > 256) patterns.clear();
      patterns.set(key, re);
    }
    return re.test(value) ? 1 : 0;
  });
}

/** `column <comparator> value` for a string clause; `out` collects the bound values. */
function stringCondition(column: string, clause: FilterClause, out: SqlValue[]): string {
  switch (clause.comparator) {
    case '=':
    case '!=':
      out.push(String(clause.value));
      return `${column} ${clause.comparator} ?`;
    case 'LIKE':
    case 'ILIKE':
      out.push(String(clause.value));
      return `${LIKE_FUNCTION}(${column}, ?, ${clause.comparator === 'ILIKE' ? 1 : 0})`;
    case 'IN':
    case 'NOT IN': {
      const list = clause.value as readonly string[];
      out.push(JSON.stringify(list));
      // IN an empty list matches nothing, NOT IN it everything present (json_each of [] is empty).
      return `${column} ${clause.comparator} (SELECT value FROM json_each(?))`;
    }
    default:
      return '0';
  }
}

/** `column <comparator> value` for a number; NULL is a NaN metric (only "!=" matches it) or a missing end_time. */
function numberCondition(column: string, clause: FilterClause, out: SqlValue[], nullIsNaN: boolean): string {
  out.push(clause.value as number);
  if (clause.comparator === '!=' && nullIsNaN) return `(${column} != ? OR ${column} IS NULL)`;
  return `${column} ${clause.comparator} ?`;
}

function clauseCondition(clause: FilterClause, out: SqlValue[]): string {
  switch (clause.entity) {
    case 'metrics': {
      out.push(clause.key);
      return `EXISTS (SELECT 1 FROM metric_summaries m WHERE m.run_id = r.run_id AND m.key = ? AND ${numberCondition('m.last_value', clause, out, true)})`;
    }
    case 'params':
    case 'tags': {
      out.push(clause.key);
      return `EXISTS (SELECT 1 FROM ${clause.entity} p WHERE p.run_id = r.run_id AND p.key = ? AND ${stringCondition('p.value', clause, out)})`;
    }
    case 'attributes': {
      if (typeof clause.value === 'number') {
        const column = NUMERIC_ATTRIBUTE_SQL.get(clause.key);
        return column === undefined ? '0' : numberCondition(column, clause, out, false);
      }
      const column = STRING_ATTRIBUTE_SQL.get(clause.key);
      return column === undefined ? '0' : `(${column} IS NOT NULL AND ${stringCondition(column, clause, out)})`;
    }
    case 'datasets': {
      const column = DATASET_COLUMNS.get(clause.key);
      if (column === undefined) return '0';
      return `EXISTS (SELECT 1 FROM run_inputs i WHERE i.run_id = r.run_id AND ${column} IS NOT NULL AND ${stringCondition(column, clause, out)})`;
    }
  }
}

interface OrderSql {
  readonly joins: string[];
  readonly joinParams: SqlValue[];
  readonly terms: string[];
}

/** Each term as (rank, value): rank 0 for values, 1 for NaN, 2 for missing, so both sort last either way. */
function orderSql(terms: readonly OrderByTerm[]): OrderSql {
  const joins: string[] = [];
  const joinParams: SqlValue[] = [];
  const sql: string[] = [];
  terms.forEach((term, index) => {
    const direction = term.ascending ? 'ASC' : 'DESC';
    const alias = `o${index}`;
    if (term.entity === 'metrics') {
      joins.push(`LEFT JOIN metric_summaries ${alias} ON ${alias}.run_id = r.run_id AND ${alias}.key = ?`);
      joinParams.push(term.key);
      sql.push(`(CASE WHEN ${alias}.run_id IS NULL THEN 2 WHEN ${alias}.last_value IS NULL THEN 1 ELSE 0 END) ASC`, `${alias}.last_value ${direction}`);
    } else if (term.entity === 'params' || term.entity === 'tags') {
      joins.push(`LEFT JOIN ${term.entity} ${alias} ON ${alias}.run_id = r.run_id AND ${alias}.key = ?`);
      joinParams.push(term.key);
      sql.push(`(${alias}.run_id IS NULL) ASC`, `${alias}.value ${direction}`);
    } else if (term.entity === 'attributes') {
      const column = NUMERIC_ATTRIBUTE_SQL.get(term.key) ?? STRING_ATTRIBUTE_SQL.get(term.key);
      if (column !== undefined) sql.push(`(${column} IS NULL) ASC`, `${column} ${direction}`);
    }
  });
  return { joins, joinParams, terms: sql };
}

const defined = new WeakSet<DurableDatabase>();

/** The ids of one page of runs matching `options`, in order, and the token of the next page. */
export function searchRunIds(db: DurableDatabase, options: SearchRunsOptions): { runIds: string[]; nextPageToken?: string } {
  const clauses = parseFilter(options.filter);
  const terms = (options.orderBy ?? []).map((t) => parseOrderBy(t));
  const maxResults = checkMaxResults(options.maxResults);
  const viewType = options.viewType ?? 'ACTIVE_ONLY';
  const experiments = options.experimentIds && options.experimentIds.length > 0 ? [...new Set(options.experimentIds)] : undefined;
  const fingerprint = queryFingerprint([options.filter ?? '', options.orderBy ?? [], [...(experiments ?? [])].sort(), viewType]);
  const offset = options.pageToken ? decodePageToken(options.pageToken, fingerprint) : 0;
  if (!defined.has(db)) {
    defineLike(db);
    defined.add(db);
  }
  const order = orderSql(terms);
  const where: string[] = [];
  const params: SqlValue[] = [...order.joinParams];
  if (experiments) {
    where.push('r.experiment_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(experiments));
  }
  if (viewType !== 'ALL') where.push(viewType === 'ACTIVE_ONLY' ? "r.lifecycle_stage = 'active'" : "r.lifecycle_stage = 'deleted'");
  for (const clause of clauses) where.push(clauseCondition(clause, params));
  // One row more than the page says whether there is a next one.
  params.push(maxResults + 1, offset);
  const sql = [
    'SELECT r.run_id FROM runs r',
    ...order.joins,
    where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    `ORDER BY ${[...order.terms, 'r.start_time DESC', 'r.run_id ASC'].join(', ')}`,
    'LIMIT ? OFFSET ?',
  ].join(' ');
  const rows = db.rows(sql, params);
  const runIds = rows.slice(0, maxResults).map((row) => String(row[0]));
  return rows.length > maxResults ? { runIds, nextPageToken: encodePageToken({ offset: offset + maxResults, fingerprint }) } : { runIds };
}
