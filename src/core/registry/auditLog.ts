import type { SqlValue } from 'sql.js';
import type { DurableDatabase } from '../store/durableDatabase';
import type { SqlStatement } from '../store/mutationCodec';
import type { AliasHolding, AuditAction, AuditEntry } from './registryTypes';

export interface AuditRecord {
  readonly time: number;
  readonly actor: string;
  readonly action: AuditAction;
  readonly modelId: string;
  readonly name: string;
  readonly version?: number | null;
  readonly alias?: string | null;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** The INSERT that appends one entry; it always travels in the same journal record as the change. */
export function auditStatement(record: AuditRecord): SqlStatement {
  return {
    sql: 'INSERT INTO registry_audit (time, actor, action, model_id, model_name, version, alias, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    params: [record.time, record.actor, record.action, record.modelId, record.name, record.version ?? null, record.alias ?? null, JSON.stringify(record.detail ?? {})],
  };
}

export interface AuditQuery {
  readonly name?: string;
  readonly alias?: string;
  readonly actions?: readonly AuditAction[];
  /** inclusive bounds, epoch ms */
  readonly since?: number;
  readonly until?: number;
  /** newest first when true (default: oldest first, the order things happened) */
  readonly newestFirst?: boolean;
  readonly limit?: number;
}

/** Reads the audit log, oldest first unless asked otherwise. */
export function readAuditLog(db: DurableDatabase, query: AuditQuery = {}): AuditEntry[] {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.name !== undefined) {
    // What was called this name when it happened, plus the whole life of the model called so now (across renames).
    where.push('(model_name = ? OR model_id IN (SELECT model_id FROM registered_models WHERE name = ?))');
    params.push(query.name, query.name);
  }
  if (query.alias !== undefined) {
    where.push('alias = ?');
    params.push(query.alias);
  }
  if (query.actions && query.actions.length > 0) {
    where.push(`action IN (${query.actions.map(() => '?').join(', ')})`);
    params.push(...query.actions);
  }
  if (query.since !== undefined) {
    where.push('time >= ?');
    params.push(query.since);
  }
  if (query.until !== undefined) {
    where.push('time <= ?');
    params.push(query.until);
  }
  // numbered within each model before filtering: a fresh model's history starts at #1 whatever came before it in the store
  const numbered = 'SELECT seq, time, actor, action, model_id, model_name, version, alias, detail, ROW_NUMBER() OVER (PARTITION BY model_id ORDER BY seq) AS number FROM registry_audit';
  const sql = `SELECT seq, number, time, actor, action, model_name, version, alias, detail FROM (${numbered})${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${query.newestFirst ? 'DESC' : 'ASC'}${query.limit ? ` LIMIT ${Math.max(1, Math.floor(query.limit))}` : ''}`;
  return db.rows(sql, params).map(([seq, number, time, actor, action, name, version, alias, detail]) => ({
    seq: Number(seq),
    number: Number(number),
    time: Number(time),
    actor: String(actor),
    action: String(action) as AuditAction,
    name: String(name),
    version: version === null ? null : Number(version),
    alias: alias === null ? null : String(alias),
    detail: JSON.parse(String(detail)) as Record<string, unknown>,
  }));
}

const ALIAS_ACTIONS: readonly AuditAction[] = ['alias.set', 'alias.moved', 'alias.deleted'];

/**
 * Every stretch of time an alias of a model pointed to one version, oldest first, rebuilt from
 * the audit log (so it survives deleting the version or the model). `alias` undefined = all aliases.
 */
export function aliasHistory(db: DurableDatabase, name: string, alias?: string): AliasHolding[] {
  const events = readAuditLog(db, { name, actions: ALIAS_ACTIONS, ...(alias === undefined ? {} : { alias }) });
  const open = new Map<string, { version: number; from: number; setBy: string }>();
  const holdings: AliasHolding[] = [];
  const close = (key: string, at: number): void => {
    const current = open.get(key);
    if (!current) return;
    holdings.push({ name, alias: key, version: current.version, from: current.from, until: at, setBy: current.setBy });
    open.delete(key);
  };
  for (const event of events) {
    const key = event.alias as string;
    close(key, event.time);
    if (event.action !== 'alias.deleted' && event.version !== null) open.set(key, { version: event.version, from: event.time, setBy: event.actor });
  }
  for (const [key, current] of open) holdings.push({ name, alias: key, version: current.version, from: current.from, until: null, setBy: current.setBy });
  return holdings.sort((a, b) => a.from - b.from || (a.alias < b.alias ? -1 : 1));
}

/** Which version held `alias` of model `name` at time `at` (epoch ms); undefined if none did. */
export function aliasAt(db: DurableDatabase, name: string, alias: string, at: number): AliasHolding | undefined {
  // A holding covers [from, until): at the very moment of a move the new version holds.
  return aliasHistory(db, name, alias).find((h) => h.from <= at && (h.until === null || at < h.until));
}
