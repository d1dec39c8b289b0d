// Extension-host integration tests under @vscode/test-electron (`npm run test:electron`).
// It downloads a desktop VS Code build, so it runs only on machines with internet access; it is
// not part of `npm test` (which runs the same kind of checks in code-server, offline: test/e2e).
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const workspace = join(mkdtempSync(join(tmpdir(), 'mlops-electron-')), 'examples');
cpSync(join(repo, 'examples'), workspace, { recursive: true, filter: (p) => !p.includes('.mlops') });

try {
  await runTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: join(repo, 'test', 'electron', 'suite', 'index.cjs'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(`test:electron failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
