import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlJsStatic } from 'sql.js';

type InitSqlJs = (config?: { wasmBinary?: ArrayBuffer }) => Promise<SqlJsStatic>;

let loading: Promise<SqlJsStatic> | undefined;

/**
 * Loads sql.js once, on first use. Activation must stay light, so nothing imports sql.js at module
 * top level: in the bundle the factory and the wasm sit next to the bundle (esbuild marks sql.js
 * external and copies both files into dist/); from source (tests, tsx) they come from node_modules.
 */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= initialise().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function initialise(): Promise<SqlJsStatic> {
  const bundledFactory = join(__dirname, 'sql-wasm.js');
  let init: InitSqlJs;
  let wasmPath: string;
  if (existsSync(bundledFactory)) {
    init = require(bundledFactory) as InitSqlJs;
    wasmPath = join(__dirname, 'sql-wasm.wasm');
  } else {
    init = require('sql.js') as InitSqlJs;
    wasmPath = require.resolve('sql.js/dist/sql-wasm.wasm');
  }
  const bytes = readFileSync(wasmPath);
  // Passing the bytes avoids emscripten's own file lookup, which guesses paths relative to itself.
  const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return init({ wasmBinary });
}
