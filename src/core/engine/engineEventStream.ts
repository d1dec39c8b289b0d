import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { ENGINE_EVENTS_PATH } from './engineWire';
import type { EngineEvent } from './engineEvents';

export interface EngineEventHandlers {
  readonly onEvent: (event: EngineEvent) => void;
  /** the stream is open: from here on no change is missed */
  readonly onConnected?: () => void;
  /** the stream ended (the engine stopped or died, or refused us); `reason` says which */
  readonly onClosed: (reason: string) => void;
}

/**
 * Listens to the engine's change events (server-sent events). While a client listens the engine
 * does not stop for idleness, so a window keeps its engine as long as it is open.
 */
export function subscribeEngineEvents(url: string, token: string | null, handlers: EngineEventHandlers): { dispose(): void } {
  let disposed = false;
  let closed = false;
  const close = (reason: string): void => {
    if (closed || disposed) return;
    closed = true;
    handlers.onClosed(reason);
  };
  const req: ClientRequest = request(`${url}${ENGINE_EVENTS_PATH}`, { headers: { Accept: 'text/event-stream', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) } }, (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      close(`the engine refused its event stream (HTTP ${res.statusCode ?? '?'})`);
      return;
    }
    res.setEncoding('utf8');
    let buffer = '';
    let connected = false;
    res.on('data', (chunk: string) => {
      buffer += chunk;
      if (!connected) {
        connected = true;
        handlers.onConnected?.();
      }
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of block.split('\n')) {
          if (!line.startsWith('data: ')) continue;
          try {
            handlers.onEvent(JSON.parse(line.slice(6)) as EngineEvent);
          } catch {
            // a line we cannot read tells us nothing; the next one will
          }
        }
      }
    });
    res.on('end', () => close('the engine closed its event stream'));
    res.on('error', (error) => close(`the event stream failed: ${error.message}`));
  });
  req.on('error', (error) => close(`the engine did not answer: ${error.message}`));
  req.end();
  return {
    dispose: () => {
      disposed = true;
      req.destroy();
    },
  };
}
