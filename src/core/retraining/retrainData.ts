import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../data/dataErrors';
import { findColumn, type DataColumn, type DataTable } from '../data/dataTable';
import { datasetDigest, readTable } from '../data/tableReader';
import { labelledRows } from './labelledRows';
import { SeededRandom } from '../training/seededRandom';
import type { RetrainDataMode } from './retrainPolicy';

export interface RetrainDataInput {
  readonly mode: RetrainDataMode;
  /** the training spec's dataset */
  readonly dataset: { readonly path: string; readonly name: string };
  /** the monitor's current data */
  readonly current: { readonly path: string; readonly name: string };
  readonly target: string;
  /** columns of the current data never trained on (the monitor's model-output column) */
  readonly dropColumns: readonly string[];
  readonly holdout: { readonly kind: 'file'; readonly path: string; readonly name: string } | { readonly kind: 'sample'; readonly fraction: number; readonly seed: number };
  /** where train.csv and holdout.csv are written */
  readonly outDir: string;
}

export interface PreparedFile {
  readonly path: string;
  readonly name: string;
  readonly digest: string;
  readonly rows: number;
}

export interface RetrainDataResult {
  /** the file to train on; absent when the spec's dataset is used as it is */
  readonly train?: PreparedFile;
  /** the labelled rows both versions are scored on */
  readonly holdout: PreparedFile;
  /** rows of the current data that went into training */
  readonly currentRowsTrained: number;
}

/**
 * Builds the data of one retraining attempt (in a worker process: it reads whole files). The
 * holdout rows never reach the training file, so the candidate cannot have seen what it is scored
 * on; the champion never saw the current data either when the holdout is sampled from it.
 */
export async function prepareRetrainData(input: RetrainDataInput): Promise<RetrainDataResult> {
  mkdirSync(input.outDir, { recursive: true });
  const needsCurrent = input.mode !== 'spec' || input.holdout.kind === 'sample';
  const current = needsCurrent ? await readTable(input.current.path, { displayName: input.current.name }) : undefined;
  const currentTarget = current ? labelledColumn(current, input.target, input.current.name) : undefined;

  let holdout: PreparedFile;
  let heldOut = new Set<number>();
  if (input.holdout.kind === 'file') {
    const table = await readTable(input.holdout.path, { displayName: input.holdout.name });
    labelledColumn(table, input.target, input.holdout.name);
    holdout = { path: input.holdout.path, name: input.holdout.name, digest: table.digest, rows: table.rowCount };
  } else {
    const table = current as DataTable;
    const labelled = labelledRows(currentTarget as DataColumn, table.rowCount);
    if (labelled.length < 2) {
      throw new DataError(`${input.current.name}: only ${labelled.length} row${labelled.length === 1 ? ' has' : 's have'} a value in the target column "${input.target}"; holding out ${input.holdout.fraction} of them needs at least 2`, input.current.name, { column: input.target });
    }
    const count = Math.min(labelled.length - 1, Math.max(1, Math.round(labelled.length * input.holdout.fraction)));
    heldOut = new Set(new SeededRandom(input.holdout.seed).shuffle(labelled).slice(0, count));
    const rows = [...heldOut].sort((a, b) => a - b);
    holdout = writeCsv(join(input.outDir, 'holdout.csv'), `holdout (${count} rows of ${input.current.name})`, columnsOf(table, input.dropColumns), [{ table, rows }]);
  }

  if (input.mode === 'spec') return { holdout, currentRowsTrained: 0 };
  const currentTable = current as DataTable;
  const currentRows = Array.from({ length: currentTable.rowCount }, (_, r) => r).filter((r) => !heldOut.has(r));
  let train: PreparedFile;
  if (input.mode === 'append_current') {
    const dataset = await readTable(input.dataset.path, { displayName: input.dataset.name });
    const columns = columnsOf(dataset, []);
    const missing = columns.filter((c) => !findColumn(currentTable, c.name)).map((c) => c.name);
    if (missing.length > 0) {
      throw new DataError(`${input.current.name} cannot be appended to ${input.dataset.name}: it has no column ${missing.map((m) => `"${m}"`).join(', ')} (its columns: ${currentTable.columns.map((c) => c.name).join(', ')})`, input.current.name, { column: missing[0] as string });
    }
    const name = `${input.dataset.name} + ${currentRows.length} rows of ${input.current.name}`;
    train = writeCsv(join(input.outDir, 'train.csv'), name, columns, [
      { table: dataset, rows: Array.from({ length: dataset.rowCount }, (_, r) => r) },
      { table: currentTable, rows: currentRows },
    ]);
  } else {
    train = writeCsv(join(input.outDir, 'train.csv'), `${currentRows.length} rows of ${input.current.name}`, columnsOf(currentTable, input.dropColumns), [{ table: currentTable, rows: currentRows }]);
  }
  return { train, holdout, currentRowsTrained: currentRows.length };
}

function labelledColumn(table: DataTable, target: string, name: string): DataColumn {
  const column = findColumn(table, target);
  if (!column) {
    throw new DataError(`${name} has no target column "${target}" (its columns: ${table.columns.map((c) => c.name).join(', ')}); retraining needs labelled data there`, name, { column: target });
  }
  return column;
}

function columnsOf(table: DataTable, drop: readonly string[]): { name: string }[] {
  return table.columns.filter((c) => !drop.includes(c.name)).map((c) => ({ name: c.name }));
}

/** Writes rows of one or more tables under one header, taking each column by name. */
function writeCsv(path: string, name: string, columns: readonly { name: string }[], parts: readonly { table: DataTable; rows: readonly number[] }[]): PreparedFile {
  const lines = [columns.map((c) => csvCell(c.name)).join(',')];
  let rows = 0;
  for (const part of parts) {
    const cells = columns.map((c) => cellReader(findColumn(part.table, c.name) as DataColumn));
    for (const r of part.rows) lines.push(cells.map((cell) => cell(r)).join(','));
    rows += part.rows.length;
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(path, text);
  return { path, name, digest: datasetDigest(Buffer.from(text, 'utf8')), rows };
}

function cellReader(column: DataColumn): (row: number) => string {
  if (column.kind === 'numeric') return (r) => (Number.isNaN(column.values[r]) ? '' : String(column.values[r]));
  return (r) => {
    const code = column.codes[r] as number;
    return code < 0 ? '' : csvCell(column.categories[code] as string);
  };
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
