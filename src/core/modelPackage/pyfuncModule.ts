/**
 * The Python module an exported MLflow Model loads through its `python_function` flavor
 * (`loader_module: mlops_studio_pyfunc`, under `code/`). It needs only numpy and pandas, and
 * scores exactly as the product's own scorer does (src/core/training/preprocessing.ts
 * `transformRecords` and src/core/modelPackage/denseForward.ts): inputs encoded to float32, each
 * layer accumulated in float64 and stored as float32, softmax with the max subtracted. Kept here
 * as text because the extension and the CLI are single bundles.
 */
export const PYFUNC_MODULE_NAME = 'mlops_studio_pyfunc';

export const PYFUNC_MODULE_SOURCE = String.raw`"""An MLOps Studio model as an MLflow python_function model (numpy and pandas only).

Written by \`mlops models export --format mlflow\`. mlflow.pyfunc.load_model(DIR) imports this
module from DIR/code and calls _load_pyfunc(DIR/model); predict(df) returns the same columns and
values as \`mlops predict\`: predicted_<target>, and probability_<class> for classifiers.
"""
import json
import math
import os

import numpy as np
import pandas as pd

FORMAT = "mlops-studio-pyfunc"


def _load_pyfunc(data_path):
    return MlopsStudioModel(data_path)


class MlopsStudioModel:
    def __init__(self, path):
        with open(os.path.join(path, "mlops_model.json"), encoding="utf-8") as handle:
            meta = json.load(handle)
        if meta.get("format") != FORMAT:
            raise ValueError("%s is not an MLOps Studio model export" % path)
        self.meta = meta
        self.native = meta.get("encoding") == "native"
        if meta["kind"] == "trees":
            self.ensemble = _Ensemble(meta["ensemble"])
            return
        blob = np.fromfile(os.path.join(path, meta["weights"]), dtype="<f4")
        self.layers = []
        for layer in meta["layers"]:
            kernel = _slice(blob, layer["kernel"]).reshape(layer["kernel"]["shape"]).astype(np.float64)
            bias = _slice(blob, layer["bias"]).astype(np.float64)
            self.layers.append((kernel, bias, layer["activation"]))

    def predict(self, model_input, params=None):
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        x = self._encode(frame)
        if self.meta["kind"] == "trees":
            x = self.ensemble.predict(x)
        else:
            for kernel, bias, activation in self.layers:
                x = _activate(x.astype(np.float64) @ kernel + bias, activation).astype(np.float32)
        target = self.meta["target"]
        if self.meta["task"] == "regression":
            return pd.DataFrame({"predicted_" + target: x[:, 0].astype(np.float64)})
        classes = self.meta["classes"]
        best = np.argmax(x, axis=1)
        out = {"predicted_" + target: [classes[i] for i in best]}
        for c, name in enumerate(classes):
            out["probability_" + name] = x[:, c].astype(np.float64)
        return pd.DataFrame(out)

    def _encode(self, frame):
        features = self.meta["features"]
        rows = len(frame)
        out = np.zeros((rows, self.meta["width"]), dtype=np.float32)
        offset = 0
        for feature in features:
            name = feature["name"]
            # an absent column is all missing (imputed), as in the product's own scorer
            values = frame[name].tolist() if name in frame.columns else [None] * rows
            if feature["kind"] == "numeric":
                column = np.empty(rows, dtype=np.float64)
                for i, value in enumerate(values):
                    if _missing(value):
                        # trees route a missing value themselves; networks get the fitted fill
                        column[i] = math.nan if self.native else feature["fill"]
                        continue
                    try:
                        number = float(value.strip()) if isinstance(value, str) else float(value)
                    except (TypeError, ValueError):
                        number = math.nan
                    if not math.isfinite(number):
                        raise ValueError('row %d, column "%s": %r is not a finite number' % (i + 1, name, value))
                    column[i] = number
                out[:, offset] = ((column - feature["center"]) / feature["scale"]).astype(np.float32)
                offset += 1
                continue
            categories = feature["categories"]
            slots = {category: k for k, category in enumerate(categories)}
            for i, value in enumerate(values):
                missing = _missing(value)
                category = feature["fill"] if missing else _text(value)
                slot = -1 if category is None else slots.get(category, -1)
                if slot < 0 and not missing and feature["handleUnknown"] == "error":
                    raise ValueError('column "%s": category "%s" was not seen in training (one_hot.handle_unknown is "error")' % (name, _text(value)))
                if self.native:
                    # one column: the category's index, NaN when missing or unseen
                    out[i, offset] = slot if slot >= 0 else math.nan
                elif slot >= 0:
                    out[i, offset + slot] = 1.0
            offset += 1 if self.native else len(categories)
        return out


class _Ensemble:
    """Boosted trees or a forest, scored as the product's treeEnsemble.ts does, a level at a time for all rows."""

    def __init__(self, e):
        self.e = e
        self.trees = []
        for tree in e["trees"]:
            nodes = len(tree["feature"])
            categorical = tree.get("leftCategories") or {}
            cat_index = np.full(nodes, -1, dtype=np.int64)
            table = np.zeros((max(1, len(categorical)), 256), dtype=bool)
            for k, (node, cats) in enumerate(sorted(categorical.items(), key=lambda item: int(item[0]))):
                cat_index[int(node)] = k
                for c in cats:
                    if 0 <= c < 256:
                        table[k, c] = True
            self.trees.append((
                int(tree["output"]),
                np.array(tree["feature"], dtype=np.int64),
                np.array(tree["threshold"], dtype=np.float64),
                np.array(tree["missingLeft"], dtype=np.int64) == 1,
                np.array(tree["left"], dtype=np.int64),
                np.array(tree["right"], dtype=np.int64),
                np.array(tree["value"], dtype=np.float64).reshape(nodes, e["valueWidth"]),
                cat_index,
                table,
            ))

    def predict(self, x):
        e = self.e
        rows, k = x.shape[0], e["outputs"]
        raw = np.zeros((rows, k), dtype=np.float64) + np.array(e["baseline"] or [0.0] * k, dtype=np.float64)
        for output, feature, threshold, missing_left, left, right, value, cat_index, table in self.trees:
            node = np.zeros(rows, dtype=np.int64)
            while True:
                active = np.nonzero(feature[node] >= 0)[0]
                if active.size == 0:
                    break
                at = node[active]
                v = x[active, feature[at]].astype(np.float64)
                missing = np.isnan(v)
                go_left = missing & missing_left[at]
                cats = cat_index[at]
                numeric = ~missing & (cats < 0)
                go_left[numeric] = v[numeric] <= threshold[at[numeric]]
                categorical = ~missing & (cats >= 0)
                if categorical.any():
                    c = v[categorical].astype(np.int64)
                    inside = (c >= 0) & (c < 256)
                    hit = np.zeros(c.size, dtype=bool)
                    hit[inside] = table[cats[categorical][inside], c[inside]]
                    go_left[categorical] = hit
                node[active] = np.where(go_left, left[at], right[at])
            if value.shape[1] == 1:
                raw[:, output] += value[node, 0]
            else:
                raw += value[node]
        if e["combine"] == "mean" and self.trees:
            raw /= len(self.trees)
        if e["link"] == "sigmoid":
            p = 1.0 / (1.0 + np.exp(-raw[:, 0]))
            return np.stack([1.0 - p, p], axis=1).astype(np.float32)
        if e["link"] == "softmax":
            z = np.exp(raw - raw.max(axis=1, keepdims=True))
            return (z / z.sum(axis=1, keepdims=True)).astype(np.float32)
        return raw.astype(np.float32)


def _slice(blob, ref):
    count = 1
    for size in ref["shape"]:
        count *= size
    return np.array(blob[ref["offset"] : ref["offset"] + count])


def _missing(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value == ""


def _text(value):
    # as JavaScript's String(value): 1.0 -> "1", True -> "true"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _activate(z, kind):
    if kind == "relu":
        return np.maximum(z, 0.0)
    if kind == "tanh":
        return np.tanh(z)
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if kind == "elu":
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))
    if kind == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z
`;
