/**
 * What the real-VS-Code Runs panel bench needs besides the browser: the workspace stores, built
 * once per shape and cached in a temp folder (each run works on a copy, since the engine writes
 * to the store it opens), and the memory of the processes involved (VmRSS of the code-server
 * extension host and of the MLOps engine), with the machine's load next to each figure.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServerInfo } from '../../src/core/server/serverInfoFile';
import { openWorkspaceStore, type WorkspaceStore } from '../../src/core/store/workspaceStore';

/** Where built stores are kept between runs: $BENCH_CACHE, else $TMPDIR/mlops-runs-panel-cache. */
export const STORE_CACHE = process.env.BENCH_CACHE ?? join(tmpdir(), 'mlops-runs-panel-cache');

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Copies the store of shape `key` into `workspace/.mlops`, building it first (through `build`,
 * on a fresh store) when the cache has none. Returns how long the build took, or 0 when cached.
 */
export async function cachedStore(key: string, workspace: string, build: (store: WorkspaceStore) => Promise<void>): Promise<{ builtMs: number }> {
  const cached = join(STORE_CACHE, key);
  let builtMs = 0;
  if (!existsSync(join(cached, 'complete'))) {
    const building = `${cached}.building`;
    rmSync(building, { recursive: true, force: true });
    console.log(`building the store ${key} (once; cached in ${cached})`);
    const started = performance.now();
    const store = await openWorkspaceStore({ dir: join(building, '.mlops'), writerName: 'runs panel bench' });
    try {
      await build(store);
    } finally {
      await store.close();
    }
    builtMs = performance.now() - started;
    rmSync(cached, { recursive: true, force: true });
    renameSync(building, cached);
    writeFileSync(join(cached, 'complete'), `built in ${round(builtMs / 1000)} s\n`);
  }
  cpSync(join(cached, '.mlops'), join(workspace, '.mlops'), { recursive: true });
  return { builtMs };
}

/** The machine's load while a figure was taken: `uptime`'s line and the 1-minute average. */
export interface Load {
  readonly uptime: string;
  readonly load1: number;
}

export function machineLoad(): Load {
  return { uptime: spawnSync('uptime', { encoding: 'utf8' }).stdout.trim(), load1: round(loadavg()[0] ?? NaN, 2) };
}

/** VmRSS of `pid` in MB; undefined once the process is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? round(Number(line.replace(/\D+/g, '')) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter((s) => s !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * The extension host under the code-server of `stateDir` (its pid is in server.pid): the node
 * process whose command line says `--type=extensionHost` (or runs extensionHostProcess). Only
 * this server's tree is searched: other VS Codes may run on the machine.
 */
export function extensionHostPid(stateDir: string): number | undefined {
  const root = Number(readFileSync(join(stateDir, 'server.pid'), 'utf8').trim());
  const seen = new Set<number>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const cmd = commandLine(pid);
    if (pid !== root && (cmd.includes('--type=extensionHost') || cmd.includes('extensionHostProcess'))) return pid;
    queue.push(...childrenOf(pid));
  }
  return undefined;
}

/** The engine's pid, from `<store>/server.json` (written by the engine once it answers). */
export function enginePid(storeDir: string): number | undefined {
  return readServerInfo(storeDir)?.pid;
}

/** RSS of the extension host and of the engine at one moment, with the load. */
export interface MemorySample {
  readonly extensionHostRssMb: number | undefined;
  readonly engineRssMb: number | undefined;
  readonly load: Load;
}

export function sampleMemory(extensionHost: number | undefined, engine: number | undefined): MemorySample {
  return {
    extensionHostRssMb: extensionHost === undefined ? undefined : rssMb(extensionHost),
    engineRssMb: engine === undefined ? undefined : rssMb(engine),
    load: machineLoad(),
  };
}

/** The large shape of issue #17: `runs` runs × (`params` params + `metrics` metrics, one point each) in experiment `name`. */
export interface WideShape {
  readonly name: string;
  readonly runs: number;
  readonly params: number;
  readonly metrics: number;
}

export function shapeKey(shape: WideShape): string {
  return `${shape.name}-r${shape.runs}-p${shape.params}-m${shape.metrics}`;
}

/** Logs the shape the way a trainer would (create, one batch, finish), 32 runs in flight. */
export async function logWideRuns(store: WorkspaceStore, shape: WideShape): Promise<void> {
  const experimentId = await store.tracking.createExperiment(shape.name);
  const started = performance.now();
  const START = 1_700_000_000_000;
  const one = async (r: number): Promise<void> => {
    const startTime = START + r * 1000;
    const { info } = await store.tracking.createRun({ experimentId, runName: `run-${r}`, startTime });
    const params = Array.from({ length: shape.params }, (_, i) => ({ key: `p${i}`, value: `v${(r * 31 + i * 17) % 1000}` }));
    const metrics = Array.from({ length: shape.metrics }, (_, k) => ({ key: `m${k}`, value: ((r * 7919 + k * 104729) % 10007) / 10007, timestamp: startTime, step: 0 }));
    await store.tracking.logBatch({ runId: info.runId, params, metrics });
    await store.tracking.updateRun(info.runId, { status: 'FINISHED', endTime: startTime + 500 });
  };
  const PIPELINE = 32;
  for (let r = 0; r < shape.runs; r += PIPELINE) {
    await Promise.all(Array.from({ length: Math.min(PIPELINE, shape.runs - r) }, (_, j) => one(r + j)));
    if (Math.floor((r + PIPELINE) / 10_000) > Math.floor(r / 10_000)) console.log(`  ${Math.min(shape.runs, r + PIPELINE)} runs, ${round((performance.now() - started) / 1000, 0)} s`);
  }
}

/** The extension host's memory after a full garbage collection: what it really holds, garbage left aside. */
export interface HeldMemory {
  readonly rssMb: number | undefined;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
  readonly arrayBuffersMb: number;
  readonly load: Load;
}

interface InspectorSocket {
  on(event: 'open' | 'error' | 'message', listener: (data: unknown) => void): void;
  send(text: string): void;
  close(): void;
}
type InspectorSocketClass = new (url: string) => InspectorSocket;

const INSPECTOR_PORT = 9229;

async function portAnswers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/json/version`, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Collects the garbage of process `pid` (a Node process: the extension host) through its
 * inspector, which SIGUSR1 opens on 127.0.0.1:9229, and returns its memory then. Undefined when
 * that port is already taken (another process's inspector: left alone) or the inspector found is
 * not `pid`'s. The inspector stays open until the process ends.
 */
export async function memoryAfterGc(pid: number): Promise<HeldMemory | undefined> {
  if (await portAnswers(INSPECTOR_PORT)) return undefined;
  process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + 10_000;
  let targets: { webSocketDebuggerUrl?: string }[] = [];
  while (Date.now() < deadline && targets.length === 0) {
    try {
      targets = (await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`, { signal: AbortSignal.timeout(1_000) })).json()) as { webSocketDebuggerUrl?: string }[];
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) return undefined;
  // playwright-core's bundled WebSocket client (Node 20 has no global WebSocket).
  const bundle = 'playwright-core/lib/utilsBundle';
  const { ws: Socket } = (await import(bundle)) as { ws: InspectorSocketClass };
  const socket = new Socket(url);
  await new Promise<unknown>((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const send = (method: string, params: Record<string, unknown> = {}): Promise<unknown> =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  const evaluate = async (expression: string): Promise<unknown> => ((await send('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: unknown } }).result.value;
  try {
    if ((await evaluate('process.pid')) !== pid) return undefined;
    await send('HeapProfiler.collectGarbage');
    await send('HeapProfiler.collectGarbage');
    const usage = JSON.parse(String(await evaluate('JSON.stringify(process.memoryUsage())'))) as Record<'heapUsed' | 'heapTotal' | 'external' | 'arrayBuffers', number>;
    const mb = (bytes: number): number => round(bytes / 1048576);
    return { rssMb: rssMb(pid), heapUsedMb: mb(usage.heapUsed), heapTotalMb: mb(usage.heapTotal), externalMb: mb(usage.external), arrayBuffersMb: mb(usage.arrayBuffers), load: machineLoad() };
  } finally {
    socket.close();
  }
}
