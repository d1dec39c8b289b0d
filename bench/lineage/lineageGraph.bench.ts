/**
 * The lineage panel in real Chromium (the built bundle under the panel CSP): time from the graph
 * arriving to every box drawn (ELK layered layout + SVG render), for graphs up to the host's cap
 * (300 nodes), and the time of one zoom step on the largest. Needs `npm run build` first.
 * Prints the figures and writes bench/results/lineage-graph.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { LineageGraphView, LineageNodeView } from '../../src/protocol/lineage/lineageContract';
import { closeBrowser, openPanel } from '../../test/webview/lib/panelPage';

const ROOT = join(__dirname, '..', '..');

/** Chains dataset → run → version → endpoint → monitor, each dataset also feeding the next chain's run. */
function syntheticGraph(nodes: number): LineageGraphView {
  const chains = Math.max(1, Math.floor(nodes / 5));
  const list: LineageNodeView[] = [];
  const edges: LineageGraphView['edges'] = [];
  const add = (kind: string, id: string, label: string): string => {
    list.push({ kind, id, key: `${kind}:${id}`, label, detail: `${kind} ${id} · some detail text that is long enough to be cut` });
    return `${kind}:${id}`;
  };
  for (let i = 0; i < chains; i++) {
    const d = add('dataset', `sha256:${i}`, `data/part-${i}.csv`);
    const r = add('run', `${i}`.padStart(32, '0'), `run bench-${i}`);
    const v = add('modelVersion', `model/${i + 1}`, `model v${i + 1}`);
    const e = add('endpoint', `api-${i}`, `api-${i} (http://127.0.0.1:${5000 + i})`);
    const m = add('monitor', `drift-${i}`, `monitor drift-${i}`);
    edges.push({ from: d, to: r, relation: 'trained' }, { from: r, to: v, relation: 'registered' }, { from: v, to: e, relation: 'served' }, { from: v, to: m, relation: 'monitored' });
    if (i > 0) edges.push({ from: `dataset:sha256:${i - 1}`, to: r, relation: 'trained' });
  }
  return { root: list[2]?.key ?? '', nodes: list, edges, truncated: false, maxNodes: 300 };
}

async function main(): Promise<void> {
  const results: Record<string, number>[] = [];
  for (const size of [25, 100, 300]) {
    const graph = syntheticGraph(size);
    const samples: number[] = [];
    let zoomMs = 0;
    for (let round = 0; round < 3; round++) {
      let sentAt = 0;
      const panel = await openPanel('lineage', { viewport: { width: 1400, height: 900 }, respond: () => { sentAt = Date.now(); return graph; } });
      await panel.page.locator(`.node`).nth(graph.nodes.length - 1).waitFor({ timeout: 60_000 });
      samples.push(Date.now() - sentAt);
      if (round === 2) {
        zoomMs = await panel.page.evaluate(async () => {
          const button = document.querySelector('vscode-toolbar-button[label="Zoom in"]') as HTMLElement;
          const t0 = performance.now();
          button.click();
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return performance.now() - t0;
        });
      }
      await panel.page.close();
    }
    samples.sort((a, b) => a - b);
    const row = { nodes: graph.nodes.length, edges: graph.edges.length, drawnMedianMs: samples[1] ?? 0, drawnWorstMs: samples[2] ?? 0, zoomStepMs: Math.round(zoomMs * 10) / 10 };
    results.push(row);
    console.log(`${row.nodes} nodes, ${row.edges} edges: drawn in ${row.drawnMedianMs} ms (median of 3, worst ${row.drawnWorstMs} ms); one zoom step ${row.zoomStepMs} ms`);
  }
  await closeBrowser();
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'lineage-graph.json'), `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), results }, null, 2)}\n`);
}

void main();
