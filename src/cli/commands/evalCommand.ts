import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BleuSmoothing } from '../../core/textEval/bleu';
import { CliError } from '../cliContext';
import { existingCliPath } from '../cliPaths';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { CliGlobalOptions } from '../cliContext';
import { withWorkspaceEngine } from './monitoringEngine';
import { formatNumber, printJson, printTable, withTracking } from './trackingCliSupport';

const SMOOTHINGS: readonly BleuSmoothing[] = ['exp', 'floor', 'add-k', 'none'];
const SHOWN_METRICS = ['bleu', 'sentence_bleu_mean', 'rouge1_f', 'rouge2_f', 'rougeL_f', 'rougeLsum_f', 'exact_match', 'prediction_tokens_mean', 'latency_p50_ms', 'latency_p95_ms'];

/** `mlops eval FILE`: scores a JSONL evaluation set (BLEU, ROUGE, exact match) into a new run. */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('score a JSONL evaluation set (input, reference or references, prediction[, latency_ms]) with BLEU, ROUGE and exact match, logged to a new run')
    .argument('<file>', 'the evaluation set (.jsonl)')
    .option('-e, --experiment <name>', 'experiment (created if it does not exist)', 'text-eval')
    .option('-n, --name <runName>', 'run name')
    .option('--smooth <method>', `corpus BLEU smoothing: ${SMOOTHINGS.join(', ')}`, 'exp')
    .option('--lowercase', 'case-insensitive BLEU')
    .option('--rouge-stemmer', "Porter-stem words before ROUGE matches them (rouge-score's use_stemmer=True; off by default, as there)")
    .option('--endpoint <url>', 'rows without a "prediction" get one from this served model (MLflow scoring protocol, e.g. http://127.0.0.1:5001/invocations); its latency is recorded')
    .option('--endpoint-token <token>', 'bearer token for --endpoint (or MLOPS_ENDPOINT_TOKEN)')
    .option('-m, --model <uri>', 'the model version that made the predictions (models:/NAME/VERSION or @alias): its model card and `mlops feedback summary` show this run')
    .action(async (file: string, options: { experiment: string; name?: string; smooth: string; lowercase?: boolean; rougeStemmer?: boolean; model?: string; endpoint?: string; endpointToken?: string }) => {
      const smoothing = options.smooth as BleuSmoothing;
      if (!SMOOTHINGS.includes(smoothing)) throw new CliError(`--smooth must be one of ${SMOOTHINGS.join(', ')}, got "${options.smooth}"`);
      const path = existingCliPath(file, 'the evaluation set');
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new CliError(`Cannot read the evaluation set ${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const { parseEvalSet, EvalSetError } = await import('../../core/textEval/evalSet');
      const { evaluateTextRows } = await import('../../core/textEval/textEvaluation');
      const { logTextEvaluation } = await import('../../core/textEval/evalRunLogger');
      let rows;
      try {
        if (options.endpoint) {
          const { predictWithEndpoint } = await import('../../core/textEval/endpointPredictions');
          const token = options.endpointToken ?? process.env.MLOPS_ENDPOINT_TOKEN;
          rows = await predictWithEndpoint(parseEvalSet(text, file, { predictionOptional: true }), file, { url: options.endpoint, ...(token ? { token } : {}) });
        } else {
          rows = parseEvalSet(text, file);
        }
      } catch (error) {
        if (error instanceof EvalSetError) throw new CliError(error.message);
        throw error;
      }
      const rougeStemming = options.rougeStemmer ?? false;
      const evaluation = await evaluateTextRows(rows, { smoothing, lowercase: options.lowercase ?? false, rougeStemming });
      const log = async (tracking: TrackingStore, g: CliGlobalOptions, evaluatedModel?: string): Promise<string> => {
        const { readGitInfo } = await import('../../core/tracking/gitInfo');
        const git = await readGitInfo(resolve(g.workspace));
        return logTextEvaluation(tracking, rows, evaluation, {
          experimentName: options.experiment,
          ...(options.name ? { runName: options.name } : {}),
          datasetPath: file,
          smoothing,
          rougeStemming,
          source: 'mlops eval',
          ...(evaluatedModel ? { evaluatedModel } : {}),
          ...(options.endpoint ? { predictionsFrom: options.endpoint } : {}),
          ...(git ? { gitCommit: git.commit, gitDirty: git.dirty } : {}),
        });
      };
      const modelUri = options.model;
      // Linking needs the workspace registry: its holder (this process, or VS Code through its server) resolves the URI.
      const runId = modelUri
        ? await withWorkspaceEngine(program, async (engine, store, g) => {
            let version;
            try {
              version = await engine.call('feedback.resolveVersion', { uri: modelUri });
            } catch (error) {
              throw new CliError(`--model ${modelUri}: ${error instanceof Error ? error.message : String(error)}`);
            }
            return log(store.tracking, g, version.uri);
          })
        : await withTracking(program, (tracking, g) => log(tracking, g), { create: true });
      if (program.opts<{ json?: boolean }>().json) return printJson({ runId, metrics: evaluation.metrics });
      const rowsShown = SHOWN_METRICS.flatMap((key) => {
        const value = evaluation.metrics[key];
        return value === undefined ? [] : [[key, formatNumber(value)]];
      });
      printTable(['metric', 'value'], rowsShown);
      process.stdout.write(`${rows.length} rows · run ${runId} in experiment "${options.experiment}" (all metrics and eval/rows.jsonl logged there)\n`);
    });
}
