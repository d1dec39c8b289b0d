/**
 * A refresh that follows a burst of store changes: it runs `delayMs` after the first change of
 * the burst, and later changes do not push it back, so a store that keeps changing (a run logging,
 * an endpoint's traffic) still refreshes a view at that pace instead of never.
 */
export class CoalescedRefresh {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly run: () => void,
  ) {}

  /** a change happened: refresh soon (once for the whole burst) */
  request(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.delayMs);
  }

  /** refresh now (an explicit Refresh), dropping one that was due */
  now(): void {
    this.dispose();
    this.run();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
