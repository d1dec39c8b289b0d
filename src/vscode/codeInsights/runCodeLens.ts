import * as vscode from 'vscode';
import type { Run } from '../../core/tracking/trackingTypes';
import { headlineMetric } from '../experiments/runHeadline';
import type { CodeInsightsData } from './codeInsightsData';

export const TRAIN_SPEC_FILE = /\.train\.ya?ml$/i;
const START_RUN = /\bmlflow\.start_run\(/g;

/**
 * Above a *.train.yaml and above `mlflow.start_run(` in Python: the latest run's headline metric
 * (a click opens the run), Train / Run as experiment, and Compare last runs.
 */
export class RunCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly data: CodeInsightsData) {
    this.onDidChangeCodeLenses = data.onDidChange;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (document.uri.scheme !== 'file') return [];
    if (TRAIN_SPEC_FILE.test(document.uri.path)) {
      const runs = await this.data.runsOfSpec(document.uri.fsPath);
      const top = new vscode.Range(0, 0, 0, 0);
      return [...runLenses(top, runs), new vscode.CodeLens(top, { title: '$(play) Train', command: 'mlops.trainModel', arguments: [document.uri], tooltip: 'Train a model from this spec as a new run' }), ...compareLens(top, runs)];
    }
    if (document.languageId !== 'python' && !document.uri.path.endsWith('.py')) return [];
    const text = document.getText();
    if (!text.includes('mlflow.start_run(')) return [];
    const runs = await this.data.runsOfScript(document.uri.fsPath);
    const lenses: vscode.CodeLens[] = [];
    for (const match of text.matchAll(START_RUN)) {
      const at = document.positionAt(match.index);
      const range = new vscode.Range(at.line, 0, at.line, 0);
      lenses.push(...runLenses(range, runs), new vscode.CodeLens(range, { title: '$(play) Run as experiment', command: 'mlops.runScript', arguments: [document.uri], tooltip: 'Run this script as a tracked run' }), ...compareLens(range, runs));
    }
    return lenses;
  }
}

/** The latest run's headline metric (or its state), a click opens it. */
function runLenses(range: vscode.Range, runs: readonly Run[]): vscode.CodeLens[] {
  const latest = runs[0];
  if (!latest) return [new vscode.CodeLens(range, { title: 'No runs yet', command: '' })];
  const finished = latest.info.status === 'FINISHED' ? latest : undefined;
  const headline = finished ? headlineMetric(finished) : undefined;
  const when = timeAgo(latest.info.startTime);
  const title = headline
    ? `$(graph) ${headline.key} ${headline.text} · ${latest.info.runName} · ${when}`
    : `$(history) latest run ${latest.info.runName} ${latest.info.status.toLowerCase()} · ${when}`;
  return [new vscode.CodeLens(range, { title, command: 'mlops.openRun', arguments: [{ runId: latest.info.runId }], tooltip: `Open run ${latest.info.runName} (${latest.info.runId})` })];
}

function compareLens(range: vscode.Range, runs: readonly Run[]): vscode.CodeLens[] {
  const [a, b] = runs;
  if (!a || !b) return [];
  // compareRuns takes the Experiments view's nodes: the clicked one and the selection.
  const nodes = [b, a].map((run) => ({ kind: 'run' as const, run }));
  return [new vscode.CodeLens(range, { title: '$(diff) Compare last runs', command: 'mlops.compareRuns', arguments: [nodes[0], nodes], tooltip: `Compare ${b.info.runName} with ${a.info.runName}` })];
}

function timeAgo(time: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
