/** Builds a point-in-time-correct training set from an entity file (join keys + timestamp) and materialized feature views. */
import { writeFile } from 'node:fs/promises';
import { DataError, describeLocation, quoteValue } from '../data/dataErrors';
import type { DataColumn } from '../data/dataTable';
import { datasetDigest, readTable } from '../data/tableReader';
import type { FeatureRepo } from './featureSpec';
import { readFeatureHistory } from './featureStoreFiles';
import { KEY_SEPARATOR } from './featureMaterializer';
import { pointInTimeJoin, type PitViewRequest } from './pointInTimeJoin';

export interface FeatureRef {
  view: string;
  feature: string;
}

/** "view:feature,view:feature2" → refs; errors name the bad item. */
export function parseFeatureRefs(text: string): FeatureRef[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((item) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*):([A-Za-z_][A-Za-z0-9_]*|\*)$/.exec(item);
      if (!m) throw new Error(`"${item}" is not a feature reference: write VIEW:FEATURE (or VIEW:* for all of a view's features)`);
      return { view: m[1]!, feature: m[2]! };
    });
}

export interface TrainingSetResult {
  output: string;
  rows: number;
  columns: string[];
  /** entity rows without a value within TTL, per view */
  misses: Record<string, number>;
  digest: string;
  views: string[];
}

function cellText(c: DataColumn, row: number): string {
  if (c.kind === 'numeric') {
    const v = c.values[row]!;
    return Number.isNaN(v) ? '' : String(v);
  }
  const code = c.codes[row]!;
  return code < 0 ? '' : (c.categories[code] ?? '');
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function buildTrainingSet(repo: FeatureRepo, storeDir: string, entityFile: string, refs: readonly FeatureRef[], output: string, options: { timestampColumn?: string } = {}): Promise<TrainingSetResult> {
  const timestampColumn = options.timestampColumn ?? 'event_timestamp';
  const entities = await readTable(entityFile);
  const tsCol = entities.columns.find((c) => c.name === timestampColumn);
  if (!tsCol) throw new DataError(`${entityFile} has no timestamp column "${timestampColumn}" (--timestamp names it); its columns are: ${entities.columns.map((c) => c.name).join(', ')}`, entityFile, { column: timestampColumn });
  const times = new Float64Array(entities.rowCount);
  for (let i = 0; i < times.length; i++) {
    if (tsCol.kind === 'numeric') {
      const v = tsCol.values[i]!;
      times[i] = Math.abs(v) < 1e11 ? v * 1000 : v;
    } else {
      const text = cellText(tsCol, i);
      times[i] = Date.parse(text);
      if (text !== '' && Number.isNaN(times[i]!)) {
        const where = entities.locate(i);
        throw new DataError(`${describeLocation(entityFile, { ...(where.line !== undefined ? { line: where.line } : { row: i + 1 }), column: timestampColumn })}: ${quoteValue(text)} is not a date-time`, entityFile, { ...where, column: timestampColumn, value: text });
      }
    }
  }
  // group refs by view, in the order given
  const byView = new Map<string, string[]>();
  for (const ref of refs) {
    const view = repo.views.find((v) => v.name === ref.view);
    if (!view) throw new Error(`No feature view "${ref.view}" in ${repo.file}; it has: ${repo.views.map((v) => v.name).join(', ')}`);
    const names = ref.feature === '*' ? view.features.map((f) => f.name) : [ref.feature];
    for (const name of names) {
      if (!view.features.some((f) => f.name === name)) throw new Error(`The feature view "${view.name}" has no feature "${name}"; it has: ${view.features.map((f) => f.name).join(', ')}`);
      const list = byView.get(view.name) ?? [];
      if (!list.includes(name)) list.push(name);
      byView.set(view.name, list);
    }
  }
  const requests: PitViewRequest[] = [];
  const keysByView: (string | number)[][] = [];
  for (const [name, features] of byView) {
    const view = repo.views.find((v) => v.name === name)!;
    const keyCols = view.joinKeys.map((k) => {
      const c = entities.columns.find((col) => col.name === k);
      if (!c) throw new DataError(`${entityFile} has no join key column "${k}" (needed by feature view "${name}"); its columns are: ${entities.columns.map((x) => x.name).join(', ')}`, entityFile, { column: k });
      return c;
    });
    keysByView.push(Array.from({ length: entities.rowCount }, (_, i) => keyCols.map((c) => cellText(c, i)).join(KEY_SEPARATOR)));
    requests.push({ view: name, history: await readFeatureHistory(storeDir, name), ttlMs: view.ttlMs, features });
  }
  const columns: { name: string; values: Float64Array | (string | null)[] }[] = [];
  const misses: Record<string, number> = {};
  requests.forEach((request, i) => {
    const result = pointInTimeJoin(keysByView[i]!, times, [request]);
    columns.push(...result.columns);
    Object.assign(misses, result.misses);
  });
  // output names: the feature's own name, or view__feature where two views share a name or it clashes with an entity column
  const taken = new Set(entities.columns.map((c) => c.name));
  const counts = new Map<string, number>();
  for (const c of columns) counts.set(c.name.split(':')[1]!, (counts.get(c.name.split(':')[1]!) ?? 0) + 1);
  const names = columns.map((c) => {
    const [view, feature] = c.name.split(':') as [string, string];
    return counts.get(feature)! > 1 || taken.has(feature) ? `${view}__${feature}` : feature;
  });
  const header = [...entities.columns.map((c) => c.name), ...names];
  const lines: string[] = [header.map(csvCell).join(',')];
  for (let i = 0; i < entities.rowCount; i++) {
    const cells = entities.columns.map((c) => (c === tsCol && tsCol.kind === 'categorical' ? cellText(c, i) : cellText(c, i)));
    for (const c of columns) {
      const v = c.values[i];
      cells.push(v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v));
    }
    lines.push(cells.map(csvCell).join(','));
  }
  const text = lines.join('\n') + '\n';
  await writeFile(output, text);
  return { output, rows: entities.rowCount, columns: header, misses, digest: datasetDigest(Buffer.from(text)), views: [...byView.keys()] };
}
