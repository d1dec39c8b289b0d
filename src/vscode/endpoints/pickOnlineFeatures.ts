import * as vscode from 'vscode';
import type { OnlineFeaturesChoice } from '../../core/serving/endpointTypes';
import type { EngineClient } from '../../core/engine/engineClient';

interface ViewItem extends vscode.QuickPickItem {
  file: string;
  view: string;
}

function ttlText(ms: number | null): string {
  if (ms === null) return 'no TTL';
  return ms % 86_400_000 === 0 ? `TTL ${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `TTL ${ms / 3_600_000}h` : `TTL ${Math.round(ms / 1000)}s`;
}

/**
 * "Look up online features?" for Serve Model: the materialized feature views of the workspace's
 * features files whose features are inputs of the model, the ones it was trained from (lineage)
 * picked. Asked only when such views exist; resolves to no choice then (the endpoint manager's default), to false
 * when none is picked, and to undefined when the user cancels. The model's signature and lineage
 * come from the engine (whichever process holds the store); the features files are read here.
 */
export async function pickOnlineFeatures(engine: EngineClient, uri: string, log: vscode.LogOutputChannel): Promise<{ features?: OnlineFeaturesChoice | false } | undefined> {
  const context = await engine.call('features.servingContext', { uri });
  const signature = context.signature;
  if (!signature) return {};
  const { loadFeatureRepo } = await import('../../core/features/featureSpecParser');
  const { matchFeatureViews } = await import('../../core/serving/onlineFeatureChoice');
  const trainedFrom = new Set(context.trainedFrom);
  const items: (ViewItem | (vscode.QuickPickItem & { kind: vscode.QuickPickItemKind.Separator }))[] = [];
  const files = await vscode.workspace.findFiles('**/*features.{yaml,yml}', '**/node_modules/**', 20);
  for (const file of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
    let matches;
    try {
      matches = matchFeatureViews(await loadFeatureRepo(file.fsPath), signature, context.storeDir);
    } catch (error) {
      log.warn(`Serve Model: ${file.fsPath} is skipped: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    // A view never materialized has no values to look up: offering it cannot help.
    const usable = matches.filter((m) => m.materialized);
    if (usable.length < matches.length) {
      log.info(`Serve Model: not offering ${matches.filter((m) => !m.materialized).map((m) => m.view.name).join(', ')} of ${file.fsPath} for online lookups: not materialized yet`);
    }
    if (usable.length === 0) continue;
    items.push({ label: vscode.workspace.asRelativePath(file), kind: vscode.QuickPickItemKind.Separator });
    for (const m of usable) {
      items.push({
        label: m.view.name,
        description: `fills ${m.inputs.join(', ')} · by ${m.view.joinKeys.join(' + ')} · ${ttlText(m.view.ttlMs)}${trainedFrom.has(m.view.name) ? ' · trained from it' : ''}`,
        picked: trainedFrom.has(m.view.name),
        file: file.fsPath,
        view: m.view.name,
      });
    }
  }
  if (items.length === 0) return {};
  const picked = await vscode.window.showQuickPick(items, {
    title: `MLOps: Look up online features for ${uri}?`,
    placeHolder: 'Fill inputs a request leaves out from these views (none: no lookups)',
    canPickMany: true,
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  const views = picked.filter((p): p is ViewItem => 'view' in p);
  if (views.length === 0) return { features: false };
  const file = views[0]?.file as string;
  if (views.some((v) => v.file !== file)) {
    void vscode.window.showErrorMessage('MLOps: an endpoint looks up feature views of one features file: pick views of one file only.');
    return undefined;
  }
  return { features: { file, views: views.map((v) => v.view) } };
}
