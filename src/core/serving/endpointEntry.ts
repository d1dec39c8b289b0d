import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ProcessEntry {
  readonly path: string;
  readonly execArgv: string[];
}

/** dist/endpoint.js beside the bundle, or the TypeScript source through tsx in development and tests. */
export function resolveEndpointEntry(explicit?: string): ProcessEntry {
  const tsx = (): string[] => ['--import', pathToFileURL(require.resolve('tsx')).href];
  if (explicit) return { path: explicit, execArgv: explicit.endsWith('.ts') ? tsx() : [] };
  const bundled = join(__dirname, 'endpoint.js');
  if (existsSync(bundled)) return { path: bundled, execArgv: [] };
  return { path: join(__dirname, 'endpointMain.ts'), execArgv: tsx() };
}
