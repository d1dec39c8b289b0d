import * as vscode from 'vscode';

export interface JobHandle {
  /** updates the job's one-line description ("epoch 3/60 · loss 0.12") */
  update(detail: string): void;
  /** removes the job from the status bar */
  end(): void;
  /** ties a tracked run to this job, so "Stop Run" on that run cancels the job */
  trackRun(runId: string, cancel: () => void): void;
}

interface RunningJob {
  title: string;
  detail: string;
  runs: Map<string, () => void>;
}

/**
 * One status bar item for every long job of this window (training, tuning, scoring…): hidden when
 * nothing runs, a spinner with the job's progress when one does, a count when several do.
 * Clicking it shows the logs.
 */
export class JobStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlops.jobs', vscode.StatusBarAlignment.Left, 50);
  private readonly jobs = new Map<number, RunningJob>();
  private nextId = 1;

  constructor() {
    this.item.name = 'MLOps jobs';
    this.item.command = 'mlops.showLogs';
  }

  start(title: string): JobHandle {
    const id = this.nextId++;
    this.jobs.set(id, { title, detail: '', runs: new Map() });
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

  private render(): void {
    const jobs = [...this.jobs.values()];
    const first = jobs[0];
    if (!first) {
      this.item.hide();
      return;
    }
    this.item.text = jobs.length === 1 ? `$(sync~spin) ${first.title}${first.detail ? ` · ${first.detail}` : ''}` : `$(sync~spin) MLOps: ${jobs.length} jobs running`;
    const tooltip = new vscode.MarkdownString(jobs.map((j) => `**${j.title}**${j.detail ? ` — ${j.detail}` : ''}`).join('\n\n'));
    tooltip.appendMarkdown('\n\n_Click to show the logs._');
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
