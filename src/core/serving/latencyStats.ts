/** Counters and latency percentiles of an endpoint, over a window of the latest requests. */
export interface EndpointStats {
  readonly requests: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const WINDOW = 4096;

export class LatencyStats {
  private readonly window = new Float64Array(WINDOW);
  private filled = 0;
  private next = 0;
  private requests = 0;
  private errors = 0;

  record(latencyMs: number, ok: boolean): void {
    this.requests++;
    if (!ok) this.errors++;
    this.window[this.next] = latencyMs;
    this.next = (this.next + 1) % WINDOW;
    if (this.filled < WINDOW) this.filled++;
  }

  snapshot(): EndpointStats {
    const sorted = this.window.slice(0, this.filled).sort();
    const at = (q: number): number => (this.filled === 0 ? 0 : (sorted[Math.min(this.filled - 1, Math.floor(q * this.filled))] as number));
    return { requests: this.requests, errors: this.errors, p50Ms: at(0.5), p99Ms: at(0.99) };
  }
}
