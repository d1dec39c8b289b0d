import type { EndpointUsage, UsageMeter } from './endpointUsage';

/** Counters and latency percentiles of an endpoint, over a window of the latest requests. */
export interface EndpointStats {
  readonly requests: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** rows answered by successful requests */
  readonly predictions?: number;
  /** what the endpoint process used over the last few minutes (absent before it measured) */
  readonly usage?: EndpointUsage;
}

const WINDOW = 4096;

export class LatencyStats {
  private readonly window = new Float64Array(WINDOW);
  private filled = 0;
  private next = 0;
  private requests = 0;
  private errors = 0;
  private predictions = 0;

  /** `meter`: the endpoint process's own CPU and memory (none where usage is not measured) */
  constructor(private readonly meter?: UsageMeter) {}

  record(latencyMs: number, ok: boolean, predictions = 0): void {
    this.requests++;
    if (!ok) this.errors++;
    else this.predictions += predictions;
    this.meter?.sample(this.requests, this.predictions);
    this.window[this.next] = latencyMs;
    this.next = (this.next + 1) % WINDOW;
    if (this.filled < WINDOW) this.filled++;
  }

  snapshot(): EndpointStats {
    const sorted = this.window.slice(0, this.filled).sort();
    const at = (q: number): number => (this.filled === 0 ? 0 : (sorted[Math.min(this.filled - 1, Math.floor(q * this.filled))] as number));
    return { requests: this.requests, errors: this.errors, p50Ms: at(0.5), p99Ms: at(0.99), predictions: this.predictions, ...(this.meter ? { usage: this.meter.measure(this.requests, this.predictions) } : {}) };
  }
}
