/** A run's details for the side panel: params, metrics, tags, artifacts with previews, model signature. */
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { ArtifactInfo, ArtifactPreview, ModelSignature, RunDetails, SignatureField } from '../../protocol/runs/runsContract';
import { isStarred, NOTE_TAG, noteOf, RUN_NAME_TAG, runLabel, STARRED_TAG } from '../../core/tracking/runAnnotations';

export type DetailsSource = Pick<TrackingStore, 'getRun' | 'listArtifacts' | 'readArtifact'>;

/** Listing stops here: a run that logged a dataset of images should not stall the panel. */
const MAX_ARTIFACTS = 500;
/** Previews bigger than this are cut (text) or refused (images): the webview is not a file viewer. */
export const MAX_TEXT_PREVIEW_BYTES = 64 * 1024;
export const MAX_IMAGE_PREVIEW_BYTES = 2 * 1024 * 1024;
const CSV_PREVIEW_ROWS = 50;

const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', svg: 'image/svg+xml' };
const TEXT_EXTENSIONS = new Set(['txt', 'log', 'md', 'yaml', 'yml', 'py', 'toml', 'ini', 'cfg', 'html', 'xml', 'sh', 'r', 'sql', '']);

export async function loadRunDetails(tracking: DetailsSource, runId: string): Promise<RunDetails> {
  const run = await tracking.getRun(runId);
  const { artifacts, truncated } = await listAll(tracking, runId);
  // Name, star and note have their own places in the details; repeating them as tags is noise.
  const tags = run.data.tags.filter((t) => t.key !== STARRED_TAG && t.key !== NOTE_TAG && t.key !== RUN_NAME_TAG);
  const signature = artifacts.some((a) => a.path === 'model/signature.json') ? await readSignature(tracking, runId) : undefined;
  return {
    runId,
    name: runLabel(run.info),
    status: run.info.status,
    experimentId: run.info.experimentId,
    startTime: run.info.startTime,
    endTime: run.info.endTime,
    params: run.data.params.map((p) => ({ key: p.key, value: p.value })).sort((a, b) => a.key.localeCompare(b.key)),
    metrics: run.data.metrics
      .map((m) => ({ key: m.key, last: m.value, min: m.min, max: m.max, count: m.count, step: m.step }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    tags: tags.map((t) => ({ key: t.key, value: t.value })).sort((a, b) => a.key.localeCompare(b.key)),
    note: noteOf(run),
    starred: isStarred(run),
    artifacts,
    artifactsTruncated: truncated,
    ...(signature ? { signature } : {}),
  };
}

async function listAll(tracking: DetailsSource, runId: string): Promise<{ artifacts: ArtifactInfo[]; truncated: boolean }> {
  const out: ArtifactInfo[] = [];
  const queue: Array<string | undefined> = [undefined];
  while (queue.length > 0) {
    const dir = queue.shift();
    let entries;
    try {
      entries = await tracking.listArtifacts(runId, dir);
    } catch {
      continue; // an artifact folder that is not there yet is an empty list, not an error
    }
    for (const e of entries) {
      if (out.length >= MAX_ARTIFACTS) return { artifacts: out, truncated: true };
      out.push({ path: e.path, isDir: e.isDir, ...(e.fileSize !== undefined ? { size: e.fileSize } : {}) });
      if (e.isDir) queue.push(e.path);
    }
  }
  return { artifacts: out, truncated: false };
}

/** Reads this project's package signature ({inputs, output}) and MLflow's ({inputs: "<json>", outputs: "<json>"}). */
export function parseSignature(text: string): ModelSignature | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const record = raw as Record<string, unknown>;
  const inputs = fields(record.inputs);
  let outputs = fields(record.outputs);
  const output = record.output;
  if (outputs.length === 0 && typeof output === 'object' && output !== null) {
    const o = output as Record<string, unknown>;
    const classes = Array.isArray(o.classes) ? o.classes.map(String) : undefined;
    outputs = [{ name: String(o.target ?? 'output'), type: classes ? `class of ${classes.join(', ')}` : String(o.type ?? o.task ?? 'unknown') }];
  }
  return inputs.length > 0 || outputs.length > 0 ? { inputs, outputs } : undefined;
}

function fields(value: unknown): SignatureField[] {
  let list = value;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  return list
    .filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null)
    .map((f) => ({ name: String(f.name ?? '(unnamed)'), type: String(f.type ?? 'unknown') + (f.optional === true ? ' (optional)' : '') }));
}

async function readSignature(tracking: DetailsSource, runId: string): Promise<ModelSignature | undefined> {
  try {
    return parseSignature((await tracking.readArtifact(runId, 'model/signature.json')).toString('utf8'));
  } catch {
    return undefined;
  }
}

export async function previewArtifact(tracking: DetailsSource, runId: string, path: string): Promise<ArtifactPreview> {
  const name = path.split('/').pop() ?? path;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : name === 'MLmodel' ? 'yaml' : '';
  const bytes = await tracking.readArtifact(runId, path);
  const image = IMAGE_TYPES[ext];
  if (image) {
    if (bytes.byteLength > MAX_IMAGE_PREVIEW_BYTES) return { kind: 'unavailable', reason: `${path} is ${formatBytes(bytes.byteLength)}; images over ${formatBytes(MAX_IMAGE_PREVIEW_BYTES)} are not previewed.` };
    return { kind: 'image', dataUri: `data:${image};base64,${bytes.toString('base64')}` };
  }
  const truncated = bytes.byteLength > MAX_TEXT_PREVIEW_BYTES;
  const head = bytes.subarray(0, MAX_TEXT_PREVIEW_BYTES);
  if (head.includes(0)) return { kind: 'unavailable', reason: `${path} is a binary file (${formatBytes(bytes.byteLength)}); there is no preview for it.` };
  const text = head.toString('utf8');
  if (ext === 'json') {
    if (!truncated) {
      try {
        return { kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2), truncated };
      } catch {
        // not valid JSON after all: show it as text
      }
    }
    return { kind: 'json', text, truncated };
  }
  if (ext === 'csv' || ext === 'tsv') return csvHead(text, ext === 'tsv' ? '\t' : ',', truncated);
  if (TEXT_EXTENSIONS.has(ext)) return { kind: 'text', text, truncated };
  return { kind: 'text', text, truncated };
}

/** The first rows of a CSV, split with quotes respected; enough to recognise the file. */
export function csvHead(text: string, separator: string, truncated: boolean): ArtifactPreview {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length && rows.length <= CSV_PREVIEW_ROWS; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header = [], ...body] = rows;
  return { kind: 'csv', header, rows: body.slice(0, CSV_PREVIEW_ROWS), truncated: truncated || body.length > CSV_PREVIEW_ROWS };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
