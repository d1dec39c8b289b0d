import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RunStatus } from '../../core/tracking/trackingTypes';
import { RUN_STATUSES } from '../../core/tracking/trackingTypes';
import { CliError } from '../cliContext';
import { existingCliPath } from '../cliPaths';
import { collect, parseKeyValues, printJson, resolveExperimentId, withTracking } from './trackingCliSupport';

/** Metric values from a shell: numbers plus nan, inf, +inf, -inf (any case). */
export function parseMetricValue(text: string): number {
  const lower = text.trim().toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new CliError(`"${text}" is not a number (use a number, nan, inf or -inf)`);
  return value;
}

function parseInteger(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new CliError(`${what} must be an integer, got "${text}"`);
  return n;
}

/**
 * `mlops log start|metric|param|tag|artifact|end`: tracking from shell scripts. `start` prints the
 * run id; the run belongs to the calling shell (its parent pid), so if the script dies without
 * `log end`, the next open of the store marks the run FAILED.
 */
export function registerLogCommand(program: Command): void {
  const log = program.command('log').description('log a run from a shell script: start, metric, param, tag, artifact, end');

  log
    .command('start')
    .description('start a run and print its id')
    .option('-e, --experiment <nameOrId>', 'experiment (created if it does not exist)', 'Default')
    .option('-n, --name <runName>', 'run name (default: a generated one)')
    .option('--parent <runId>', 'parent run (for trials of a search)')
    .option('--tag <key=value>', 'run tag (repeatable)', collect)
    .option('--source <name>', 'what is running, e.g. train.sh', process.env.MLOPS_SOURCE)
    .option('--owner-pid <pid>', 'process whose death fails the run (default: the calling shell; 0: none)')
    .action(async (options: { experiment: string; name?: string; parent?: string; tag?: string[]; source?: string; ownerPid?: string }) => {
      const ownerPid = parseInteger(options.ownerPid, '--owner-pid') ?? process.ppid;
      await withTracking(program, async (tracking, globals) => {
        const experimentId = await resolveExperimentId({ tracking }, options.experiment, { create: true });
        const { readGitInfo } = await import('../../core/tracking/gitInfo');
        const git = await readGitInfo(resolve(globals.workspace));
        const run = await tracking.createRun({
          experimentId,
          ...(options.name ? { runName: options.name } : {}),
          ...(options.parent ? { parentRunId: options.parent } : {}),
          tags: parseKeyValues(options.tag, '--tag'),
          source: { type: 'LOCAL', name: options.source ?? 'mlops CLI' },
          ...(git ? { gitCommit: git.commit, gitDirty: git.dirty } : {}),
          ownerPid: ownerPid > 0 ? ownerPid : null,
        });
        if (globals.json) return printJson(run);
        process.stdout.write(`${run.info.runId}\n`);
      }, { create: true });
    });

  log
    .command('metric <runId> <key> <value>')
    .description('log one metric point (value may be nan, inf, -inf)')
    .option('-s, --step <n>', 'step (default 0)')
    .option('--timestamp <ms>', 'milliseconds since the epoch (default now)')
    // "-inf" and "-1.5" are values, not options.
    .allowUnknownOption()
    .action(async (runId: string, key: string, value: string, options: { step?: string; timestamp?: string }) => {
      const step = parseInteger(options.step, '--step');
      const timestamp = parseInteger(options.timestamp, '--timestamp');
      const parsed = parseMetricValue(value);
      await withTracking(program, async (tracking) => {
        await tracking.logMetric(runId, { key, value: parsed, ...(step === undefined ? {} : { step }), ...(timestamp === undefined ? {} : { timestamp }) });
      });
    });

  log
    .command('param <runId> <key> <value>')
    .description('log a param (params cannot change once logged)')
    .action(async (runId: string, key: string, value: string) => {
      await withTracking(program, (tracking) => tracking.logParam(runId, key, value));
    });

  log
    .command('tag <runId> <key> <value>')
    .description('set a tag')
    .action(async (runId: string, key: string, value: string) => {
      await withTracking(program, (tracking) => tracking.setTag(runId, key, value));
    });

  log
    .command('artifact <runId> <localPath>')
    .description('copy a file or folder into the run\'s artifacts')
    .option('-p, --path <artifactPath>', 'where under the run\'s artifacts (default: the file name)')
    .action(async (runId: string, localPath: string, options: { path?: string }) => {
      await withTracking(program, (tracking) => tracking.logArtifact(runId, existingCliPath(localPath), options.path));
    });

  log
    .command('end <runId>')
    .description('end a run')
    .option('--status <status>', `FINISHED, FAILED or KILLED`, 'FINISHED')
    .action(async (runId: string, options: { status: string }) => {
      const status = options.status.toUpperCase() as RunStatus;
      if (!RUN_STATUSES.includes(status) || status === 'RUNNING' || status === 'SCHEDULED') {
        throw new CliError(`--status must be FINISHED, FAILED or KILLED, not "${options.status}"`);
      }
      await withTracking(program, (tracking) => tracking.updateRun(runId, { status }));
    });
}
