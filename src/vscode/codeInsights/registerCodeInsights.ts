import * as vscode from 'vscode';
import type { StoreService } from '../store/storeService';
import { CodeInsightsData } from './codeInsightsData';
import { ModelUriHoverProvider, ModelUriLinkProvider, registerModelUriDiagnostics } from './modelUriInsights';
import { RunCodeLensProvider } from './runCodeLens';

/**
 * The editor side of runs and models: CodeLenses over specs and `mlflow.start_run(`, hovers,
 * Ctrl+click and diagnostics on model and run URIs. Registering reads nothing; the store is
 * asked only when such a file or URI is on screen.
 */
export function registerCodeInsights(storeService: StoreService): vscode.Disposable {
  const data = new CodeInsightsData(storeService);
  const files: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }];
  return vscode.Disposable.from(
    data,
    vscode.languages.registerCodeLensProvider([{ scheme: 'file', pattern: '**/*.train.{yaml,yml}' }, { scheme: 'file', language: 'python' }], new RunCodeLensProvider(data)),
    vscode.languages.registerHoverProvider(files, new ModelUriHoverProvider(data)),
    vscode.languages.registerDocumentLinkProvider(files, new ModelUriLinkProvider(data)),
    registerModelUriDiagnostics(data),
  );
}
