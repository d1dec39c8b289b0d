// MLOps Studio inside a desktop VS Code extension host: commands, the dashboard panel, training.
const assert = require('node:assert/strict');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const vscode = require('vscode');

const EXTENSION_ID = 'mlops-studio.mlops-studio';

async function waitFor(predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('MLOps Studio in the extension host', () => {
  it('activates and registers every contributed command', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, 'the extension is installed');
    await extension.activate();
    const all = await vscode.commands.getCommands(true);
    for (const { command } of extension.packageJSON.contributes.commands) assert.ok(all.includes(command), `${command} is registered`);
  });

  it('"MLOps: Open Dashboard" opens the dashboard panel', async () => {
    await vscode.commands.executeCommand('mlops.openDashboard');
    await waitFor(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'MLOps Dashboard')), 20_000, 'the dashboard tab');
  });

  it('"MLOps: Train Model…" trains a spec given to it and leaves a run in the workspace store', async () => {
    const folder = vscode.workspace.workspaceFolders[0].uri.fsPath;
    const result = await vscode.commands.executeCommand('mlops.trainModel', vscode.Uri.file(join(folder, 'penguins.train.yaml')));
    assert.ok(result && result.runId, 'the command returns the finished run');
    assert.ok(result.metrics.test_accuracy > 0.9, `test accuracy ${result.metrics.test_accuracy}`);
    assert.ok(existsSync(join(folder, '.mlops')), 'the store was created in the workspace');
  });
});
