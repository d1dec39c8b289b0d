import * as vscode from 'vscode';
import { PROFILE_EDITOR_VIEW_TYPE } from '../../protocol/profile/profileContract';
import type { ProfilePanelDependencies } from './profilePanel';

/**
 * "Open With… MLOps Data Profile" on a CSV, TSV, Parquet or JSON Lines file: the profile panel in
 * the editor (read-only: the file is never changed). The panel loads on first use, not at activation.
 */
export function registerProfileEditor(deps: ProfilePanelDependencies): vscode.Disposable {
  const provider: vscode.CustomReadonlyEditorProvider = {
    openCustomDocument: (uri) => ({ uri, dispose: () => undefined }),
    resolveCustomEditor: async (document, webviewPanel) => {
      const { ProfilePanel } = await import('./profilePanel');
      ProfilePanel.attach(webviewPanel, document.uri, null, deps);
    },
  };
  return vscode.window.registerCustomEditorProvider(PROFILE_EDITOR_VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: true });
}
