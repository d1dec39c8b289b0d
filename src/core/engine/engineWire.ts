/**
 * The engine's wire contract, light enough for any client to load: where calls and events go,
 * the reply's shape, and the error a refused or failed call becomes.
 */

/** An engine call: `POST /api/mlops/engine/call` with `{ method, params }`. */
export const ENGINE_CALL_PATH = '/api/mlops/engine/call';
/** Server-sent events: one `data: {"topic": …}` line per change in the store. */
export const ENGINE_EVENTS_PATH = '/api/mlops/engine/events';

/** A call the holder refused or that failed there; `code` says which (the error's name there). */
export class EngineCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EngineCallError';
  }
}

export type EngineReply = { readonly result?: unknown } | { readonly error: { readonly code: string; readonly message: string } };

/** The result of a reply, or its error thrown as an EngineCallError. */
export function unwrapEngineReply(reply: EngineReply): unknown {
  if ('error' in reply) throw new EngineCallError(reply.error.code, reply.error.message);
  return reply.result;
}
