import type {
  HostNotificationMethod,
  HostToViewMessage,
  PanelContract,
  RequestMethod,
  RequestParams,
  RequestResult,
  RpcError,
  ViewNotificationMethod,
} from '../../src/protocol/rpc';
import type { VsCodeApi } from './vscodeApi';

/** A host failure surfaced to the view: the message is written for the user. */
export class HostRequestError extends Error {
  constructor(
    readonly method: string,
    readonly error: RpcError,
  ) {
    super(error.message);
    this.name = 'HostRequestError';
  }
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Typed request/response and notifications to the extension host for one panel contract. */
export class HostConnection<C extends PanelContract> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();

  constructor(
    private readonly api: VsCodeApi<unknown>,
    target: Pick<Window, 'addEventListener'> = window,
    private readonly timeoutMs = 30_000,
  ) {
    target.addEventListener('message', (event: Event) => this.receive((event as MessageEvent<unknown>).data));
  }

  request<M extends RequestMethod<C>>(method: M, params: RequestParams<C, M>): Promise<RequestResult<C, M>> {
    const id = this.nextId++;
    return new Promise<RequestResult<C, M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HostRequestError(method, { message: `The extension did not answer "${method}" within ${this.timeoutMs / 1000} s.` }));
      }, this.timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      this.api.postMessage({ kind: 'request', id, method, params });
    });
  }

  notify<M extends ViewNotificationMethod<C>>(method: M, params: C['viewNotifications'][M]): void {
    this.api.postMessage({ kind: 'notify', method, params });
  }

  onNotification<M extends HostNotificationMethod<C>>(method: M, listener: (params: C['hostNotifications'][M]) => void): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    const wrapped = listener as (params: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'object' || data === null || !('kind' in data)) return;
    const message = data as HostToViewMessage;
    if (message.kind === 'response') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new HostRequestError(pending.method, message.error));
    } else if (message.kind === 'notify') {
      for (const listener of this.listeners.get(message.method) ?? []) listener(message.params);
    }
  }
}
