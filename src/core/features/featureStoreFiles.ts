/**
 * The feature store on disk, under <store>/features/<view>/:
 *  offline.json — the history (every materialized row: key, event time, feature values), columnar;
 *  online.json  — the latest value per entity key (what serving reads);
 *  meta.json    — freshness: when it was materialized, the newest event time, rows, source digest.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeatureHistory, FeatureValues } from './featureHistory';
import type { FeatureType } from './featureSpec';

export interface FeatureViewMeta {
  view: string;
  materializedAt: string;
  rows: number;
  entities: number;
  /** newest event time in the history (ISO), null when empty */
  latestEventTime: string | null;
  sourcePath: string;
  sourceDigest: string;
  features: { name: string; type: FeatureType }[];
  /** rows left out (missing key or event time) */
  skippedRows: number;
}

export interface StoredHistory extends FeatureHistory {
  readonly types: Record<string, FeatureType>;
}

interface OfflineFile {
  view: string;
  keys: (string | number)[];
  times: number[];
  columns: { name: string; type: FeatureType; values: (number | string | null)[] }[];
}

export interface OnlineEntry {
  eventTime: string;
  values: Record<string, number | string | null>;
}

export function featureViewDir(storeDir: string, view: string): string {
  return join(storeDir, 'features', view);
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

function plain(values: FeatureValues): (number | string | null)[] {
  if (values instanceof Float64Array) return Array.from(values, (v) => (Number.isNaN(v) ? null : v));
  return [...values];
}

export async function writeFeatureView(storeDir: string, meta: FeatureViewMeta, history: StoredHistory, online: Record<string, OnlineEntry>): Promise<void> {
  const dir = featureViewDir(storeDir, meta.view);
  await mkdir(dir, { recursive: true });
  const offline: OfflineFile = {
    view: meta.view,
    keys: [...history.keys],
    times: Array.from(history.times),
    columns: history.columns.map((c) => ({ name: c.name, type: history.types[c.name] ?? 'float', values: plain(c.values) })),
  };
  await writeAtomic(join(dir, 'offline.json'), JSON.stringify(offline));
  await writeAtomic(join(dir, 'online.json'), JSON.stringify({ view: meta.view, materializedAt: meta.materializedAt, entries: online }));
  await writeAtomic(join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${what} has not been materialized yet (${path} is missing): run mlops features materialize`, { cause: error });
    throw error;
  }
  return JSON.parse(text);
}

export async function readFeatureHistory(storeDir: string, view: string): Promise<StoredHistory> {
  const file = (await readJson(join(featureViewDir(storeDir, view), 'offline.json'), `The feature view "${view}"`)) as OfflineFile;
  const types: Record<string, FeatureType> = {};
  const columns = file.columns.map((c) => {
    types[c.name] = c.type;
    const values: FeatureValues = c.type === 'string' ? c.values.map((v) => (v === null ? null : String(v))) : Float64Array.from(c.values, (v) => (v === null ? NaN : Number(v)));
    return { name: c.name, values };
  });
  return { keys: file.keys, times: Float64Array.from(file.times), columns, types };
}

export async function readFeatureViewMeta(storeDir: string, view: string): Promise<FeatureViewMeta> {
  return (await readJson(join(featureViewDir(storeDir, view), 'meta.json'), `The feature view "${view}"`)) as FeatureViewMeta;
}

/** Online lookup: the latest values of `view` for an entity key (composite keys joined with \u0001), or undefined. */
export async function readOnlineFeatures(storeDir: string, view: string, key: string): Promise<OnlineEntry | undefined> {
  const file = (await readJson(join(featureViewDir(storeDir, view), 'online.json'), `The feature view "${view}"`)) as { entries: Record<string, OnlineEntry> };
  return file.entries[key];
}
