import type { WorkspaceStore } from '../store/workspaceStore';
import { ENGINE_METHODS, isEngineMethodName } from './engineMethods';
import type { EngineMethod } from './engineMethod';
import type { EngineReply } from './engineWire';

/**
 * Runs one call on the store this process holds. Errors come back with their message: the
 * caller is this user's own window or CLI, which needs the real paths and names to act on them.
 */
export async function dispatchEngineCall(store: WorkspaceStore, body: unknown): Promise<EngineReply> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refused('the body must be a JSON object { "method": …, "params": … }');
  const { method, params } = body as { method?: unknown; params?: unknown };
  if (typeof method !== 'string' || !isEngineMethodName(method)) return refused(`no engine method ${JSON.stringify(method)}; this engine knows ${Object.keys(ENGINE_METHODS).length} methods (is the window newer than the engine? restart it with "mlops engine stop")`);
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return refused(`${method}: params must be a JSON object`);
  try {
    const run = ENGINE_METHODS[method] as EngineMethod as (context: { store: WorkspaceStore }, params: unknown) => unknown;
    const result = await run({ store }, params);
    return result === undefined ? {} : { result };
  } catch (error) {
    return { error: { code: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } };
  }
}

function refused(message: string): EngineReply {
  return { error: { code: 'INVALID_PARAMETER_VALUE', message: `Engine call refused: ${message}.` } };
}
