import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { RegistryBackend } from '../../core/registry/registryBackend';
import type { ModelVersion } from '../../core/registry/registryTypes';
import { pickVersionForAlias } from './modelPickers';

type ExportFormat = 'mlflow' | 'onnx';

/**
 * "Export Model…": a version as an MLflow Model folder or an ONNX file, where the user chooses.
 * The export reads the frozen package and writes a few files (no training data): done here, with
 * progress, as `mlops models export` does it in a terminal.
 */
export async function exportModel(registry: RegistryBackend, node: { name: string; version: number } | undefined, workspaceDir: string | undefined): Promise<void> {
  const target = node ?? (await pickVersionForAlias(registry, 'MLOps: Export Model — which version?'));
  if (!target) return;
  const version: ModelVersion = await registry.getVersion(target.name, target.version);
  if (version.packageDir === '') {
    void vscode.window.showWarningMessage(`MLOps: ${version.name} v${version.version} is an external version (registered from files that are not an MLOps Studio model package); there is nothing here to export.`);
    return;
  }
  const format = await vscode.window.showQuickPick(
    [
      { label: 'MLflow Model', description: 'a folder: mlflow.pyfunc.load_model, mlflow models serve (numpy and pandas only)', format: 'mlflow' as ExportFormat },
      { label: 'ONNX', description: 'one .onnx file, preprocessing included, for any ONNX runtime', format: 'onnx' as ExportFormat },
    ],
    { title: `MLOps: Export ${version.name} v${version.version} as…` },
  );
  if (!format) return;
  const base = `${version.name}-v${version.version}`.replace(/[^\w.-]+/g, '_');
  const where = workspaceDir ?? dirname(version.packageDir);
  const chosen = await vscode.window.showSaveDialog({
    title: format.format === 'onnx' ? 'Save the ONNX model' : 'Folder to create for the MLflow Model',
    defaultUri: vscode.Uri.file(join(where, format.format === 'onnx' ? `${base}.onnx` : `${base}-mlflow`)),
    ...(format.format === 'onnx' ? { filters: { ONNX: ['onnx'] } } : {}),
    saveLabel: 'Export',
  });
  if (!chosen) return;
  const source = `models:/${version.name}/${version.version}`;
  const written = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${source}` }, async () => {
    if (format.format === 'onnx') {
      const { exportOnnxModel } = await import('../../core/modelPackage/onnxModelExport');
      return (await exportOnnxModel(version.packageDir, chosen.fsPath, { source })).file;
    }
    const { exportMlflowModel } = await import('../../core/modelPackage/mlflowModelExport');
    return (await exportMlflowModel(version.packageDir, chosen.fsPath, { source })).dir;
  });
  const reveal = 'Reveal';
  const choice = await vscode.window.showInformationMessage(`MLOps: exported ${source} as ${format.label} to ${vscode.workspace.asRelativePath(written)}.`, reveal);
  if (choice === reveal) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(written));
}
