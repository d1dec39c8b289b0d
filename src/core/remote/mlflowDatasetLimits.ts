import type { DatasetInput } from '../tracking/trackingTypes';

// MLflow 2.12.2's limits on a logged dataset (mlflow/utils/validation.py, _validate_dataset):
// it refuses the whole log-inputs call when one is exceeded. Our digests are `sha256:` + 64 hex.
export const MAX_DATASET_NAME = 500;
export const MAX_DATASET_DIGEST = 36;
export const MAX_DATASET_SOURCE = 65_535;
export const MAX_DATASET_SCHEMA = 65_535;

/** Key in the profile JSON that keeps the fields as they were before they were fitted. */
const ORIGINAL = 'mlops.original';

interface Original {
  name?: string;
  digest?: string;
  source?: string;
  schema?: string;
  /** the profile as it was (null: there was none) */
  profile: string | null;
}

/** A digest MLflow accepts: its hex part (no `sha256:`), cut to 36 characters — still identifies the data. */
function shortDigest(digest: string): string {
  const hex = /^[a-z0-9]+:(.+)$/i.exec(digest)?.[1] ?? digest;
  return hex.slice(0, MAX_DATASET_DIGEST);
}

/**
 * The dataset as an MLflow server accepts it: a field over MLflow's limit is fitted (digest to
 * its first 36 hex characters, name and source cut, schema left out) and its whole value travels
 * in the profile under `mlops.original`, so nothing is lost and datasetFromMlflow restores it.
 */
export function datasetForMlflow(d: DatasetInput): DatasetInput {
  const original: Original = { profile: d.profile ?? null };
  let fitted: DatasetInput = d;
  if (d.digest.length > MAX_DATASET_DIGEST) {
    original.digest = d.digest;
    fitted = { ...fitted, digest: shortDigest(d.digest) };
  }
  if (d.name.length > MAX_DATASET_NAME) {
    original.name = d.name;
    fitted = { ...fitted, name: d.name.slice(0, MAX_DATASET_NAME) };
  }
  if (d.source.length > MAX_DATASET_SOURCE) {
    original.source = d.source;
    fitted = { ...fitted, source: d.source.slice(0, MAX_DATASET_SOURCE) };
  }
  if (d.schema !== undefined && d.schema.length > MAX_DATASET_SCHEMA) {
    original.schema = d.schema;
    const { schema: _dropped, ...rest } = fitted;
    fitted = rest;
  }
  if (fitted === d) return d;
  return { ...fitted, profile: JSON.stringify({ [ORIGINAL]: original }) };
}

function originalIn(profile: string | undefined): Original | undefined {
  if (profile === undefined || !profile.includes(ORIGINAL)) return undefined;
  try {
    const parsed: unknown = JSON.parse(profile);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const original = (parsed as Record<string, unknown>)[ORIGINAL];
    return typeof original === 'object' && original !== null ? (original as Original) : undefined;
  } catch {
    return undefined;
  }
}

/** The dataset as it was before datasetForMlflow fitted it (a dataset it did not touch comes back as is). */
export function datasetFromMlflow(d: DatasetInput): DatasetInput {
  const original = originalIn(d.profile);
  if (!original) return d;
  const { profile: _fitted, schema, ...rest } = d;
  const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
  const restoredSchema = typeof original.schema === 'string' ? original.schema : schema;
  return {
    ...rest,
    name: str(original.name, d.name),
    digest: str(original.digest, d.digest),
    source: str(original.source, d.source),
    ...(restoredSchema === undefined ? {} : { schema: restoredSchema }),
    ...(typeof original.profile === 'string' ? { profile: original.profile } : {}),
  };
}
