// The load generator of the server benchmarks, in its own process (as a Python script would be):
// a plain node:http keep-alive client, one request at a time like the mlflow client, bounded loops,
// 127.0.0.1 only. Usage: node --import tsx loadClient.ts <workload> <url> <token> <runId> <count>
// Prints one JSON line with its timings.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [workload, url, token, runId, countText] = process.argv.slice(2);
const count = Number(countText);
const target = new URL(url ?? '');
if (target.hostname !== '127.0.0.1') throw new Error(`the load client talks to 127.0.0.1 only, got ${url}`);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const auth = { Authorization: `Bearer ${token}` };

function send(method: string, path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...auth };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const req = request({ host: '127.0.0.1', port: Number(target.port), path, method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`${method} ${path} → ${res.statusCode}: ${text.slice(0, 200)}`));
        else resolve(text);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function batchBody(index: number): string {
  // 1,000 metrics: 10 keys × 100 steps, as a trainer flushing its buffer would send them.
  const metrics = [];
  for (let k = 0; k < 10; k++) {
    for (let s = 0; s < 100; s++) {
      const step = index * 100 + s;
      metrics.push({ key: `metric_${k}`, value: Math.sin(step / 100 + k), timestamp: 1_795_793_235_644 + step, step });
    }
  }
  return JSON.stringify({ run_id: runId, metrics });
}

async function main(): Promise<void> {
  const warmup = Math.min(20, Math.max(2, Math.floor(count / 10)));
  const samples: number[] = [];
  let started: number | undefined;
  let bytes = 0;
  if (workload === 'log-batch') {
    const bodies = Array.from({ length: warmup + count }, (_, i) => batchBody(i));
    for (let i = 0; i < warmup; i++) await send('POST', '/api/2.0/mlflow/runs/log-batch', bodies[i]);
    started = performance.now();
    for (let i = warmup; i < warmup + count; i++) {
      const t = performance.now();
      await send('POST', '/api/2.0/mlflow/runs/log-batch', bodies[i]);
      samples.push(performance.now() - t);
    }
  } else if (workload === 'log-metric') {
    const body = (step: number): string => JSON.stringify({ run_uuid: runId, key: 'loss', value: 1 / (step + 1), timestamp: 1_795_793_233_020 + step, step, run_id: runId });
    for (let i = 0; i < warmup; i++) await send('POST', '/api/2.0/mlflow/runs/log-metric', body(i));
    started = performance.now();
    for (let i = warmup; i < warmup + count; i++) {
      const b = body(i);
      const t = performance.now();
      await send('POST', '/api/2.0/mlflow/runs/log-metric', b);
      samples.push(performance.now() - t);
    }
  } else if (workload === 'get-history') {
    const path = `/api/2.0/mlflow/metrics/get-history?run_uuid=${runId}&metric_key=loss&run_id=${runId}&max_results=25000`;
    for (let i = 0; i < warmup; i++) await send('GET', path);
    started = performance.now();
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      const text = await send('GET', path);
      // The client parses what it gets; count that too, as a Python script would pay for json.loads.
      const parsed = JSON.parse(text) as { metrics: unknown[] };
      samples.push(performance.now() - t);
      bytes = text.length;
      if (parsed.metrics.length === 0) throw new Error('empty history');
    }
  } else {
    throw new Error(`unknown workload ${workload}`);
  }
  const totalMs = performance.now() - (started ?? 0);
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ warmup, count, totalMs, samples, bytes })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
