import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startTrackingServer } from '../../src/core/server/trackingServer';
import type { RequestEvent, RunningTrackingServer } from '../../src/core/server/trackingServer';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import type { WorkspaceStore } from '../../src/core/store/workspaceStore';
import { REPO_ROOT, tempStore } from '../store/benchSupport';

export interface ClientResult {
  warmup: number;
  count: number;
  totalMs: number;
  /** client-observed time per request, ms */
  samples: number[];
  bytes: number;
}

export interface BenchServer {
  store: WorkspaceStore;
  server: RunningTrackingServer;
  /** server time of every request, in arrival order */
  events: RequestEvent[];
  /** runs the load client in its own process and returns its timings */
  runClient(workload: string, runId: string, count: number): Promise<ClientResult>;
  close(): Promise<void>;
}

export async function startBenchServer(prefix: string): Promise<BenchServer> {
  const { dir, cleanup } = tempStore(prefix);
  const store = await openWorkspaceStore({ dir, writerName: 'bench' });
  const events: RequestEvent[] = [];
  const server = await startTrackingServer({ store, onRequest: (e) => events.push(e) });
  const runClient = (workload: string, runId: string, count: number): Promise<ClientResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'server', 'loadClient.ts'), workload, server.url, server.token ?? '', runId, String(count)], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`load client ${workload} exited with ${code}`));
        else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as ClientResult);
      });
    });
  return {
    store,
    server,
    events,
    runClient,
    close: async () => {
      await server.close();
      await store.close();
      cleanup();
    },
  };
}

/** Server times of the timed part: the last `count` requests to `path`. */
export function serverTimes(events: readonly RequestEvent[], path: string, count: number): number[] {
  return events.filter((e) => e.path === path && e.status === 200).slice(-count).map((e) => e.durationMs);
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}
