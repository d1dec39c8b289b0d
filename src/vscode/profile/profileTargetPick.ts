import { basename, extname } from 'node:path';
import * as vscode from 'vscode';

/** Files whose column names can be read from the header or the footer without reading the data. */
const COLUMNS_CHEAP = new Set(['.csv', '.tsv', '.txt', '.parquet']);
const NO_TARGET = '(no target)';

/**
 * The target column for association and leakage hints: a quick pick of the file's columns when
 * they can be read cheaply, else a free-text box. null = no target; undefined = dismissed.
 */
export async function pickProfileTarget(path: string, current: string | null): Promise<string | null | undefined> {
  let columns: string[] | undefined;
  if (COLUMNS_CHEAP.has(extname(path).toLowerCase())) {
    try {
      const { readDatasetColumns } = await import('../training/datasetColumns');
      columns = (await readDatasetColumns(path)).filter((c) => c !== '');
    } catch {
      columns = undefined; // a malformed header: the profile itself will say what is wrong and where
    }
  }
  const title = `Profile ${basename(path)}: target column`;
  if (!columns || columns.length === 0) {
    const typed = await vscode.window.showInputBox({ title, prompt: 'Target column for association and leakage hints (leave empty for none)', placeHolder: 'e.g. label', value: current ?? '' });
    if (typed === undefined) return undefined;
    return typed.trim() === '' ? null : typed.trim();
  }
  const items: vscode.QuickPickItem[] = [{ label: NO_TARGET, description: 'no association or leakage hints' }, ...columns.map((label) => ({ label, ...(label === current ? { description: 'current target' } : {}) }))];
  const picked = await new Promise<vscode.QuickPickItem | undefined>((resolve) => {
    const quickPick = vscode.window.createQuickPick();
    quickPick.title = title;
    quickPick.placeholder = 'The column to predict: each column\'s association with it, and leakage hints';
    quickPick.items = items;
    const active = items.find((i) => i.label === (current ?? NO_TARGET));
    if (active) quickPick.activeItems = [active];
    let chosen: vscode.QuickPickItem | undefined;
    quickPick.onDidAccept(() => {
      chosen = quickPick.selectedItems[0] ?? quickPick.activeItems[0];
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      quickPick.dispose();
      resolve(chosen);
    });
    quickPick.show();
  });
  if (!picked) return undefined;
  return picked.label === NO_TARGET ? null : picked.label;
}
