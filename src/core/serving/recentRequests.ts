import type { ServedRequest } from './endpointTypes';

/**
 * The request ids an endpoint process handed out lately, so feedback on a request that the
 * sampled request log left out can still be attributed to the version that answered it. Bounded:
 * the oldest ids are forgotten first (a Map iterates in insertion order).
 */
export class RecentRequests {
  private readonly served = new Map<string, ServedRequest>();

  constructor(private readonly capacity = 50_000) {}

  remember(requestId: string, request: ServedRequest): void {
    if (this.served.size >= this.capacity) {
      const oldest = this.served.keys().next();
      if (!oldest.done) this.served.delete(oldest.value);
    }
    this.served.set(requestId, request);
  }

  get(requestId: string): ServedRequest | undefined {
    return this.served.get(requestId);
  }

  get size(): number {
    return this.served.size;
  }
}
