/** features.yaml as the engine uses it, after validation. */
import type { ExprNode } from './rowExpression';

export interface EntityDef {
  readonly name: string;
  readonly joinKeys: readonly string[];
  readonly description?: string;
}

export interface SourceDef {
  readonly name: string;
  /** absolute path */
  readonly path: string;
  readonly timestamp: string;
  readonly description?: string;
}

export type FeatureType = 'float' | 'integer' | 'string' | 'boolean';
export type AggregateFunction = 'sum' | 'mean' | 'count' | 'min' | 'max';

export interface FeatureDef {
  readonly name: string;
  readonly type: FeatureType;
  /** the row expression (a plain column reference when none was written) */
  readonly expr?: ExprNode;
  readonly aggregate?: { readonly fn: AggregateFunction; readonly column?: string; readonly windowMs: number };
  readonly description?: string;
  readonly tags: readonly string[];
}

export interface FeatureViewDef {
  readonly name: string;
  readonly entities: readonly string[];
  /** the join keys of its entities, in order */
  readonly joinKeys: readonly string[];
  readonly source: SourceDef;
  readonly ttlMs: number | null;
  readonly owner?: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly features: readonly FeatureDef[];
}

export interface FeatureRepo {
  readonly file: string;
  readonly entities: readonly EntityDef[];
  readonly sources: readonly SourceDef[];
  readonly views: readonly FeatureViewDef[];
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30d" → milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}
