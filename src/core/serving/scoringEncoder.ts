import type { ModelSignature, SignatureInput } from '../modelPackage/modelPackageFormat';
import { UnknownCategoryError, type FittedPreprocessing } from '../training/preprocessing';
import { checkCell, checkColumns, type ScoringInput, type ScoringRecord } from './scoringInput';
import { ScoringRequestError } from './scoringErrors';

/** What encoding needs of a loaded model. */
export interface EncodableModel {
  readonly signature: ModelSignature;
  readonly preprocessing: FittedPreprocessing;
}

interface FeaturePlan {
  readonly name: string;
  readonly numeric: boolean;
  /** first encoded column (one-hot: of its categories; native: its one column) */
  readonly offset: number;
  readonly fill: number;
  readonly center: number;
  readonly scale: number;
  /** category → its first index in training's categories */
  readonly slots: ReadonlyMap<string, number>;
  /** the slot a missing cell gets (-1: none) */
  readonly fillSlot: number;
  readonly errorOnUnknown: boolean;
}

interface EncodingPlan {
  readonly native: boolean;
  readonly width: number;
  readonly inputs: readonly SignatureInput[];
  readonly features: readonly FeaturePlan[];
}

const plans = new WeakMap<FittedPreprocessing, EncodingPlan>();

function planFor(model: EncodableModel): EncodingPlan {
  let plan = plans.get(model.preprocessing);
  if (plan) return plan;
  const { preprocessing } = model;
  const native = preprocessing.encoding === 'native';
  let offset = 0;
  const features = preprocessing.features.map((feature, f): FeaturePlan => {
    const start = native ? f : offset;
    if (feature.kind === 'numeric') {
      offset += 1;
      return { name: feature.name, numeric: true, offset: start, fill: feature.fill, center: feature.center, scale: feature.scale, slots: new Map(), fillSlot: -1, errorOnUnknown: false };
    }
    offset += feature.categories.length;
    const slots = new Map<string, number>();
    feature.categories.forEach((c, i) => {
      if (!slots.has(c)) slots.set(c, i);
    });
    const fillSlot = feature.fill === null ? -1 : (slots.get(feature.fill) ?? -1);
    return { name: feature.name, numeric: false, offset: start, fill: 0, center: 0, scale: 1, slots, fillSlot, errorOnUnknown: feature.handleUnknown === 'error' };
  });
  plan = { native, width: preprocessing.width, inputs: model.signature.inputs, features };
  plans.set(model.preprocessing, plan);
  return plan;
}

/**
 * Checks a parsed request against the signature and encodes it into the model's input matrix in
 * one pass, straight from the parsed JSON (a `dataframe_split` row is read where it lies; no
 * record object per row). Answers exactly as checkRecords then transformRecords would: the same
 * 400s naming row and column, and an unseen category (handle_unknown "error") only once every
 * cell has passed its check.
 */
export function encodeScoringInput(input: ScoringInput, model: EncodableModel): Float32Array {
  const plan = planFor(model);
  const split = input.kind === 'split';
  const rows = split ? input.data.length : input.records.length;
  if (rows === 0) throw new ScoringRequestError(400, 'The request holds no rows to score.');
  // Where each input and feature sits in a split row (-1: not sent); the last of duplicate columns wins, as in a record.
  let inputColumns: Int32Array | undefined;
  let featureColumns: Int32Array | undefined;
  if (split) {
    const index = new Map<string, number>();
    input.columns.forEach((c, i) => index.set(c, i));
    inputColumns = Int32Array.from(plan.inputs, (i) => index.get(i.name) ?? -1);
    featureColumns = Int32Array.from(plan.features, (f) => index.get(f.name) ?? -1);
    checkColumns(model.signature, (name) => index.has(name));
  } else {
    const first = input.records[0] as ScoringRecord;
    checkColumns(model.signature, (name) => name in first);
  }
  const { width, native, inputs, features } = plan;
  const out = new Float32Array(rows * width);
  let deferred: Error | undefined;
  for (let r = 0; r < rows; r++) {
    const row = split ? (input.data[r] as readonly unknown[]) : undefined;
    const record = split ? undefined : (input.records[r] as ScoringRecord);
    for (let i = 0; i < inputs.length; i++) {
      const spec = inputs[i] as SignatureInput;
      let value: unknown;
      let present: boolean;
      if (row) {
        const column = (inputColumns as Int32Array)[i] as number;
        present = column >= 0;
        value = present ? row[column] : undefined;
      } else {
        value = (record as ScoringRecord)[spec.name];
        present = value !== undefined;
      }
      // the common cells pass without the full check
      if (spec.type === 'double' ? typeof value === 'number' && value - value === 0 : typeof value === 'string' && value !== '') continue;
      checkCell(value, spec, r, present || (record !== undefined && spec.name in record));
    }
    const base = r * width;
    for (let f = 0; f < features.length; f++) {
      const feature = features[f] as FeaturePlan;
      let value: unknown;
      if (row) {
        const column = (featureColumns as Int32Array)[f] as number;
        value = column >= 0 ? row[column] : undefined;
      } else value = (record as ScoringRecord)[feature.name];
      const missing = value === null || value === undefined || value === '';
      if (feature.numeric) {
        if (missing) {
          out[base + feature.offset] = native ? NaN : (feature.fill - feature.center) / feature.scale;
          continue;
        }
        const x = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
        if (!Number.isFinite(x)) {
          deferred ??= new Error(`row ${r + 1}, column "${feature.name}": ${JSON.stringify(value)} is not a finite number`);
          continue;
        }
        out[base + feature.offset] = native ? x : (x - feature.center) / feature.scale;
        continue;
      }
      let slot: number;
      if (missing) slot = native ? -1 : feature.fillSlot;
      else {
        slot = feature.slots.get(String(value)) ?? -1;
        if (slot < 0 && feature.errorOnUnknown) deferred ??= new UnknownCategoryError(feature.name, String(value), r);
      }
      if (native) out[base + feature.offset] = slot < 0 ? NaN : slot;
      else if (slot >= 0) out[base + feature.offset + slot] = 1;
    }
  }
  if (deferred) throw deferred;
  return out;
}
