import Ajv from 'ajv';
import { basename, dirname, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import monitorSchema from '../../../schemas/monitor.schema.json';
import type { ColumnDriftOptions, DriftTestName } from '../drift/driftTypes';
import { retrainPolicyFrom, type RawRetrainPolicy } from '../retraining/retrainPolicyParser';
import { SpecError } from '../training/specErrors';
import { describeSchemaErrors } from '../training/trainSpecParser';
import { MONITOR_SPEC_SUFFIX, type MonitorSpec } from './monitorSpec';
import { specDocumentValue } from '../training/specDocumentValue';
import { readSpecText } from '../training/specFileText';

interface RawMonitor {
  name?: string;
  description?: string;
  reference: { model?: string; file?: string };
  current: { file?: string; endpoint?: string; last?: number; hours?: number };
  columns?: string[];
  prediction?: string;
  test?: DriftTestName;
  threshold?: number;
  drift_share?: number;
  per_column?: Record<string, { test?: DriftTestName; threshold?: number }>;
  schedule?: { every_minutes?: number; on_change?: boolean };
  retrain?: RawRetrainPolicy;
}

let compiled: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  compiled ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(monitorSchema);
  return compiled;
}

/** Reads and validates a *.monitor.yaml file. */
export async function loadMonitorSpec(specPath: string): Promise<MonitorSpec> {
  return parseMonitorSpec(await readSpecText(specPath, 'the monitor spec'), specPath);
}

/** Parses monitor spec text; errors carry line, column and field. */
export function parseMonitorSpec(text: string, specPath: string): MonitorSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (offset: number): { line: number; column: number } => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    throw new SpecError(specPath, doc.errors.map((e) => ({ message: e.message.split('\n')[0] ?? e.message, field: '', ...position(e.pos[0]) })));
  }
  const value: unknown = specDocumentValue(doc, specPath, position);
  if (value === null || value === undefined) {
    throw new SpecError(specPath, [{ message: 'the monitor spec is empty: it needs `reference` and `current`', field: '', line: 1, column: 1 }]);
  }
  const validate = validator();
  if (!validate(value)) throw new SpecError(specPath, describeSchemaErrors(validate.errors ?? [], doc, position));
  const raw = value as RawMonitor;
  const folder = dirname(specPath);
  const file = basename(specPath);
  const name = raw.name ?? (file.endsWith(MONITOR_SPEC_SUFFIX) ? file.slice(0, -MONITOR_SPEC_SUFFIX.length) : file.replace(/\.ya?ml$/, ''));
  const perColumn: Record<string, ColumnDriftOptions> = {};
  for (const [column, own] of Object.entries(raw.per_column ?? {})) perColumn[column] = { test: own.test, threshold: own.threshold };
  const locate = (path: readonly (string | number)[]): { line: number; column: number } => {
    const node = doc.getIn(path, true);
    return isNode(node) && node.range ? position(node.range[0]) : { line: 1, column: 1 };
  };
  const retrain = raw.retrain ? retrainPolicyFrom(raw.retrain, specPath, locate) : undefined;
  if (retrain && raw.current.endpoint !== undefined && (retrain.data !== 'spec' || retrain.holdout.kind !== 'file')) {
    // Served requests carry no labels: neither training rows nor a holdout can come from them.
    // The error points at the offending key, or at the retrain block when the default applies.
    const field = retrain.data !== 'spec' ? 'data' : 'holdout';
    throw new SpecError(specPath, [
      { message: 'an endpoint\'s traffic has no labels: with `current.endpoint`, retrain with `data: spec` and a labelled `holdout: FILE`', field: `retrain.${field}`, ...locate(doc.hasIn(['retrain', field === 'data' ? 'data' : 'holdout_fraction']) ? ['retrain', field === 'data' ? 'data' : 'holdout_fraction'] : ['retrain']) },
    ]);
  }
  return {
    name,
    file: specPath,
    description: raw.description,
    reference: raw.reference.model !== undefined ? { kind: 'model', uri: raw.reference.model } : { kind: 'file', path: resolve(folder, raw.reference.file as string), asWritten: raw.reference.file as string },
    current:
      raw.current.endpoint !== undefined
        ? { kind: 'endpoint', endpoint: raw.current.endpoint, window: { ...(raw.current.last !== undefined ? { last: raw.current.last } : {}), ...(raw.current.hours !== undefined ? { hours: raw.current.hours } : {}) }, asWritten: `endpoint ${raw.current.endpoint}` }
        : { kind: 'file', path: resolve(folder, raw.current.file as string), asWritten: raw.current.file as string },
    options: {
      columns: raw.columns,
      predictionColumn: raw.prediction,
      test: raw.test,
      threshold: raw.threshold,
      driftShare: raw.drift_share,
      perColumn,
    },
    schedule: raw.schedule ? { everyMinutes: raw.schedule.every_minutes, onChange: raw.schedule.on_change } : undefined,
    ...(retrain ? { retrain } : {}),
  };
}
