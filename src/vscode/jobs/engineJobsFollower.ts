import * as vscode from 'vscode';
import type { EngineClient } from '../../core/engine/engineClient';
import type { EngineJobFailure, EngineJobInfo } from '../../core/engine/engineJobs';
import { engineOf, type StoreService } from '../store/storeService';
import type { JobStatusBar } from './jobStatusBar';

/** How long each status request may wait in the engine for news. */
const WAIT_MS = 20_000;

/** What the window needs of any kind of job's status to show it. */
interface JobNews {
  readonly next: number;
  readonly done: boolean;
  readonly latest?: string;
  readonly failure?: EngineJobFailure;
  /** the run a training made, to open */
  readonly runId?: string;
}

async function newsOf(engine: EngineClient, job: EngineJobInfo, from: number): Promise<JobNews> {
  const asked = { jobId: job.jobId, from, waitMs: WAIT_MS };
  if (job.kind === 'training') {
    const status = await engine.call('training.status', asked);
    return { ...status, ...(status.result ? { runId: status.result.runId } : {}) };
  }
  if (job.kind === 'tuning') {
    const status = await engine.call('tuning.status', asked);
    return { ...status, ...(status.result ? { runId: status.result.studyRunId } : {}) };
  }
  return engine.call('search.status', asked);
}

function cancel(engine: EngineClient, job: EngineJobInfo): void {
  const method = job.kind === 'training' ? 'training.cancel' : job.kind === 'tuning' ? 'tuning.cancel' : 'search.cancel';
  void engine.call(method, { jobId: job.jobId }).catch(() => undefined);
}

function titleOf(job: EngineJobInfo): string {
  const name = job.label.replace(/\.(train|tune)\.ya?ml$/i, '');
  return job.kind === 'training' ? `Training ${name}` : job.kind === 'tuning' ? `Tuning ${name}` : `Finding the best model for ${name}`;
}

/**
 * Jobs running in the engine that this window did not start — it was reloaded in the middle of a
 * training, or a terminal started one: each shows in the status bar with its progress, can be
 * cancelled from there, and says how it ended. (A job this window starts, it follows itself.)
 */
export class EngineJobsFollower implements vscode.Disposable {
  private readonly followed = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly storeService: StoreService,
    private readonly jobs: JobStatusBar,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = storeService.onDidOpen(() => void this.reattach());
  }

  private async reattach(): Promise<void> {
    // Only what was already running when this window connected: what it starts from now on, it follows itself.
    const connectedAt = Date.now();
    const engine = engineOf(await this.storeService.access());
    if (!engine) return;
    const running = await engine.call('jobs.running', {}).catch(() => []);
    for (const job of running) {
      if (job.startedAt < connectedAt && !this.followed.has(job.jobId)) void this.follow(engine, job);
    }
  }

  private async follow(engine: EngineClient, job: EngineJobInfo): Promise<void> {
    this.followed.add(job.jobId);
    const title = titleOf(job);
    const handle = this.jobs.start(`${title} (in the engine)`, { cancel: () => cancel(engine, job) });
    handle.update(job.latest ?? 'running');
    this.log.info(`${title}: running in the MLOps engine since ${new Date(job.startedAt).toLocaleTimeString()}; following it here`);
    try {
      let from = 0;
      for (;;) {
        const news = await newsOf(engine, job, from);
        from = news.next;
        if (news.latest) handle.update(news.latest);
        if (!news.done) continue;
        this.announce(title, news);
        return;
      }
    } catch (error) {
      this.log.warn(`${title}: lost track of it (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      handle.end();
      this.followed.delete(job.jobId);
    }
  }

  private announce(title: string, news: JobNews): void {
    const failure = news.failure;
    if (failure?.kind === 'cancelled') {
      void vscode.window.showInformationMessage(`MLOps: ${title.toLowerCase()} was cancelled.`);
      return;
    }
    if (failure) {
      const why = 'message' in failure ? failure.message : `${failure.file}: ${failure.issues[0]?.message ?? 'invalid spec'}`;
      this.log.error(`${title}: ${why}`);
      void vscode.window.showErrorMessage(`MLOps: ${title.toLowerCase()} failed: ${why}`, 'Show Logs').then((c) => c && this.log.show(true));
      return;
    }
    this.log.info(`${title}: finished${news.latest ? ` — ${news.latest}` : ''}`);
    const runId = news.runId;
    void vscode.window.showInformationMessage(`MLOps: ${title.toLowerCase()} finished${news.latest ? ` — ${news.latest}` : ''}.`, ...(runId ? ['Open Run'] : [])).then((choice) => {
      if (choice === 'Open Run' && runId) void vscode.commands.executeCommand('mlops.openRun', { runId });
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
