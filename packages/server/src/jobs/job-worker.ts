// A worker loop over the durable job queue: claims one job at a time, heartbeats while it runs, completes or fails it.
import type { JobRecord, JobRepository } from '../storage/store.js';
import { heartbeatIntervalMs } from './job-state.js';

/** What a handler gets besides its job. */
export interface JobContext {
  /** Aborted when the lease is lost (another worker took the job over) or the worker is stopping. */
  readonly signal: AbortSignal;
}

/**
 * Does the work of one job. Resolving completes the job, throwing fails it (the message becomes
 * `last_error`). A handler must not assume it is the first to run its job: `job.attempts > 1` means an
 * earlier worker was cut off.
 */
export type JobHandler = (job: JobRecord, context: JobContext) => Promise<void>;

/** Lifecycle events, for logs and metrics. */
export type JobWorkerEvent =
  | { readonly type: 'claimed'; readonly job: JobRecord }
  | { readonly type: 'succeeded'; readonly job: JobRecord }
  | { readonly type: 'failed'; readonly job: JobRecord; readonly error: unknown }
  | { readonly type: 'released'; readonly job: JobRecord }
  | { readonly type: 'lease-lost'; readonly job: JobRecord }
  | { readonly type: 'error'; readonly error: unknown; readonly job?: JobRecord };

export interface JobWorkerOptions {
  readonly jobs: JobRepository;
  /** Unique among live workers, e.g. `<host>:<pid>:<uuid>`; it owns the leases this worker takes. */
  readonly workerId: string;
  /** One handler per kind of job this worker claims. */
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly clock: { now(): number };
  readonly leaseMs: number;
  /** How long the loop sleeps when it found nothing to claim. */
  readonly pollIntervalMs: number;
  readonly onEvent?: ((event: JobWorkerEvent) => void) | undefined;
}

const STOPPING = 'worker stopping';

/**
 * Concurrency one: jobs run one after the other, whether claimed by the background loop (`start`) or by
 * `drain()`. `stop()` stops claiming and lets the current job finish, or — after `graceMs` — aborts it
 * and puts it back in the queue without counting the attempt.
 */
export class JobWorker {
  private exclusive: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopping = false;
  private current: { job: JobRecord; controller: AbortController; done: Promise<void> } | undefined;

  constructor(private readonly options: JobWorkerOptions) {}

  get workerId(): string {
    return this.options.workerId;
  }

  /** Starts the background loop: claim until nothing is due, sleep `pollIntervalMs`, repeat. */
  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    this.schedule(0);
  }

  /** Wakes the background loop now (e.g. right after enqueueing), instead of at its next poll. */
  nudge(): void {
    if (this.started && !this.stopping) this.schedule(0);
  }

  /** Claims and runs due jobs until none is left; resolves with how many ran. Rejects when the store does. */
  drain(): Promise<number> {
    const run = this.exclusive.then(() => this.runUntilEmpty());
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /** Stops claiming; waits for the current job (up to `graceMs`, then aborts and releases it). */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const current = this.current;
    if (current !== undefined && options.graceMs !== undefined) {
      let timeout: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, options.graceMs);
      });
      await Promise.race([current.done, graceOver]);
      clearTimeout(timeout);
      current.controller.abort(new Error(STOPPING));
    }
    await this.exclusive;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain()
        .catch((error: unknown) => this.emit({ type: 'error', error }))
        .finally(() => {
          if (!this.stopping && this.timer === undefined) this.schedule(this.options.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async runUntilEmpty(): Promise<number> {
    let ran = 0;
    while (!this.stopping) {
      const job = await this.options.jobs.claimNext({
        kinds: Object.keys(this.options.handlers), workerId: this.options.workerId, leaseMs: this.options.leaseMs, now: this.options.clock.now(),
      });
      if (job === undefined) break;
      ran += 1;
      await this.run(job);
    }
    return ran;
  }

  private async run(job: JobRecord): Promise<void> {
    const { jobs, workerId, clock, leaseMs } = this.options;
    const controller = new AbortController();
    let leaseLost = false;
    const heartbeat = setInterval(() => {
      jobs.heartbeat(job.id, workerId, leaseMs, clock.now()).then(
        (held) => {
          if (held || leaseLost) return;
          leaseLost = true;
          this.emit({ type: 'lease-lost', job });
          controller.abort(new Error('lease lost'));
        },
        (error: unknown) => this.emit({ type: 'error', error, job }),
      );
    }, heartbeatIntervalMs(leaseMs));
    heartbeat.unref();
    this.emit({ type: 'claimed', job });
    const handler = this.options.handlers[job.kind];
    const outcome = (async () => {
      if (handler === undefined) throw new Error(`No handler for jobs of kind ${job.kind}`);
      await handler(job, { signal: controller.signal });
    })();
    const done = outcome.then(() => undefined, () => undefined);
    this.current = { job, controller, done };
    let failure: { error: unknown } | undefined;
    try {
      await outcome;
    } catch (error) {
      failure = { error };
    } finally {
      clearInterval(heartbeat);
      this.current = undefined;
    }
    if (failure !== undefined) {
      await this.settleFailure(job, failure.error, controller.signal, leaseLost);
    } else if (await jobs.complete(job.id, workerId, clock.now())) {
      this.emit({ type: 'succeeded', job });
    } else if (!leaseLost) {
      this.emit({ type: 'lease-lost', job });
    }
  }

  private async settleFailure(job: JobRecord, error: unknown, signal: AbortSignal, leaseLost: boolean): Promise<void> {
    const { jobs, workerId, clock } = this.options;
    if (leaseLost) return;
    if (signal.aborted && this.stopping) {
      if (await jobs.release(job.id, workerId, clock.now())) this.emit({ type: 'released', job });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (await jobs.fail(job.id, workerId, { error: message, now: clock.now() })) this.emit({ type: 'failed', job, error });
    else this.emit({ type: 'lease-lost', job });
  }

  private emit(event: JobWorkerEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // an observer never changes the outcome of a job
    }
  }
}
