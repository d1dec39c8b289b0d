import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { cliPath } from '../cliPaths';
import { withWorkspaceRegistry } from './modelsWorkspaceRegistry';
import { printJson } from './trackingCliSupport';

const FORMATS = ['mlflow', 'onnx'] as const;
type ExportFormat = (typeof FORMATS)[number];

/** `mlops models export MODEL --format mlflow -o DIR`: a model version in a format other tools load. */
export function registerModelsExportCommand(models: Command, program: Command): void {
  models
    .command('export <model>')
    .description('write a model version in a standard format: --format mlflow is an MLflow Model folder that mlflow.pyfunc.load_model and `mlflow models serve` load (numpy and pandas only); --format onnx is one .onnx file (preprocessing included) for any ONNX runtime')
    .requiredOption('-o, --output <path>', 'the folder (mlflow: must not exist, or be empty) or the .onnx file (onnx: must not exist) to write')
    .option('--format <format>', `the format: ${FORMATS.join(', ')}`, 'mlflow')
    .action(async (model: string, options: { output: string; format: string }) => {
      const globals = program.opts<CliGlobalOptions>();
      if (!(FORMATS as readonly string[]).includes(options.format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}, got "${options.format}"`);
      const format = options.format as ExportFormat;
      const output = cliPath(options.output);
      const source = await resolveExportSource(program, model);
      if (format === 'onnx') {
        const { exportOnnxModel } = await import('../../core/modelPackage/onnxModelExport');
        let written;
        try {
          written = await exportOnnxModel(source.packageDir, output, { source: source.label });
        } catch (error) {
          throw new CliError((error as Error).message, 1);
        }
        if (globals.json) return printJson({ model, format, output: written.file, bytes: written.bytes });
        process.stdout.write(
          `exported ${source.label} as ONNX to ${written.file} (${written.bytes.toLocaleString('en-US')} bytes)\n` +
            `inputs: one [N, 1] tensor per column (float for numbers, NaN when missing; string for categories, "" when missing); outputs: predicted value or label${source.classifier ? ' and probabilities' : ''}\n`,
        );
        return;
      }
      const { exportMlflowModel } = await import('../../core/modelPackage/mlflowModelExport');
      let result;
      try {
        result = await exportMlflowModel(source.packageDir, output, { inputExample: source.example, source: source.label });
      } catch (error) {
        throw new CliError((error as Error).message, 1);
      }
      if (globals.json) return printJson({ model, format, output: result.dir, files: result.files });
      process.stdout.write(
        `exported ${source.label} as an MLflow Model to ${result.dir} (${result.files.length} files)\n` +
          `load it in Python:  mlflow.pyfunc.load_model(${JSON.stringify(result.dir)}).predict(df)\n` +
          `or serve it:        mlflow models serve -m ${JSON.stringify(result.dir)} --env-manager local\n`,
      );
    });
}

interface ExportSource {
  readonly packageDir: string;
  readonly label: string;
  readonly example: Record<string, unknown>[];
  readonly classifier: boolean;
}

/** The package folder of a models:/ URI (or a package folder given directly) and a few rows of its training data as the input example. */
async function resolveExportSource(program: Command, model: string): Promise<ExportSource> {
  const { loadModelPackage } = await import('../../core/modelPackage/modelPackageLoader');
  const { buildSampleRequest, trainingDataCandidates } = await import('../../core/serving/sampleRequest');
  if (!model.startsWith('models:/')) {
    const dir = cliPath(model);
    if (!existsSync(dir)) throw new CliError(`${model} is neither a models:/ URI nor an existing model package folder (looked at ${dir})`);
    const loaded = await loadModelPackage(dir).catch((error: Error) => {
      throw new CliError(error.message, 1);
    });
    return { packageDir: dir, label: model, example: buildSampleRequest(loaded.signature, trainingDataCandidates(loaded.manifest.dataset, undefined, process.cwd())).dataframe_records, classifier: loaded.signature.output.task === 'classification' };
  }
  // Through the engine of whichever process holds the store; the version's frozen files are on this disk.
  return withWorkspaceRegistry(program, async (registry, store, globals) => {
    const version = await registry.resolveUri(model);
    const loaded = await loadModelPackage(version.packageDir).catch((error: Error) => {
      throw new CliError(error.message, 1);
    });
    const run = await store.tracking.getRun(version.runId).catch(() => undefined);
    const specPath = run?.data.tags.find((t) => t.key === 'mlops.spec')?.value;
    const example = buildSampleRequest(loaded.signature, trainingDataCandidates(loaded.manifest.dataset, specPath, dirname(resolveStoreDir(globals)))).dataframe_records;
    return { packageDir: version.packageDir, label: `models:/${version.name}/${version.version}`, example, classifier: loaded.signature.output.task === 'classification' };
  });
}
