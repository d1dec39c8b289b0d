import type { WorkspaceStore } from '../store/workspaceStore';
import type { EngineClient } from './engineClient';
import { dispatchEngineCall } from './engineDispatch';
import type { EngineMethodName, EngineParams, EngineResult } from './engineMethods';
import { unwrapEngineReply } from './engineWire';
import type { EngineReply } from './engineWire';

/**
 * The engine in this process. Results make the same JSON round trip they make over HTTP, so
 * what works here works through a server too (no Date or Map slips through unnoticed).
 */
export function inProcessEngine(store: WorkspaceStore): EngineClient {
  return {
    where: 'this process',
    call: async <M extends EngineMethodName>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> => {
      const reply = await dispatchEngineCall(store, JSON.parse(JSON.stringify({ method, params })) as unknown);
      return unwrapEngineReply(JSON.parse(JSON.stringify(reply)) as EngineReply) as EngineResult<M>;
    },
  };
}
