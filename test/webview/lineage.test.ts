import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { LineageGraphView, LineageNodeRefView, LineageNodeView } from '../../src/protocol/lineage/lineageContract';
import { closeBrowser, openPanel, securityViolations, type PanelPage } from './lib/panelPage';

const RUN = 'a'.repeat(32);
const OLD_RUN = 'b'.repeat(32);
const DIGEST = 'sha256:2aae5655b87666a59355cdb338eed523adcb7dc190132c1a5c66bc5126c758a2';

const node = (kind: string, id: string, label: string, extra: Partial<LineageNodeView> = {}): LineageNodeView => ({ kind, id, key: `${kind}:${id}`, label, ...extra });

/** dataset → run → penguins v1 (root) → endpoint → monitor, plus a deleted v2 from an old run. */
const GRAPH: LineageGraphView = {
  root: 'modelVersion:penguins/1',
  truncated: false,
  maxNodes: 500,
  nodes: [
    node('modelVersion', 'penguins/1', 'penguins v1 @champion', { detail: 'models:/penguins/1', target: 'models:/penguins/1' }),
    node('run', RUN, 'run calm-fox-821', { detail: `finished · ${RUN}`, target: `runs:/${RUN}` }),
    node('dataset', DIGEST, 'data/penguins.csv', { detail: `/ws/data/penguins.csv · digest ${DIGEST}`, target: '/ws/data/penguins.csv' }),
    node('endpoint', 'penguins-api', 'penguins-api (http://127.0.0.1:5001)'),
    node('monitor', 'penguins-drift', 'monitor penguins-drift'),
    node('run', OLD_RUN, 'run old-owl-1', { detail: `finished · ${OLD_RUN}` }),
    node('modelVersion', 'penguins/2', 'penguins v2', { detail: 'deleted', missing: true }),
  ],
  edges: [
    { from: `dataset:${DIGEST}`, to: `run:${RUN}`, relation: 'trained' },
    { from: `run:${RUN}`, to: 'modelVersion:penguins/1', relation: 'registered' },
    { from: 'modelVersion:penguins/1', to: 'endpoint:penguins-api', relation: 'served' },
    { from: 'endpoint:penguins-api', to: 'monitor:penguins-drift', relation: 'monitored' },
    { from: `dataset:${DIGEST}`, to: `run:${OLD_RUN}`, relation: 'trained' },
    { from: `run:${OLD_RUN}`, to: 'modelVersion:penguins/2', relation: 'registered' },
  ],
};

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function box(page: Page, key: string): Promise<Box> {
  const b = await page.locator(`.node[data-key="${key}"]`).boundingBox();
  assert.ok(b, `node ${key} is drawn`);
  return b;
}

const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Opens the panel on a fake host that answers getGraph with `graphFor(root)`. */
async function open(graphFor: (root: LineageNodeRefView | undefined) => LineageGraphView, options: { theme?: 'dark' | 'light'; viewport?: { width: number; height: number } } = {}): Promise<{ panel: PanelPage; roots: (LineageNodeRefView | undefined)[] }> {
  const roots: (LineageNodeRefView | undefined)[] = [];
  const panel = await openPanel('lineage', {
    ...options,
    respond: (method, params) => {
      if (method !== 'getGraph') throw new Error(`unexpected ${method}`);
      const root = (params as { root?: LineageNodeRefView }).root;
      roots.push(root);
      return graphFor(root);
    },
  });
  return { panel, roots };
}

async function notifications(panel: PanelPage, method: string): Promise<unknown[]> {
  return (await panel.posted()).filter((m) => m.kind === 'notify' && m.method === method).map((m) => m.params);
}

async function waitForNotification(panel: PanelPage, method: string, count: number): Promise<unknown[]> {
  for (let i = 0; i < 100; i++) {
    const found = await notifications(panel, method);
    if (found.length >= count) return found;
    await panel.page.waitForTimeout(50);
  }
  assert.fail(`the view did not post ${count} "${method}" notification(s)`);
}

describe('lineage webview', () => {
  after(closeBrowser);

  test('lays the graph out left to right (dataset → run → model version → endpoint → monitor), root highlighted, deleted dashed', async () => {
    const { panel } = await open(() => GRAPH);
    const page = panel.page;
    await page.locator('.node').first().waitFor();
    assert.equal(await page.locator('.node').count(), GRAPH.nodes.length);
    const dataset = await box(page, `dataset:${DIGEST}`);
    const run = await box(page, `run:${RUN}`);
    const version = await box(page, 'modelVersion:penguins/1');
    const endpoint = await box(page, 'endpoint:penguins-api');
    const monitor = await box(page, 'monitor:penguins-drift');
    // along the flow: across a wide panel, down a tall one (whichever draws the graph larger)
    const direction = await page.locator('[data-testid=graph-area]').getAttribute('data-direction');
    const along = (b: Box): number => (direction === 'DOWN' ? b.y : b.x);
    assert.ok(along(dataset) < along(run) && along(run) < along(version) && along(version) < along(endpoint) && along(endpoint) < along(monitor), `${direction}: ${[dataset, run, version, endpoint, monitor].map((b) => Math.round(along(b))).join(' < ')}`);
    const all = await Promise.all(GRAPH.nodes.map((n) => box(page, n.key)));
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i] as Box, all[j] as Box), `${GRAPH.nodes[i]?.key} and ${GRAPH.nodes[j]?.key} do not overlap`);
    const area = await page.locator('[data-testid=graph-area]').boundingBox();
    assert.ok(area);
    for (const b of all) assert.ok(b.x >= area.x && b.x + b.width <= area.x + area.width && b.y >= area.y && b.y + b.height <= area.y + area.height, 'the graph is fitted inside the panel');

    // The root is marked for eyes and screen readers; the others are not.
    const rootNode = page.locator('.node.root');
    assert.equal(await rootNode.count(), 1);
    assert.equal(await rootNode.getAttribute('data-key'), 'modelVersion:penguins/1');
    assert.equal(await rootNode.getAttribute('aria-current'), 'true');
    const strokeWidth = (key: string): Promise<string> => page.locator(`.node[data-key="${key}"] .node-box`).evaluate((el) => getComputedStyle(el).strokeWidth);
    assert.ok(parseFloat(await strokeWidth('modelVersion:penguins/1')) > parseFloat(await strokeWidth(`run:${RUN}`)), 'the root has a heavier border');

    // A deleted version is dashed, dimmed and says so.
    const deleted = page.locator('.node[data-key="modelVersion:penguins/2"]');
    assert.notEqual(await deleted.locator('.node-box').evaluate((el) => getComputedStyle(el).strokeDasharray), 'none');
    assert.ok(Number(await deleted.evaluate((el) => getComputedStyle(el).opacity)) < 1);
    assert.match(await deleted.locator(".node-body").innerText(), /penguins v2 \(deleted\)/);
    assert.equal(await page.locator(`.node[data-key="run:${RUN}"] .node-box`).evaluate((el) => getComputedStyle(el).strokeDasharray), 'none');

    // Edges carry arrowheads and their relation.
    assert.equal(await page.locator('.edge').count(), GRAPH.edges.length);
    assert.equal(await page.locator('.edge[data-from="modelVersion:penguins/1"][data-to="endpoint:penguins-api"] path').getAttribute('marker-end'), 'url(#arrow)');
    assert.deepEqual((await page.locator('.edge-label').allTextContents()).sort(), ['monitored', 'registered', 'registered', 'served', 'trained', 'trained']);

    // The second line is truncated on screen, the full text is in the tooltip.
    const detail = page.locator(`.node[data-key="dataset:${DIGEST}"] .node-detail`);
    assert.ok(await detail.evaluate((el) => el.scrollWidth > el.clientWidth), 'a long detail is cut with an ellipsis');
    assert.match(await page.locator(`.node[data-key="dataset:${DIGEST}"] title`).textContent() ?? '', new RegExp(`digest ${DIGEST}`));

    assert.match(await page.locator('[data-testid=legend]').innerText(), /Dataset[\s\S]*Feature set[\s\S]*Run[\s\S]*Model version[\s\S]*Endpoint[\s\S]*Monitor/);
    assert.match(await page.locator('[data-testid=summary]').innerText(), /Model version penguins v1 @champion · 7 nodes, 6 links/);
    assert.equal(await page.locator('[data-testid=truncated]').count(), 0);
    assert.deepEqual(await securityViolations(panel), [], 'the bundle (ELK included) runs under the panel CSP');
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('click opens a node; Tab and Enter open with the keyboard; double click and Shift+Enter re-root', async () => {
    const { panel, roots } = await open((root) => (root?.kind === 'run' ? { ...GRAPH, root: `run:${root.id}` } : GRAPH));
    const page = panel.page;
    await page.locator('.node').first().waitFor();
    await page.locator(`.node[data-key="run:${RUN}"]`).click();
    assert.deepEqual(await waitForNotification(panel, 'openNode', 1), [{ kind: 'run', id: RUN }]);
    assert.match(await page.locator('[data-testid=details]').innerText(), /Run: run calm-fox-821/);

    // Tab order follows the drawing: the dataset (leftmost) comes first.
    await page.locator('vscode-toolbar-button[label="Fit to panel"]').click();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-key')), `dataset:${DIGEST}`);
    await page.keyboard.press('Enter');
    const opened = await waitForNotification(panel, 'openNode', 2);
    assert.deepEqual(opened[1], { kind: 'dataset', id: DIGEST });

    // Double click re-roots without opening.
    await page.locator(`.node[data-key="run:${RUN}"]`).dblclick();
    await page.locator(`.node.root[data-key="run:${RUN}"]`).waitFor();
    assert.deepEqual(roots.at(-1), { kind: 'run', id: RUN });
    await page.waitForTimeout(400);
    assert.equal((await notifications(panel, 'openNode')).length, 2, 'a double click does not also open the node');
    assert.deepEqual(await panel.savedState(), { root: { kind: 'run', id: RUN }, back: [{ kind: 'modelVersion', id: 'penguins/1' }] });

    // Back returns to the previous root.
    await page.locator('vscode-toolbar-button[label="Back to the previous root"]').click();
    await page.locator('.node.root[data-key="modelVersion:penguins/1"]').waitFor();
    assert.deepEqual(roots.at(-1), { kind: 'modelVersion', id: 'penguins/1' });

    // Shift+Enter on a focused node re-roots; the right-click menu offers both actions.
    await page.locator(`.node[data-key="run:${OLD_RUN}"]`).focus();
    await page.keyboard.press('Shift+Enter');
    await page.locator(`.node.root[data-key="run:${OLD_RUN}"]`).waitFor();
    await page.locator('.node[data-key="endpoint:penguins-api"]').click({ button: 'right' });
    await page.locator('[data-testid=menu-open]').click();
    const all = await waitForNotification(panel, 'openNode', 3);
    assert.deepEqual(all[2], { kind: 'endpoint', id: 'penguins-api' });
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('zoom buttons and the wheel scale the graph; Fit brings it back', async () => {
    const { panel } = await open(() => GRAPH);
    const page = panel.page;
    await page.locator('.node').first().waitFor();
    const width = async (): Promise<number> => (await box(page, 'modelVersion:penguins/1')).width;
    const fitted = await width();
    await page.locator('vscode-toolbar-button[label="Zoom in"]').click();
    assert.ok((await width()) > fitted * 1.2, 'zoom in enlarges the boxes');
    await page.locator('vscode-toolbar-button[label="Fit to panel"]').click();
    assert.ok(Math.abs((await width()) - fitted) < 1, 'fit restores the fitted size');
    const area = await page.locator('[data-testid=graph-area]').boundingBox();
    assert.ok(area);
    await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
    await page.mouse.wheel(0, 400);
    assert.ok((await width()) < fitted * 0.8, 'wheel down zooms out');
    await page.close();
  });

  test('a root with no recorded lineage explains what records it', async () => {
    const lonely: LineageGraphView = { root: `run:${RUN}`, nodes: [node('run', RUN, 'run calm-fox-821')], edges: [], truncated: false, maxNodes: 500 };
    const { panel } = await open(() => lonely, { theme: 'light' });
    const page = panel.page;
    const empty = page.locator('[data-testid=empty-state]');
    await empty.waitFor();
    const text = await empty.innerText();
    assert.match(text, /No lineage recorded for run calm-fox-821 yet/);
    for (const step of ['training', 'registering', 'serving', 'monitoring']) assert.match(text, new RegExp(step));
    assert.equal(await page.locator('.node').count(), 0);
    await page.close();
  });

  test('a truncated graph says how many nodes it shows', async () => {
    const { panel } = await open(() => ({ ...GRAPH, truncated: true, maxNodes: 7 }));
    const page = panel.page;
    await page.locator('[data-testid=truncated]').waitFor();
    assert.match(await page.locator('[data-testid=truncated]').innerText(), /Truncated: showing the first 7 nodes/);
    await page.close();
  });

  test('a large graph lays out without label layers and names the relations of the selected box', async () => {
    const nodes: LineageNodeView[] = [];
    const edges: LineageGraphView['edges'] = [];
    for (let i = 0; i < 40; i++) {
      nodes.push(node('dataset', `d${i}`, `part-${i}.csv`), node('run', `r${i}`, `run r${i}`), node('modelVersion', `m/${i + 1}`, `m v${i + 1}`));
      edges.push({ from: `dataset:d${i}`, to: `run:r${i}`, relation: 'trained' }, { from: `run:r${i}`, to: `modelVersion:m/${i + 1}`, relation: 'registered' });
      if (i > 0) edges.push({ from: `dataset:d${i - 1}`, to: `run:r${i}`, relation: 'trained' });
    }
    const { panel } = await open(() => ({ root: 'run:r5', nodes, edges, truncated: false, maxNodes: 500 }));
    const page = panel.page;
    await page.locator('.node').nth(nodes.length - 1).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.edge-label').count(), 0, `${edges.length} edges: no labels drawn until a box is selected`);
    assert.equal(await page.locator('.edge').first().locator('title').textContent(), 'trained', 'every edge still names its relation in a tooltip');
    await page.locator('.node[data-key="run:r5"]').focus();
    assert.deepEqual((await page.locator('.edge.hot .edge-label').allTextContents()).sort(), ['registered', 'trained', 'trained']);
    assert.ok((await box(page, 'dataset:d5')).x < (await box(page, 'run:r5')).x);
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('a host error is shown with what went wrong and a way to retry', async () => {
    let fail = true;
    const { panel } = await open(() => {
      if (fail) throw new Error('Lineage is read from the workspace store, which another window holds: show it from that window.');
      return GRAPH;
    });
    const page = panel.page;
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /another window holds/);
    fail = false;
    await page.getByRole('alert').locator('vscode-button').click();
    await page.locator('.node.root').waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    await page.close();
  });

  test('the graph fits the panel at a readable size: it flows across a wide panel and down a tall one, labels whole', async () => {
    const chain: LineageGraphView = {
      root: 'modelVersion:penguins-from-features/1',
      truncated: false,
      maxNodes: 500,
      nodes: [
        node('dataset', DIGEST, 'examples/features/penguin_measurements.csv', { detail: 'examples/features/penguin_measurements.csv' }),
        node('featureSet', 'penguin_morphology', 'features penguin_morphology', { detail: 'materialized 2026-12-07 17:10' }),
        node('run', RUN, 'run penguins-from-features', { detail: `finished · ${RUN.slice(0, 8)}` }),
        node('modelVersion', 'penguins-from-features/1', 'penguins-from-features v1 @champion', { detail: 'models:/penguins-from-features/1' }),
        node('endpoint', 'penguins-api', 'penguins-api (http://127.0.0.1:5001)'),
        node('monitor', 'penguins-drift', 'monitor penguins-drift'),
      ],
      edges: [
        { from: `dataset:${DIGEST}`, to: 'featureSet:penguin_morphology', relation: 'materialized' },
        { from: 'featureSet:penguin_morphology', to: `run:${RUN}`, relation: 'trained' },
        { from: `run:${RUN}`, to: 'modelVersion:penguins-from-features/1', relation: 'registered' },
        { from: 'modelVersion:penguins-from-features/1', to: 'endpoint:penguins-api', relation: 'served' },
        { from: 'endpoint:penguins-api', to: 'monitor:penguins-drift', relation: 'monitored' },
      ],
    };
    for (const viewport of [{ width: 1000, height: 760 }, { width: 1600, height: 900 }, { width: 700, height: 1000 }]) {
      const { panel } = await open(() => chain, { viewport });
      const page = panel.page;
      await page.locator('.node').first().waitFor();
      const area = page.locator('[data-testid=graph-area]');
      const zoom = Number(await area.getAttribute('data-zoom'));
      const at = `${viewport.width}×${viewport.height} (${await area.getAttribute('data-direction')})`;
      // 13px labels drawn at this scale: below 0.9 they turn into the tiny text people squint at
      assert.ok(zoom >= 0.9, `drawn at ${Math.round(zoom * 100)}% in ${at}`);
      const room = await area.boundingBox();
      const drawn = await page.locator('g.nodes').boundingBox();
      assert.ok(room && drawn);
      assert.ok(drawn.width >= room.width * 0.45 || drawn.height >= room.height * 0.45, `the graph takes ${Math.round(drawn.width)}×${Math.round(drawn.height)} of ${Math.round(room.width)}×${Math.round(room.height)} in ${at}`);
      assert.ok(drawn.x >= room.x && drawn.y >= room.y && drawn.x + drawn.width <= room.x + room.width && drawn.y + drawn.height <= room.y + room.height, `inside the panel in ${at}`);
      const cut = await page.locator('.node-label, .node-detail').evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent));
      assert.deepEqual(cut, [], `labels cut in ${at}`);
      await page.screenshot({ path: `test-output/webview/lineage-${viewport.width}x${viewport.height}.png` });
      assert.deepEqual(panel.problems, []);
      await page.close();
    }
  });
});
