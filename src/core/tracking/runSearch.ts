import { createHash } from 'node:crypto';
import type { FilterClause } from './searchFilter';
import { likeToRegExp } from './searchFilter';
import { InvalidArgumentError } from './trackingErrors';
import type { ViewType } from './trackingTypes';

export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_MAX_RESULTS_LIMIT = 50_000;

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

