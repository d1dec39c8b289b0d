import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

// Issue #24 item 3: a process start loads only what the command needs. Building the CLI and
// parsing `mlops --help` must not load the store (sql.js), TensorFlow.js, the spec parsers (yaml,
// ajv), the data readers or charts: each command imports those when it runs.
describe('the CLI at start', () => {
  test('building the commands loads no heavy module', async () => {
    const before = new Set(Object.keys(require.cache));
    const { runCli } = (await import('../../../src/cli/main')) as { runCli(argv: readonly string[]): Promise<number> };
    const write = process.stdout.write.bind(process.stdout);
    let help = '';
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]): boolean => (typeof chunk === 'string' ? ((help += chunk), true) : write(chunk, ...rest))) as typeof process.stdout.write;
    try {
      assert.equal(await runCli(['--help']), 0);
    } finally {
      process.stdout.write = write;
    }
    assert.match(help, /Usage: mlops/);
    const loaded = Object.keys(require.cache).filter((m) => !before.has(m));
    const heavy = loaded.filter((m) => /sql\.js|sql-wasm|@tensorflow|echarts|[\\/]ajv[\\/]|[\\/]yaml[\\/]|papaparse|hyparquet|[\\/]core[\\/](store|data|profile|drift)[\\/]|trainingRunner|tuningRunner|SpecParser/.test(m));
    assert.deepEqual(heavy, [], 'heavy modules load when a command runs, not at start');
  });
});
