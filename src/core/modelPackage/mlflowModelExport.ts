import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { TREE_PACKAGE_FILES } from './modelPackageFormat';
import { loadModelPackage, readPackageNetwork, type LoadedModel } from './modelPackageLoader';
import { PYFUNC_MODULE_NAME, PYFUNC_MODULE_SOURCE } from './pyfuncModule';

/** MLflow's version the exported MLmodel is written for (and tested against). */
const MLFLOW_VERSION = '2.12.2';
const PYTHON_VERSION = '3.11';
const REQUIREMENTS = ['mlflow', 'numpy', 'pandas'];
/** The pyfunc's data folder inside the MLflow Model (not `model/`: a package keeps its own files there). */
const PYFUNC_DATA_DIR = 'pyfunc';

export interface MlflowExportOptions {
  /** rows for input_example.json (the signature's columns); none = no example */
  readonly inputExample?: readonly Readonly<Record<string, unknown>>[];
  /** where the model came from, kept in MLmodel's metadata ("models:/penguins/3") */
  readonly source?: string;
  /** for tests: the creation time written into MLmodel */
  readonly now?: Date;
}

export interface MlflowExportResult {
  readonly dir: string;
  readonly files: readonly string[];
}

/** One file of an MLflow Model folder, by its path inside the folder. */
export interface MlflowModelFile {
  readonly path: string;
  readonly data: string | Uint8Array;
}

/**
 * The files of an MLflow Model for a model package: `MLmodel` with a `python_function` flavor
 * whose code needs only numpy and pandas (code/), the network and its preprocessing (pyfunc/; a
 * folder of its own so the files can sit beside a package's own in one folder), the signature, an
 * input example when given, and the environment files.
 */
export async function mlflowModelFiles(packageDir: string, options: MlflowExportOptions = {}): Promise<MlflowModelFile[]> {
  const model = await loadModelPackage(packageDir);
  const common = {
    format: 'mlops-studio-pyfunc',
    version: 1,
    task: model.signature.output.task,
    target: model.signature.output.target,
    classes: model.signature.output.task === 'classification' ? model.signature.output.classes : null,
    encoding: model.preprocessing.encoding ?? 'one_hot',
    width: model.preprocessing.width,
    features: model.preprocessing.features,
  };
  const scorer: MlflowModelFile[] = [];
  if (model.manifest.flavor === 'tree-ensemble') {
    const ensemble = JSON.parse(await readFile(join(packageDir, TREE_PACKAGE_FILES.trees), 'utf8')) as unknown;
    scorer.push({ path: `${PYFUNC_DATA_DIR}/mlops_model.json`, data: `${JSON.stringify({ ...common, kind: 'trees', ensemble })}\n` });
  } else {
    const { layers, weights } = await readPackageNetwork(packageDir);
    // One float32 blob, each array at an element offset (numpy reads it with np.fromfile).
    const arrays = weights.flatMap((w) => [w.kernel, w.bias]);
    const blob = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    let offset = 0;
    const refs = arrays.map((a) => {
      blob.set(a, offset);
      const ref = { offset };
      offset += a.length;
      return ref;
    });
    const meta = {
      ...common,
      kind: 'network',
      weights: 'weights.bin',
      layers: layers.map((layer, i) => ({
        activation: layer.activation,
        kernel: { ...refs[i * 2], shape: [layer.inputs, layer.units] },
        bias: { ...refs[i * 2 + 1], shape: [layer.units] },
      })),
    };
    scorer.push({ path: `${PYFUNC_DATA_DIR}/mlops_model.json`, data: `${JSON.stringify(meta, null, 2)}\n` });
    scorer.push({ path: `${PYFUNC_DATA_DIR}/weights.bin`, data: new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength) });
  }
  const example = options.inputExample && options.inputExample.length > 0 ? options.inputExample : undefined;
  const columns = model.signature.inputs.map((i) => i.name);
  return [
    { path: 'MLmodel', data: mlmodelYaml(model, example !== undefined, options) },
    { path: `code/${PYFUNC_MODULE_NAME}.py`, data: PYFUNC_MODULE_SOURCE },
    ...scorer,
    ...(example ? [{ path: 'input_example.json', data: JSON.stringify({ columns, data: example.map((row) => columns.map((c) => row[c] ?? null)) }) }] : []),
    { path: 'python_env.yaml', data: stringify({ python: PYTHON_VERSION, build_dependencies: ['pip'], dependencies: ['-r requirements.txt'] }) },
    { path: 'requirements.txt', data: `${REQUIREMENTS.join('\n')}\n` },
    { path: 'conda.yaml', data: stringify({ channels: ['conda-forge'], dependencies: [`python=${PYTHON_VERSION}`, 'pip', { pip: REQUIREMENTS }], name: 'mlflow-env' }) },
  ];
}

/**
 * Writes an MLflow Model directory for a model package (see mlflowModelFiles), so that
 * `mlflow.pyfunc.load_model(dir).predict(df)` scores as `mlops predict`. The directory is written
 * beside `outDir` and renamed into place: a failed export leaves nothing that looks like a model.
 * `outDir` must not exist or be empty (as `mlflow.pyfunc.save_model`).
 */
export async function exportMlflowModel(packageDir: string, outDir: string, options: MlflowExportOptions = {}): Promise<MlflowExportResult> {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`${outDir} already exists and is not empty; choose a new folder for the export`);
  const files = await mlflowModelFiles(packageDir, options);
  const staging = join(dirname(outDir), `.${basename(outDir)}.export-${process.pid}-${Date.now()}`);
  try {
    for (const file of files) {
      await mkdir(dirname(join(staging, file.path)), { recursive: true });
      await writeFile(join(staging, file.path), file.data);
    }
    if (existsSync(outDir)) await rm(outDir, { recursive: true });
    await rename(staging, outDir);
    return { dir: outDir, files: files.map((f) => f.path).sort() };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The MLmodel file: MLflow reads the signature's column lists as JSON strings. */
function mlmodelYaml(model: LoadedModel, hasExample: boolean, options: MlflowExportOptions): string {
  const inputs = model.signature.inputs.map((input) => ({ type: input.type, name: input.name, required: !input.optional }));
  const output = model.signature.output;
  const outputs =
    output.task === 'regression'
      ? [{ type: 'double', name: `predicted_${output.target}`, required: true }]
      : [{ type: 'string', name: `predicted_${output.target}`, required: true }, ...output.classes.map((c) => ({ type: 'double', name: `probability_${c}`, required: true }))];
  const created = (options.now ?? new Date()).toISOString().replace('T', ' ').replace('Z', '000');
  return stringify({
    artifact_path: 'model',
    flavors: {
      python_function: {
        code: 'code',
        data: PYFUNC_DATA_DIR,
        env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
        loader_module: PYFUNC_MODULE_NAME,
        python_version: PYTHON_VERSION,
      },
    },
    metadata: { exported_by: 'MLOps Studio', task: output.task, model_type: model.manifest.modelType, ...(options.source ? { source: options.source } : {}) },
    mlflow_version: MLFLOW_VERSION,
    model_uuid: randomUUID().replace(/-/g, ''),
    ...(hasExample ? { saved_input_example_info: { artifact_path: 'input_example.json', pandas_orient: 'split', type: 'dataframe' } } : {}),
    signature: { inputs: JSON.stringify(inputs), outputs: JSON.stringify(outputs), params: null },
    utc_time_created: created,
  });
}
