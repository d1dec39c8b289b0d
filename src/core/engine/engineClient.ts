import { MlflowHttp, type Reconnect } from '../remote/mlflowHttp';
import { ENGINE_CALL_PATH, unwrapEngineReply } from './engineWire';
import type { EngineReply } from './engineWire';
import type { EngineMethodName, EngineParams, EngineResult } from './engineMethods';

/**
 * How a window or the CLI asks the store's holder for anything beyond MLflow's REST API
 * (lineage, drift reports, endpoints, reviews …). The same interface whether the holder is this
 * process or another one, so a feature never asks which.
 */
export interface EngineClient {
  /** who answers, for messages */
  readonly where: string;
  call<M extends EngineMethodName>(method: M, params: EngineParams<M>): Promise<EngineResult<M>>;
}

/**
 * The engine of the process at `url` (its `.mlops/server.json`), with its bearer token. With
 * `reconnect`, a call whose connection fails goes to the engine found or started again (a window or
 * a command carries on after the engine died).
 */
export function httpEngine(url: string, token: string | null, reconnect?: Reconnect): EngineClient {
  const http = new MlflowHttp({ url, token, timeoutMs: Infinity, ...(reconnect ? { reconnect } : {}) });
  const post = async (method: string, body: string): Promise<Response> => {
    try {
      return await http.send('POST', ENGINE_CALL_PATH, body, 'application/json');
    } catch (error) {
      throw new Error(`The process that holds the store (${http.base}) did not answer ${method}: ${error instanceof Error ? error.message.replace(/^.*?\): /, '') : String(error)}`, { cause: error });
    }
  };
  return {
    get where(): string {
      return http.base;
    },
    call: async <M extends EngineMethodName>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> => {
      const response = await post(method, JSON.stringify({ method, params }));
      const text = await response.text();
      let reply: EngineReply;
      try {
        reply = JSON.parse(text) as EngineReply;
      } catch {
        throw new Error(`The process that holds the store (${http.base}) answered ${method} with HTTP ${response.status} and no engine reply: ${text.slice(0, 200)}`);
      }
      if (!response.ok && !('error' in reply)) {
        const mlflow = reply as { error_code?: string; message?: string };
        throw new Error(`The process that holds the store (${http.base}) refused ${method}: ${mlflow.message ?? `HTTP ${response.status}`}`);
      }
      return unwrapEngineReply(reply) as EngineResult<M>;
    },
  };
}
