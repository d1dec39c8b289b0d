import type { ModelSignature } from '../modelPackage/modelPackageFormat';

interface OutputLayout {
  /** `{"label":` + label + `,"probabilities":{` for each class */
  readonly labelHeads: readonly string[];
  /** `"class":` in the order JSON.stringify writes an object built in class order */
  readonly keys: readonly string[];
  /** which output column each key's value comes from (the last of duplicate class names) */
  readonly columns: Int32Array;
}

const layouts = new WeakMap<ModelSignature, OutputLayout>();

function layoutFor(classes: readonly string[], signature: ModelSignature): OutputLayout {
  let layout = layouts.get(signature);
  if (layout) return layout;
  // Object.keys gives the order JSON.stringify uses (integer-like names first), whatever the classes are called.
  const template: Record<string, number> = {};
  classes.forEach((c, i) => (template[c] = i));
  const order = Object.keys(template);
  layout = {
    labelHeads: classes.map((c) => `{"label":${JSON.stringify(c)},"probabilities":{`),
    keys: order.map((k, i) => `${i === 0 ? '' : ','}${JSON.stringify(k)}:`),
    columns: Int32Array.from(order, (k) => template[k] as number),
  };
  layouts.set(signature, layout);
  return layout;
}

function number(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

/**
 * The JSON array of predictions for `rows` rows of raw model output, text for text what
 * JSON.stringify writes for MLflow's shape (a number per row for regression, `{label,
 * probabilities}` for classification), written from the Float32Array without an object per row.
 */
export function predictionsJson(out: Float32Array, rows: number, signature: ModelSignature): string {
  const output = signature.output;
  let text = '[';
  if (output.task === 'regression') {
    for (let r = 0; r < rows; r++) text += (r === 0 ? '' : ',') + number(out[r] as number);
    return `${text}]`;
  }
  const k = output.classes.length;
  const { labelHeads, keys, columns } = layoutFor(output.classes, signature);
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    let best = 0;
    for (let c = 1; c < k; c++) if ((out[base + c] as number) > (out[base + best] as number)) best = c;
    text += (r === 0 ? '' : ',') + (labelHeads[best] as string);
    for (let i = 0; i < keys.length; i++) text += (keys[i] as string) + number(out[base + (columns[i] as number)] as number);
    text += '}}';
  }
  return `${text}]`;
}
