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

/** The engine of the process at `url` (its `.mlops/server.json`), with its bearer token. */
export function httpEngine(url: string, token: string | null): EngineClient {
  return {
    where: url,
    call: async <M extends EngineMethodName>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> => {
      let response: Response;
      try {
        response = await fetch(`${url}${ENGINE_CALL_PATH}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
          body: JSON.stringify({ method, params }),
        });
      } catch (error) {
        throw new Error(`The process that holds the store (${url}) did not answer ${method}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`, { cause: error });
      }
      const text = await response.text();
      let reply: EngineReply;
      try {
        reply = JSON.parse(text) as EngineReply;
      } catch {
        throw new Error(`The process that holds the store (${url}) answered ${method} with HTTP ${response.status} and no engine reply: ${text.slice(0, 200)}`);
      }
      if (!response.ok && !('error' in reply)) {
        const mlflow = reply as { error_code?: string; message?: string };
        throw new Error(`The process that holds the store (${url}) refused ${method}: ${mlflow.message ?? `HTTP ${response.status}`}`);
      }
      return unwrapEngineReply(reply) as EngineResult<M>;
    },
  };
}
