import * as vscode from 'vscode';
import type { EndpointsService } from '../endpoints/endpointsService';
import { openRegistry } from '../models/modelsTreeProvider';
import { trackingOf, type StoreService } from '../store/storeService';

/**
 * Context keys the walkthrough's steps complete on (`onContext:` completion events), so a step is
 * ticked by what the user achieved whichever way they got there (palette, a view's button, the
 * CLI, a Python script) rather than only by one command.
 */
export const WALKTHROUGH_CONTEXT = {
  hasRuns: 'mlops.walkthrough.hasRuns',
  hasModels: 'mlops.walkthrough.hasModels',
  hasEndpoints: 'mlops.walkthrough.hasEndpoints',
} as const;

type Progress = Record<keyof typeof WALKTHROUGH_CONTEXT, boolean>;

/**
 * Follows the store and the endpoints and sets the walkthrough's context keys. Never opens the
 * store by itself: it looks only when the store reports a change (which means it is open).
 */
export function trackWalkthroughProgress(storeService: StoreService, endpoints: EndpointsService, log: vscode.LogOutputChannel): vscode.Disposable {
  const done: Progress = { hasRuns: false, hasModels: false, hasEndpoints: false };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let checking = false;

  const set = (key: keyof Progress, value: boolean): void => {
    if (!value || done[key]) return;
    done[key] = true;
    void vscode.commands.executeCommand('setContext', WALKTHROUGH_CONTEXT[key], true);
  };

  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const access = await storeService.access();
      const tracking = trackingOf(access);
      if (!done.hasRuns && tracking) set('hasRuns', (await tracking.stats()).runs > 0);
      if (!done.hasModels && access.state === 'open') {
        const opened = await openRegistry(storeService);
        if ('registry' in opened) set('hasModels', opened.registry.listModels().length > 0);
      }
      if (!done.hasEndpoints) set('hasEndpoints', endpoints.running().length > 0);
    } catch (error: unknown) {
      log.debug(`walkthrough progress: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      checking = false;
    }
  };

  // Changes come in bursts (a training logs hundreds of metrics): look once they settle.
  const soon = (): void => {
    if (done.hasRuns && done.hasModels && done.hasEndpoints) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void check(), 1000);
  };

  const subscriptions = [storeService.onDidOpen(soon), storeService.onDidChange(soon), endpoints.onDidChange(soon)];
  return {
    dispose: (): void => {
      if (timer) clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
    },
  };
}
