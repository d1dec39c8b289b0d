import type { PanelContract } from '../../src/protocol/rpc';
import { HostConnection } from './hostConnection';
import { getVsCodeApi, type VsCodeApi } from './vscodeApi';

export interface PanelStart<C extends PanelContract, State> {
  readonly api: VsCodeApi<State>;
  readonly host: HostConnection<C>;
  /** the shell's <main id="app">, emptied of its "Loading…" placeholder */
  readonly root: HTMLElement;
}

/**
 * What every panel's main.ts does first: the VS Code API, a typed connection to the host, the
 * panel's own styles (allowed by the CSP's style-src 'unsafe-inline'), and the app root.
 */
export function startPanel<C extends PanelContract, State>(styles?: string): PanelStart<C, State> {
  const api = getVsCodeApi<State>();
  const host = new HostConnection<C>(api);
  if (styles) {
    const style = document.createElement('style');
    style.textContent = styles;
    document.head.append(style);
  }
  const root = document.getElementById('app');
  if (!root) throw new Error('the panel shell has no #app element');
  root.replaceChildren();
  return { api, host, root };
}
