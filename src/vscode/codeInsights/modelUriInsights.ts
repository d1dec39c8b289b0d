import * as vscode from 'vscode';
import type { UriResolution } from '../../core/registry/modelUriResolution';
import { findModelAndRunUris, uriAt, type UriMatch } from '../../core/registry/modelUriScan';
import type { Run } from '../../core/tracking/trackingTypes';
import { formatMetricValue, headlineMetric } from '../experiments/runHeadline';
import type { CodeInsightsData } from './codeInsightsData';

/** Files this big are data, not code: no scan. */
const MAX_SCANNED_CHARS = 2_000_000;
const METRICS_SHOWN = 6;

/**
 * Hover on `models:/NAME@ALIAS|/VERSION` or `runs:/ID/…` in any file: the version (aliases, who
 * registered it, its run's metrics) or the run. Nothing is read until the pointer is on a URI.
 */
export class ModelUriHoverProvider implements vscode.HoverProvider {
  constructor(private readonly data: CodeInsightsData) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const line = document.lineAt(position.line).text;
    const match = uriAt(line, position.character);
    if (!match) return undefined;
    const resolution = await this.data.resolve(match);
    if (!resolution) return undefined;
    const range = new vscode.Range(position.line, match.start, position.line, match.end);
    return new vscode.Hover(hoverText(match, resolution), range);
  }
}

/** Ctrl+click on a URI opens the version's model card or the run. */
export class ModelUriLinkProvider implements vscode.DocumentLinkProvider {
  private readonly matches = new WeakMap<vscode.DocumentLink, UriMatch>();

  constructor(private readonly data: CodeInsightsData) {}

  provideDocumentLinks(document: vscode.TextDocument): vscode.DocumentLink[] {
    const text = document.getText();
    if (text.length > MAX_SCANNED_CHARS) return [];
    return findModelAndRunUris(text).map((match) => {
      const link = new vscode.DocumentLink(new vscode.Range(document.positionAt(match.start), document.positionAt(match.end)));
      this.matches.set(link, match);
      return link;
    });
  }

  // Resolved only when the user hovers or clicks the link, so listing links reads nothing.
  async resolveDocumentLink(link: vscode.DocumentLink): Promise<vscode.DocumentLink> {
    const match = this.matches.get(link);
    const resolution = match ? await this.data.resolve(match) : undefined;
    if (resolution?.kind === 'version') {
      link.target = commandUri('mlops.openModelCard', { name: resolution.version.name, version: resolution.version.version });
      link.tooltip = `Open the model card of ${resolution.version.name} version ${resolution.version.version}`;
    } else if (resolution?.kind === 'run') {
      link.target = commandUri('mlops.openRun', { runId: resolution.run.info.runId });
      link.tooltip = `Open run ${resolution.run.info.runName}`;
    }
    return link;
  }
}

/**
 * Underlines a `models:/` URI that resolves to nothing (no such model, version or alias), with
 * the registry's message naming what exists. Only files that mention `models:/` cost a lookup.
 */
export function registerModelUriDiagnostics(data: CodeInsightsData): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('mlops-model-uri');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const check = async (document: vscode.TextDocument): Promise<void> => {
    if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return;
    const text = document.getText();
    const version = document.version;
    if (text.length > MAX_SCANNED_CHARS || !text.includes('models:/')) {
      collection.delete(document.uri);
      return;
    }
    const matches = findModelAndRunUris(text).filter((m) => m.kind === 'model');
    const diagnostics: vscode.Diagnostic[] = [];
    for (const match of matches) {
      const resolution = await data.resolve(match);
      if (resolution?.kind !== 'unresolved') continue;
      const diagnostic = new vscode.Diagnostic(new vscode.Range(document.positionAt(match.start), document.positionAt(match.end)), resolution.message, vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'MLOps model registry';
      diagnostics.push(diagnostic);
    }
    // Typed on meanwhile: the next check reports on the new text.
    if (document.version !== version || document.isClosed) return;
    collection.set(document.uri, diagnostics);
  };
  const schedule = (document: vscode.TextDocument, delay: number): void => {
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void check(document);
      }, delay),
    );
  };
  const checkAll = (): void => {
    for (const document of vscode.workspace.textDocuments) schedule(document, 0);
  };
  checkAll();
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument((d) => schedule(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document, 400)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      clearTimeout(timers.get(d.uri.toString()));
      collection.delete(d.uri);
    }),
    // A model registered or an alias moved: what was missing may exist now, and the reverse.
    data.onDidChange(checkAll),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
}

function commandUri(command: string, argument: unknown): vscode.Uri {
  return vscode.Uri.parse(`command:${command}?${encodeURIComponent(JSON.stringify([argument]))}`);
}

function hoverText(match: UriMatch, resolution: UriResolution): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  md.isTrusted = { enabledCommands: ['mlops.openModelCard', 'mlops.openRun'] };
  if (resolution.kind === 'unresolved') {
    md.appendMarkdown(`$(warning) ${escape(resolution.message)}`);
    return md;
  }
  if (resolution.kind === 'version') {
    const v = resolution.version;
    const aliases = v.aliases.length > 0 ? v.aliases.map((a) => `\`@${a}\``).join(' ') : 'no alias';
    md.appendMarkdown(`**${escape(v.name)}** version **${v.version}** · ${aliases}\n\n`);
    md.appendMarkdown(`Registered by ${escape(v.createdBy || 'unknown')} on ${new Date(v.creationTime).toLocaleString()}${v.currentStage !== 'None' ? ` · stage ${v.currentStage}` : ''}\n\n`);
    if (v.description) md.appendMarkdown(`${escape(v.description.slice(0, 300))}\n\n`);
    if (resolution.run) md.appendMarkdown(metricsTable(resolution.run));
    else md.appendMarkdown('_Its run is no longer in this store._\n\n');
    md.appendMarkdown(`[Open model card](${commandUri('mlops.openModelCard', { name: v.name, version: v.version }).toString()})`);
    md.appendMarkdown(` · [Open run](${commandUri('mlops.openRun', { runId: v.runId }).toString()})`);
    return md;
  }
  const run = resolution.run;
  const path = match.kind === 'run' && match.path ? ` · artifact \`${match.path}\`` : '';
  md.appendMarkdown(`Run **${escape(run.info.runName)}** · ${run.info.status.toLowerCase()} · ${new Date(run.info.startTime).toLocaleString()}${path}\n\n`);
  md.appendMarkdown(metricsTable(run));
  md.appendMarkdown(`[Open run](${commandUri('mlops.openRun', { runId: run.info.runId }).toString()})`);
  return md;
}

/** The headline metric first, then test metrics, then the rest; a few rows. */
function metricsTable(run: Run): string {
  const head = headlineMetric(run)?.key;
  const rank = (key: string): number => (key === head ? 0 : key.startsWith('test_') && !key.startsWith('test_confusion') ? 1 : key.startsWith('val_') ? 2 : 3);
  const metrics = [...run.data.metrics].filter((m) => !m.key.startsWith('test_confusion')).sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key)).slice(0, METRICS_SHOWN);
  if (metrics.length === 0) return '_No metrics logged._\n\n';
  return `| metric | value |\n| --- | ---: |\n${metrics.map((m) => `| ${escape(m.key)} | ${formatMetricValue(m.value)} |`).join('\n')}\n\n`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
