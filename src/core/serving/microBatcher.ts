/**
 * Groups the scoring requests that are waiting at the same moment into one forward pass. A lone
 * request is scored on the next turn of the event loop (setImmediate, no timer), so batching adds
 * no latency when nothing else is waiting (perf-notes: a fixed batching window costs +1.3 ms p50
 * at concurrency 1).
 */
export class MicroBatcher<In, Out> {
  private pending: { input: In[]; resolve: (out: Out[]) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly score: (rows: In[]) => Out[],
    private readonly maxRows = 4096,
  ) {}

  submit(rows: In[]): Promise<Out[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input: rows, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const waiting = this.pending;
    this.pending = [];
    let start = 0;
    while (start < waiting.length) {
      let end = start;
      let rows = 0;
      while (end < waiting.length && (end === start || rows + (waiting[end]?.input.length ?? 0) <= this.maxRows)) rows += (waiting[end++] as { input: In[] }).input.length;
      this.scoreGroup(waiting.slice(start, end));
      start = end;
    }
  }

  private scoreGroup(group: { input: In[]; resolve: (out: Out[]) => void; reject: (error: unknown) => void }[]): void {
    if (group.length === 1) {
      const only = group[0] as (typeof group)[number];
      try {
        only.resolve(this.score(only.input));
      } catch (error) {
        only.reject(error);
      }
      return;
    }
    let outputs: Out[];
    try {
      outputs = this.score(group.flatMap((g) => g.input));
    } catch {
      // One request's rows failed: score each alone so only that request gets the error.
      for (const g of group) this.scoreGroup([g]);
      return;
    }
    let offset = 0;
    for (const g of group) {
      g.resolve(outputs.slice(offset, offset + g.input.length));
      offset += g.input.length;
    }
  }
}
