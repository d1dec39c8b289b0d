import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

export function tempStore(prefix: string): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { dir: join(root, '.mlops'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** RSS after a full GC (run the bench with --expose-gc; bench/runBench.mjs does). */
export function settledRss(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().rss;
}

/** Prints the figures and writes bench/results/<name>.json with the machine's context. */
export function saveResults(name: string, figures: Record<string, unknown>): void {
  const result = {
    bench: name,
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    ...figures,
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'bench', 'results', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
