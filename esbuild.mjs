// Builds every bundle of MLOps Studio into dist/.
//   node esbuild.mjs               development build (source maps inline-linked)
//   node esbuild.mjs --production  minified build for the VSIX
//   node esbuild.mjs --watch       rebuild on change (F5 uses this)
// Node bundles are CommonJS (the extension host requires them); webview bundles are browser IIFEs.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = join(root, 'dist');

/**
 * Webview entry points: webview/<name>/main.ts -> dist/webview/<name>.js, and the parts a panel
 * loads on demand, webview/<name>/<part>.part.ts -> dist/webview/<name>-<part>.js
 * (webview/shared/lazyBundle.ts).
 */
const webviewEntries = readdirSync(join(root, 'webview'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'webview', d.name, 'main.ts')))
  .flatMap((d) => [
    { in: join(root, 'webview', d.name, 'main.ts'), out: d.name },
    ...readdirSync(join(root, 'webview', d.name))
      .filter((f) => f.endsWith('.part.ts'))
      .map((f) => ({ in: join(root, 'webview', d.name, f), out: `${d.name}-${f.slice(0, -'.part.ts'.length)}` })),
  ]);

const common = {
  bundle: true,
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: {
      extension: join(root, 'src/vscode/extension.ts'),
      // dist/cli.js answers --version alone and loads dist/cliMain.js for everything else
      cli: join(root, 'src/cli/cliEntry.ts'),
      cliMain: join(root, 'src/cli/main.ts'),
      worker: join(root, 'src/core/process/workerMain.ts'),
      endpoint: join(root, 'src/core/serving/endpointMain.ts'),
      // the engine process: holds the workspace store for every window and CLI command (src/core/engine)
      engine: join(root, 'src/core/engine/engineMain.ts'),
      // worker threads of parallel CSV profiling (started by src/core/profile/csvParallel.ts)
      csvRangeWorker: join(root, 'src/core/profile/csvRangeWorker.ts'),
      // the worker thread that reads a large CSV's second half into typed columns (src/core/data/csvReader.ts)
      csvRangeReader: join(root, 'src/core/data/csvRangeReader.ts'),
    },
    banner: { js: '#!/usr/bin/env node' },
    outdir: dist,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // vscode is provided by the host; tfjs-node is an optional native addon loaded only if present;
    // tsx runs TypeScript workers in development only (never reached from dist/).
    external: ['vscode', '@tensorflow/tfjs-node', 'sql.js', 'tsx'],
    // sql.js is not bundled: its loader requires dist/sql-wasm.js at first use (copied below), so
    // activation never parses it. TensorFlow.js lives only in worker.js, never in extension.js.
    mainFields: ['module', 'main'],
  },
  {
    ...common,
    entryPoints: webviewEntries,
    outdir: join(dist, 'webview'),
    platform: 'browser',
    target: 'chrome114',
    format: 'iife',
    loader: { '.css': 'text' },
  },
];

function copyAssets() {
  mkdirSync(dist, { recursive: true });
  const assets = [
    ['node_modules/sql.js/dist/sql-wasm.js', 'sql-wasm.js'],
    ['node_modules/sql.js/dist/sql-wasm.wasm', 'sql-wasm.wasm'],
    ['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', 'tfjs-backend-wasm.wasm'],
    ['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-simd.wasm'],
    ['node_modules/@vscode/codicons/dist/codicon.css', 'webview/codicon.css'],
    ['node_modules/@vscode/codicons/dist/codicon.ttf', 'webview/codicon.ttf'],
  ];
  for (const [from, to] of assets) {
    const source = join(root, from);
    if (!existsSync(source)) throw new Error(`build: asset missing: ${from} (run npm install)`);
    mkdirSync(dirname(join(dist, to)), { recursive: true });
    cpSync(source, join(dist, to));
  }
}

if (!watch) rmSync(dist, { recursive: true, force: true });
copyAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching for changes');
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`esbuild: built ${webviewEntries.length} webview bundle(s) and parts and ${Object.keys(builds[0].entryPoints).length} node bundles in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
}
