import * as vscode from 'vscode';
import { EXTENSION_ID, WALKTHROUGH_ID } from '../commands/workbenchCommands';
import type { EndpointsService } from '../endpoints/endpointsService';
import { engineOf, trackingOf, type StoreService } from '../store/storeService';

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

/** The walkthrough step each context key completes (ids in package.json's walkthrough). */
const STEP_OF: Record<keyof typeof WALKTHROUGH_CONTEXT, string> = {
  hasRuns: 'trainModel',
  hasModels: 'registerModel',
  hasEndpoints: 'serveModel',
};

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
    // VS Code ignores an `onContext:` event whose key was already true when it registered the
    // walkthrough (it records the event without ticking the step, and never looks again), and
    // this extension often knows before that happens. Its own "mark step complete" command,
    // the one behind the walkthrough's checkboxes, ticks the step whatever the order.
    vscode.commands.executeCommand('welcome.markStepComplete', `${EXTENSION_ID}#${WALKTHROUGH_ID}#${STEP_OF[key]}`).then(undefined, (error: unknown) =>
      log.debug(`walkthrough: could not mark ${STEP_OF[key]} done: ${error instanceof Error ? error.message : String(error)}`),
    );
  };

  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const access = await storeService.access();
      const tracking = trackingOf(access);
      if (!done.hasRuns && tracking) set('hasRuns', (await tracking.stats()).runs > 0);
      // Through the engine: this window's store, or the one another window or the CLI holds.
      const engine = engineOf(access);
      if (!done.hasModels && engine) set('hasModels', (await engine.call('registry.models', {})).length > 0);
      if (!done.hasEndpoints) {
        // the engine's endpoints, read once if no view has yet
        await endpoints.loadOnce();
        set('hasEndpoints', endpoints.running().length > 0);
      }
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
