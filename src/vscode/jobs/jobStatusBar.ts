import * as vscode from 'vscode';

export interface JobHandle {
  /** updates the job's one-line description ("epoch 3/60 · loss 0.12") */
  update(detail: string): void;
  /** removes the job from the status bar */
  end(): void;
  /** ties a tracked run to this job, so "Stop Run" on that run cancels the job */
  trackRun(runId: string, cancel: () => void): void;
}

export interface JobOptions {
  /** makes the job cancellable from the status bar ("MLOps: Cancel Running Job…") */
  readonly cancel?: () => void;
}

interface RunningJob {
  title: string;
  detail: string;
  runs: Map<string, () => void>;
  cancel?: () => void;
}

export const CANCEL_JOB_COMMAND = 'mlops.cancelJob';

/**
 * One status bar item for every long job of this window (training, tuning, scoring…): hidden when
 * nothing runs, a spinner with the job's progress when one does, a count when several do.
 * Clicking it shows the logs, or — when a job can be cancelled — a pick of jobs to cancel.
 */
export class JobStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlops.jobs', vscode.StatusBarAlignment.Left, 50);
  private readonly jobs = new Map<number, RunningJob>();
  private nextId = 1;
  private readonly cancelCommand: vscode.Disposable;

  constructor() {
    this.item.name = 'MLOps jobs';
    this.item.command = 'mlops.showLogs';
    this.cancelCommand = vscode.commands.registerCommand(CANCEL_JOB_COMMAND, () => this.pickJobToCancel());
  }

  start(title: string, options: JobOptions = {}): JobHandle {
    const id = this.nextId++;
    this.jobs.set(id, { title, detail: '', runs: new Map(), ...(options.cancel ? { cancel: options.cancel } : {}) });
    this.render();
    return {
      update: (detail) => {
        const job = this.jobs.get(id);
        if (!job) return;
        job.detail = detail;
        this.render();
      },
      end: () => {
        this.jobs.delete(id);
        this.render();
      },
      trackRun: (runId, cancel) => {
        this.jobs.get(id)?.runs.set(runId, cancel);
      },
    };
  }

  /** The title of this window's job that works on `runId`, if one does. */
  jobOfRun(runId: string): string | undefined {
    return [...this.jobs.values()].find((j) => j.runs.has(runId))?.title;
  }

  /** Cancels this window's job that works on `runId`; false when no job of this window does. */
  cancelRun(runId: string): boolean {
    const cancel = [...this.jobs.values()].map((j) => j.runs.get(runId)).find((c) => c !== undefined);
    cancel?.();
    return cancel !== undefined;
  }

  /** how many jobs are running (for tests and the dashboard) */
  get count(): number {
    return this.jobs.size;
  }

  private async pickJobToCancel(): Promise<void> {
    const cancellable = [...this.jobs.values()].filter((j) => j.cancel);
    if (cancellable.length === 0) {
      void vscode.window.showInformationMessage(this.jobs.size === 0 ? 'MLOps: no job is running.' : 'MLOps: the running jobs cannot be cancelled from here (a notification may have a Cancel button).');
      return;
    }
    type Pick = vscode.QuickPickItem & { job?: RunningJob };
    const items: Pick[] = [
      ...cancellable.map((job) => ({ label: `$(close) Cancel ${job.title}`, description: job.detail, job })),
      { label: '$(output) Show Logs' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'MLOps: running jobs' });
    if (!picked) return;
    if (picked.job) picked.job.cancel?.();
    else await vscode.commands.executeCommand('mlops.showLogs');
  }

  private render(): void {
    const jobs = [...this.jobs.values()];
    const first = jobs[0];
    if (!first) {
      this.item.hide();
      return;
    }
    const cancellable = jobs.some((j) => j.cancel);
    this.item.command = cancellable ? CANCEL_JOB_COMMAND : 'mlops.showLogs';
    this.item.text = jobs.length === 1 ? `$(sync~spin) ${first.title}${first.detail ? ` · ${first.detail}` : ''}` : `$(sync~spin) MLOps: ${jobs.length} jobs running`;
    const tooltip = new vscode.MarkdownString(jobs.map((j) => `**${j.title}**${j.detail ? ` — ${j.detail}` : ''}`).join('\n\n'));
    tooltip.appendMarkdown(cancellable ? '\n\n_Click to cancel a job or show the logs._' : '\n\n_Click to show the logs._');
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.cancelCommand.dispose();
    this.item.dispose();
  }
}
