// Runs a periodic duty (the scheduler tick) every interval, one run at a time, until stopped.

export interface IntervalTickerOptions {
  readonly intervalMs: number;
  /** The duty; a rejection is reported and the next tick runs as usual. */
  readonly tick: () => Promise<unknown>;
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * Calls `tick` at once on `start()`, then `intervalMs` after each run ends (runs never overlap). `stop()` cancels
 * the next run and waits for the current one.
 */
export class IntervalTicker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: IntervalTickerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.options.tick()
        .then(() => undefined, (error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
