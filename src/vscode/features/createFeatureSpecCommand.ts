import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';

/** The header of a CSV/TSV (first 64 KB), or [] for other formats. */
async function headerColumns(file: string): Promise<string[]> {
  if (!/\.(csv|tsv)$/i.test(file)) return [];
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const first = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
    return first.split(file.toLowerCase().endsWith('.tsv') ? '\t' : ',').map((c) => c.trim().replace(/^"|"$/g, '')).filter((c) => c !== '');
  } finally {
    await handle.close();
  }
}

/** "MLOps: Create Feature Definitions": a commented features.yaml next to a chosen data file, opened for editing. */
export function registerCreateFeatureSpecCommand(): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.createFeatureSpec', async (uri?: vscode.Uri) => {
    let data = uri?.fsPath;
    if (!data) {
      const found = await vscode.workspace.findFiles('**/*.{csv,tsv,parquet,pq}', '{**/node_modules/**,**/.mlops/**}', 200);
      const browse = { label: '$(folder-opened) Browse…', file: '' };
      const picked = await vscode.window.showQuickPick([...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), file: u.fsPath })), browse], {
        title: 'Create features.yaml: which data file holds the events (key and event-time columns)?',
      });
      if (!picked) return;
      data = picked.file;
      if (!data) {
        const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Data files': ['csv', 'tsv', 'parquet', 'pq'] }, openLabel: 'Use as source' });
        data = chosen?.[0]?.fsPath;
      }
    }
    if (!data) return;
    const target = join(dirname(data), 'features.yaml');
    if (existsSync(target)) {
      void vscode.window.showInformationMessage(`MLOps: ${vscode.workspace.asRelativePath(target)} exists already; opened it.`);
      await vscode.window.showTextDocument(vscode.Uri.file(target));
      return;
    }
    const { featureSpecTemplate } = await import('../../core/features/featureSpecTemplate');
    const text = featureSpecTemplate(basename(data), await headerColumns(data).catch(() => []));
    await vscode.workspace.fs.writeFile(vscode.Uri.file(target), Buffer.from(text, 'utf8'));
    await vscode.window.showTextDocument(vscode.Uri.file(target));
  });
}
