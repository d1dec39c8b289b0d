/**
 * Fills a scoring request's missing model inputs from the online feature store (latest value per
 * entity key), inside the endpoint process. The stores are held in memory as maps so a lookup is a
 * map read per record and view; a timer re-reads a view's online.json when its mtime or size
 * changes (materialization replaces it atomically), so requests never wait on the disk.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ModelSignature, SignatureInput } from '../modelPackage/modelPackageFormat';
import type { OnlineLookupSpec, OnlineLookupView } from './endpointTypes';
import { ScoringRequestError } from './scoringErrors';
import type { ScoringRecord } from './scoringInput';

/** The response header that says how fresh the looked-up features were (the body keeps MLflow's shape). */
export const FEATURE_FRESHNESS_HEADER = 'X-Feature-Freshness';

/** Composite entity keys are stored joined with this (see featureMaterializer's KEY_SEPARATOR). */
const KEY_SEPARATOR = '\u0001';
const REFRESH_MS = 1000;

type FeatureValue = number | string | null;

interface Entry {
  readonly time: number;
  readonly values: Readonly<Record<string, FeatureValue>>;
}

interface LoadedView {
  readonly spec: OnlineLookupView;
  entries: Map<string, Entry>;
  materializedAt: string;
  mtimeMs: number;
  size: number;
}

interface FieldPlan {
  readonly feature: string;
  readonly input: SignatureInput;
}

interface ViewPlan {
  readonly view: LoadedView;
  readonly fields: readonly FieldPlan[];
}

/** What one request's lookups found, for the freshness header. */
export interface LookupReport {
  /** "view;oldest=ISO;missing=N, …" for views that filled anything, or undefined */
  readonly freshness: string | undefined;
}

function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function describeKey(view: OnlineLookupView, parts: readonly unknown[]): string {
  return view.joinKeys.map((k, i) => `${k}=${JSON.stringify(parts[i])}`).join(', ');
}

function describeTtl(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

async function readView(spec: OnlineLookupView): Promise<{ entries: Map<string, Entry>; materializedAt: string; mtimeMs: number; size: number }> {
  const info = await stat(spec.onlineFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`The feature view "${spec.name}" has not been materialized yet (${spec.onlineFile} is missing): run mlops features materialize`, { cause: error });
    throw error;
  });
  const file = JSON.parse(await readFile(spec.onlineFile, 'utf8')) as { materializedAt?: string; entries?: Record<string, { eventTime: string; values: Record<string, FeatureValue> }> };
  const entries = new Map<string, Entry>();
  for (const [key, entry] of Object.entries(file.entries ?? {})) entries.set(key, { time: Date.parse(entry.eventTime), values: entry.values });
  return { entries, materializedAt: file.materializedAt ?? '', mtimeMs: info.mtimeMs, size: info.size };
}

export class OnlineFeatureLookup {
  private timer: NodeJS.Timeout | undefined;
  private readonly plans = new WeakMap<ModelSignature, readonly ViewPlan[]>();
  private refreshing = false;

  private constructor(private readonly views: readonly LoadedView[]) {}

  /** Reads every view's online store; rejects naming the view that is not materialized. */
  static async load(spec: OnlineLookupSpec): Promise<OnlineFeatureLookup> {
    const views = await Promise.all(spec.views.map(async (view) => ({ spec: view, ...(await readView(view)) })));
    return new OnlineFeatureLookup(views);
  }

  /** Re-reads changed stores about once a second, off the request path. */
  watch(onError: (message: string) => void = () => undefined): void {
    this.timer ??= setInterval(() => void this.refresh().catch((error: unknown) => onError((error as Error).message)), REFRESH_MS);
    this.timer.unref();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads the views whose online.json changed; a failed read keeps the last good store. Returns the views reloaded. */
  async refresh(): Promise<string[]> {
    if (this.refreshing) return [];
    this.refreshing = true;
    const reloaded: string[] = [];
    try {
      for (const view of this.views) {
        const info = await stat(view.spec.onlineFile).catch(() => undefined);
        if (!info || (info.mtimeMs === view.mtimeMs && info.size === view.size)) continue;
        const next = await readView(view.spec);
        view.entries = next.entries;
        view.materializedAt = next.materializedAt;
        view.mtimeMs = next.mtimeMs;
        view.size = next.size;
        reloaded.push(view.spec.name);
      }
    } finally {
      this.refreshing = false;
    }
    return reloaded;
  }

  /**
   * The inputs of `signature` each view fills: a feature fills the input of its own name, or
   * "view__feature" (the name a training set gives it when two views share a feature name).
   */
  private plan(signature: ModelSignature): readonly ViewPlan[] {
    let plan = this.plans.get(signature);
    if (!plan) {
      const inputs = new Map(signature.inputs.map((i) => [i.name, i]));
      plan = this.views
        .map((view) => ({
          view,
          fields: view.spec.features.flatMap((feature) => {
            const input = inputs.get(feature) ?? inputs.get(`${view.spec.name}__${feature}`);
            return input ? [{ feature, input }] : [];
          }),
        }))
        .filter((p) => p.fields.length > 0);
      this.plans.set(signature, plan);
    }
    return plan;
  }

  /**
   * Fills, in place, each record's inputs the request did not give (absent, null or empty) from the
   * views' latest values. Request values win. A value older than the view's TTL, or an entity key
   * the store does not know, is missing: null where the signature allows it, else a 400 naming
   * the row and the key. A record that needs a lookup but lacks a join key is a 400 naming it.
   */
  fill(records: ScoringRecord[], signature: ModelSignature, now: number = Date.now()): LookupReport {
    const plan = this.plan(signature);
    if (plan.length === 0) return { freshness: undefined };
    const oldest = new Map<string, number>();
    const missing = new Map<string, number>();
    for (let r = 0; r < records.length; r++) {
      const record = records[r] as ScoringRecord;
      for (const { view, fields } of plan) {
        let needed: FieldPlan[] | undefined;
        for (const field of fields) if (!isGiven(record[field.input.name])) (needed ??= []).push(field);
        if (!needed) continue;
        const spec = view.spec;
        const parts = spec.joinKeys.map((k) => record[k]);
        const absent = spec.joinKeys.find((_, i) => !isGiven(parts[i]));
        if (absent !== undefined) {
          throw new ScoringRequestError(400, `row ${r + 1}: no "${absent}" to look up feature view "${spec.name}" by (it fills ${needed.map((f) => `"${f.input.name}"`).join(', ')}); send "${absent}" in every record, or send those inputs yourself.`);
        }
        const entry = view.entries.get(parts.length === 1 ? String(parts[0]) : parts.map(String).join(KEY_SEPARATOR));
        const expired = entry !== undefined && spec.ttlMs !== null && now - entry.time > spec.ttlMs;
        const usable = entry !== undefined && !expired ? entry : undefined;
        let missed = false;
        for (const field of needed) {
          const value = usable?.values[field.feature] ?? null;
          if (value === null) {
            missed = true;
            if (!field.input.optional) throw new ScoringRequestError(400, this.missingMessage(r, view, parts, entry, expired, field));
          }
          record[field.input.name] = value;
        }
        if (missed) missing.set(spec.name, (missing.get(spec.name) ?? 0) + 1);
        if (usable && (oldest.get(spec.name) ?? Infinity) > usable.time) oldest.set(spec.name, usable.time);
      }
    }
    const parts: string[] = [];
    for (const { view } of plan) {
      const name = view.spec.name;
      if (!oldest.has(name) && !missing.has(name)) continue;
      const time = oldest.get(name);
      parts.push(`${name}${time !== undefined ? `;oldest=${new Date(time).toISOString()}` : ''}${missing.has(name) ? `;missing=${missing.get(name)}` : ''}`);
    }
    return { freshness: parts.length > 0 ? parts.join(', ') : undefined };
  }

  private missingMessage(r: number, view: LoadedView, parts: readonly unknown[], entry: Entry | undefined, expired: boolean, field: FieldPlan): string {
    const spec = view.spec;
    const key = describeKey(spec, parts);
    const required = `the model requires "${field.input.name}" (training had no empty cells in it): send it in the request`;
    if (!entry) return `row ${r + 1}: unknown entity key ${key} in feature view "${spec.name}" (its online store, materialized ${view.materializedAt || 'earlier'}, has no such entity), and ${required}.`;
    if (expired) return `row ${r + 1}: feature view "${spec.name}" has only a value from ${new Date(entry.time).toISOString()} for ${key}, older than its TTL ${describeTtl(spec.ttlMs ?? 0)}, and ${required}.`;
    return `row ${r + 1}: feature view "${spec.name}" has no value of "${field.feature}" for ${key}, and ${required}.`;
  }
}
