import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelRegistry } from '../../../src/core/registry/modelRegistry';
import type { AuditEntry } from '../../../src/core/registry/registryTypes';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { REPO_ROOT, tempStoreDir } from '../store/testSupport';

const KILLS = 10;

interface Acks {
  pid: number;
  ready: boolean;
  lines: string[];
  stderr: string;
}

async function runAndKill(dir: string, runMs: number, checkpointRecords: number): Promise<Acks> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'killableRegistryWriter.ts'), dir, String(checkpointRecords)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const acks: Acks = { pid: child.pid as number, ready: false, lines: [], stderr: '' };
  let buffered = '';
  let timer: NodeJS.Timeout | undefined;
  child.stderr?.on('data', (chunk: Buffer) => (acks.stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') {
        acks.ready = true;
        timer = setTimeout(() => child.kill('SIGKILL'), runMs);
      } else if (line.startsWith('ack ')) {
        acks.lines.push(line);
      }
    }
  });
  await new Promise((resolve) => child.on('exit', resolve));
  if (timer) clearTimeout(timer);
  return acks;
}

test(`a registry writer SIGKILLed at ${KILLS} random moments: every acknowledged change is in the audit log, which only ever grew`, { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = tempStoreDir('mlops-registry-kill-');
  try {
    let previous: AuditEntry[] = [];
    let acknowledged = 0;
    for (let round = 0; round < KILLS; round++) {
      const acks = await runAndKill(dir, 100 + Math.floor(Math.random() * 600), 3 + Math.floor(Math.random() * 60));
      assert.ok(acks.ready, `writer never became ready (round ${round}): ${acks.stderr}`);
      const store = await openWorkspaceStore({ dir, writerName: 'registry kill checker', staleRunAfterMs: 3_600_000 });
      try {
        const registry = new ModelRegistry(store, { actor: 'checker' });
        const log = registry.auditLog();
        // Append-only across crashes: what was there before is still there, unchanged, and nothing is missing in between.
        assert.deepEqual(log.slice(0, previous.length), previous, `round ${round}: earlier audit entries changed or vanished`);
        log.forEach((entry, i) => assert.equal(entry.seq, i + 1, `round ${round}: audit sequence has a hole at ${i + 1}`));
        const mine = log.filter((e) => e.actor === `writer-${acks.pid}`);
        for (const line of acks.lines) {
          const [, kind, a, b] = line.split(' ');
          const found =
            kind === 'reg'
              ? mine.some((e) => e.action === 'version.registered' && e.version === Number(a))
              : kind === 'alias'
                ? mine.some((e) => (e.action === 'alias.set' || e.action === 'alias.moved') && e.alias === a && e.version === Number(b))
                : mine.some((e) => e.action === 'model.tagged' && e.detail.value === a);
          assert.ok(found, `round ${round}: acknowledged "${line}" has no audit entry`);
        }
        acknowledged += acks.lines.length;
        // The state agrees with its history: versions, aliases and the tag are what the log says.
        const registered = log.filter((e) => e.name === 'victim' && e.action === 'version.registered').map((e) => e.version);
        const versions = registry.listVersions('victim');
        assert.deepEqual(versions.map((v) => v.version).sort((x, y) => x - y), registered, `round ${round}: versions differ from the audit log`);
        for (const v of versions) assert.ok(existsSync(join(v.storageDir, 'model', 'MLmodel.json')), `round ${round}: v${v.version} lost its frozen files`);
        const aliases: Record<string, number> = {};
        for (const e of log) if ((e.action === 'alias.set' || e.action === 'alias.moved') && e.alias) aliases[e.alias] = e.version as number;
        assert.deepEqual({ ...registry.getModel('victim').aliases }, aliases, `round ${round}: aliases differ from the audit log`);
        for (const alias of Object.keys(aliases)) assert.equal(registry.aliasAt('victim', alias, Date.now())?.version, aliases[alias]);
        const lastTag = [...log].reverse().find((e) => e.action === 'model.tagged');
        if (lastTag) assert.equal(registry.getModel('victim').tags.find((t) => t.key === 'counter')?.value, lastTag.detail.value);
        previous = log;
      } finally {
        await store.close({ snapshot: Math.random() < 0.5 });
      }
    }
    t.diagnostic(`${acknowledged} acknowledged changes over ${KILLS} kills; ${previous.length} audit entries`);
    assert.ok(acknowledged > KILLS, `the writers acknowledged only ${acknowledged} changes`);
  } finally {
    cleanup();
  }
});
