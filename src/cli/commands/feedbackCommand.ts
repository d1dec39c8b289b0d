import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { EngineClient } from '../../core/engine/engineClient';
import type { Thumb } from '../../core/feedback/feedbackTypes';
import type { CliGlobalOptions } from '../cliContext';
import { cliPath } from '../cliPaths';
import { CliError } from '../cliContext';
import { withWorkspaceEngine } from './monitoringEngine';
import { formatTime, printJson, printTable } from './trackingCliSupport';

/** The feedback commands' store: the engine of whichever process holds it (this one, or VS Code through its server). */
async function withFeedback<T>(program: Command, action: (engine: EngineClient, globals: CliGlobalOptions) => Promise<T>): Promise<T> {
  const { FeedbackError } = await import('../../core/feedback/feedbackTypes');
  return withWorkspaceEngine(program, async (engine, _store, globals) => {
    try {
      return await action(engine, globals);
    } catch (error) {
      if (error instanceof FeedbackError) throw new CliError(error.message);
      throw error;
    }
  });
}

/** `models:/NAME/VERSION` or `models:/NAME@alias` → the version, or undefined for a run id. */
async function modelVersionOf(engine: EngineClient, target: string): Promise<{ name: string; version: number; uri: string } | undefined> {
  if (!target.startsWith('models:/')) return undefined;
  try {
    return await engine.call('feedback.resolveVersion', { uri: target });
  } catch (error) {
    throw new CliError(`${target}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseRow(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new CliError(`ROW must be a row index (0, 1, 2, …), got "${text}"`);
  return n;
}

/** `mlops feedback add|list|summary|export`: human judgements of an evaluation run's rows. */
export function registerFeedbackCommand(program: Command): void {
  const feedback = program.command('feedback').description('human feedback on the rows of an evaluation run (add, list, summary, export), and on the answers of a model version\'s endpoints (list, summary)');

  feedback
    .command('add')
    .description('rate a row (saved per reviewer; rating again replaces it) and refresh the run\'s feedback metrics')
    .argument('<runId>')
    .argument('<row>', 'row index in eval/rows.jsonl (0-based)')
    .option('-r, --rating <1-5>', 'rating from 1 to 5')
    .option('--up', 'thumbs up')
    .option('--down', 'thumbs down')
    .option('-l, --label <label>', 'label, e.g. hallucination')
    .option('-c, --comment <text>', 'comment')
    .option('--reviewer <name>', 'who reviews (default: git user.name, else the OS user)')
    .action(async (runId: string, rowText: string, options: { rating?: string; up?: boolean; down?: boolean; label?: string; comment?: string; reviewer?: string }) => {
      const rowIndex = parseRow(rowText);
      if (options.up && options.down) throw new CliError('Give --up or --down, not both');
      const rating = options.rating === undefined ? undefined : Number(options.rating);
      const thumb: Thumb | undefined = options.up ? 'up' : options.down ? 'down' : undefined;
      if (rating === undefined && thumb === undefined && options.label === undefined && options.comment === undefined) {
        throw new CliError('Nothing to save: give --rating, --up/--down, --label or --comment');
      }
      await withFeedback(program, async (engine, globals) => {
        const { resolveActor } = await import('../../core/registry/registryActor');
        const reviewer = options.reviewer ?? (await resolveActor(resolve(globals.workspace)));
        const { entry } = await engine.call('feedback.save', {
          input: {
            runId,
            rowIndex,
            reviewer,
            ...(rating !== undefined ? { rating } : {}),
            ...(thumb !== undefined ? { thumb } : {}),
            ...(options.label !== undefined ? { label: options.label } : {}),
            ...(options.comment !== undefined ? { comment: options.comment } : {}),
          },
        });
        if (globals.json) return printJson(entry);
        process.stdout.write(`Saved feedback by ${reviewer} on row ${rowIndex} of run ${runId}\n`);
      });
    });

  feedback
    .command('list')
    .description('all feedback on a run, or posted to endpoints about a model version (models:/NAME/VERSION or @alias)')
    .argument('<runId|modelUri>')
    .action(async (runId: string) => {
      await withFeedback(program, async (engine, globals) => {
        const model = await modelVersionOf(engine, runId);
        if (model) {
          const posted = await engine.call('feedback.versionEndpointEntries', { name: model.name, version: model.version });
          if (globals.json) return printJson(posted);
          if (posted.length === 0) return void process.stdout.write(`No feedback posted to endpoints about ${model.uri} yet\n`);
          printTable(
            ['request', 'endpoint', 'rating', 'label', 'time', 'comment'],
            posted.map((e) => [e.requestId, e.endpoint, e.rating === null ? '-' : String(e.rating), e.label ?? '-', formatTime(e.updatedAt), e.comment ?? '']),
          );
          return;
        }
        const { entries } = await engine.call('feedback.run', { runId });
        if (globals.json) return printJson(entries);
        if (entries.length === 0) return void process.stdout.write(`No feedback on run ${runId} yet\n`);
        printTable(
          ['row', 'reviewer', 'rating', 'thumb', 'label', 'time', 'comment'],
          entries.map((e) => [String(e.rowIndex), e.reviewer, e.rating === null ? '-' : String(e.rating), e.thumb ?? '-', e.label ?? '-', formatTime(e.updatedAt), e.comment ?? '']),
        );
      });
    });

  feedback
    .command('summary')
    .description('aggregates of a run\'s feedback (also logged as its feedback_* metrics), or of a model version: endpoint feedback and its text evaluations with BLEU/ROUGE side by side')
    .argument('<runId|modelUri>', 'a run id, or models:/NAME/VERSION (or models:/NAME@alias)')
    .action(async (runId: string) => {
      await withFeedback(program, async (engine, globals) => {
        const model = await modelVersionOf(engine, runId);
        if (model) {
          const summary = await engine.call('feedback.versionSummary', { name: model.name, version: model.version });
          if (globals.json) return printJson({ model: model.uri, ...summary });
          const { printVersionFeedback } = await import('./versionFeedbackText');
          printVersionFeedback(model.uri, summary);
          return;
        }
        const s = (await engine.call('feedback.run', { runId })).summary;
        if (globals.json) return printJson(s);
        printTable(['feedback', 'value'], [
          ['rows with feedback', String(s.count)],
          ['mean rating', s.meanRating === null ? '-' : `${s.meanRating.toFixed(2)} (${s.ratedCount} ratings)`],
          ['thumbs up', s.thumbsUpShare === null ? '-' : `${(s.thumbsUpShare * 100).toFixed(1)}% of ${s.thumbsCount}`],
          ['labels', Object.entries(s.labels).map(([l, n]) => `${l} ${n}`).join(', ') || '-'],
        ]);
      });
    });

  feedback
    .command('export')
    .description('export a run\'s feedback as CSV or JSONL')
    .argument('<runId>')
    .option('-f, --format <format>', 'csv or jsonl', 'csv')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (runId: string, options: { format: string; output?: string }) => {
      if (options.format !== 'csv' && options.format !== 'jsonl') throw new CliError(`--format must be csv or jsonl, got "${options.format}"`);
      const { feedbackToCsv, feedbackToJsonl } = await import('../../core/feedback/feedbackExport');
      await withFeedback(program, async (engine) => {
        const { entries } = await engine.call('feedback.run', { runId });
        const text = options.format === 'csv' ? feedbackToCsv(entries) : feedbackToJsonl(entries);
        if (!options.output) return void process.stdout.write(text);
        const path = cliPath(options.output);
        await writeFile(path, text, 'utf8');
        process.stderr.write(`mlops: wrote ${entries.length} feedback rows to ${path}\n`);
      });
    });
}
