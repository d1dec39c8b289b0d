/*
 * A job the engine runs for its clients (a training, a retraining attempt): the progress lines a
 * client follows, whether it ended, and how to cancel it. Clients follow with long polls ("lines
 * after `from`, waiting up to N ms for news"), so a window or a command that reconnects — or a
 * second one — picks up where it is, and the job never depends on who started it.
 */

/** Progress lines kept per job (a long training reports every epoch). */
const KEPT_LINES = 500;
/** A finished job is forgotten this long after it ended (what it wrote stays in the store). */
export const FORGET_AFTER_MS = 10 * 60_000;
/** The longest a status request waits for news. */
export const MAX_STATUS_WAIT_MS = 25_000;

export class EngineJobLog<P> {
  readonly controller = new AbortController();
  private readonly lines: P[] = [];
  /** lines dropped from the front (KEPT_LINES) */
  private dropped = 0;
  private settledValue = false;
  private errorValue: string | undefined;
  private changed!: Promise<void>;
  private notify: () => void = () => undefined;

  constructor() {
    this.arm();
  }

  private arm(): void {
    this.changed = new Promise<void>((resolve) => {
      this.notify = () => {
        this.arm();
        resolve();
      };
    });
  }

  get settled(): boolean {
    return this.settledValue;
  }

  get error(): string | undefined {
    return this.errorValue;
  }

  /** pass as `from` to hear only what comes after now */
  get next(): number {
    return this.dropped + this.lines.length;
  }

  report(line: P): void {
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) {
      this.dropped += this.lines.length - KEPT_LINES;
      this.lines.splice(0, this.lines.length - KEPT_LINES);
    }
    this.notify();
  }

  /** The job ended (with an error the client should see, if any); `forget` runs once nobody needs it. */
  settle(error: string | undefined, forget: () => void): void {
    this.settledValue = true;
    this.errorValue = error;
    this.notify();
    setTimeout(forget, FORGET_AFTER_MS).unref();
  }

  /** Waits (at most `waitMs`, capped) until there is a line past `from` or the job ends. */
  async waitForNews(from: number, waitMs: number): Promise<void> {
    if (this.settledValue || this.next > from || waitMs <= 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.changed, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(waitMs, MAX_STATUS_WAIT_MS))))]);
    clearTimeout(timer);
  }

  /** The lines from `from` on (those still kept). */
  linesFrom(from: number): P[] {
    return this.lines.slice(Math.max(0, from - this.dropped));
  }
}
