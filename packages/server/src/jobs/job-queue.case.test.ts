// The job queue contract (lease, claim, heartbeat, complete/fail), run against SQLite and PostgreSQL with a fake clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type TestPostgres } from '../../test/support/with-postgres.js';
import { openPostgresStore } from '../storage/postgres/postgres-store.js';
import { openSqliteStore } from '../storage/sqlite/sqlite-store.js';
import type { JobRecord, NewJob, Store } from '../storage/store.js';
import { JobWorker, type JobWorkerEvent } from './job-worker.js';

const T0 = 1_750_000_000_000;
const LEASE = 60_000;
const ingest = (subjectId: string, over: Partial<NewJob> = {}): NewJob => ({ kind: 'ingest-batch', subjectId, sandboxId: 'sb-1', ...over });

/** Opens stores on one fresh, migrated database; every store opened is closed after the test. */
interface QueueSetup {
  newDatabase(): Promise<() => Promise<Store>>;
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function jobQueueContract(setup: QueueSetup): void {
  let store: Store;
  let other: Store;
  const opened: Store[] = [];

  beforeEach(async () => {
    const open = await setup.newDatabase();
    store = await open();
    opened.push(store);
    await store.migrate();
    other = await open();
    opened.push(other);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((each) => each.close()));
  });

  const claim = (workerId: string, now: number, on: Store = store, kinds = ['ingest-batch']) => on.jobs.claimNext({ kinds, workerId, leaseMs: LEASE, now });

  describe('claim', () => {
    it('claims a queued job once: running, owned, one attempt, leased until now + lease', async () => {
      const queued = await store.jobs.enqueue(ingest('b-1'), T0);
      expect(queued).toMatchObject({ state: 'queued', attempts: 0, leaseOwner: null, runAfter: T0, kind: 'ingest-batch', subjectId: 'b-1', sandboxId: 'sb-1' });
      const claimed = await claim('w-a', T0 + 5);
      expect(claimed).toMatchObject({ id: queued.id, state: 'running', attempts: 1, leaseOwner: 'w-a', leaseExpiresAt: T0 + 5 + LEASE });
      expect(await claim('w-b', T0 + 6)).toBeUndefined();
    });

    it('claims only the kinds asked for, lowest id first, and nothing before runAfter', async () => {
      const later = await store.jobs.enqueue(ingest('b-later', { runAfter: T0 + 1000 }), T0);
      const first = await store.jobs.enqueue(ingest('b-1'), T0);
      await store.jobs.enqueue({ kind: 'segment-job', subjectId: 's-1', sandboxId: null }, T0);
      expect(await claim('w', T0, store, ['dataflow-run'])).toBeUndefined();
      expect((await claim('w', T0))?.id).toBe(first.id);
      expect(await claim('w', T0 + 999)).toBeUndefined();
      expect((await claim('w', T0 + 1000))?.id).toBe(later.id);
      expect((await claim('w', T0, store, ['segment-job', 'ingest-batch']))?.kind).toBe('segment-job');
    });

    it('never gives one job to two workers: 60 concurrent claims over two connections for 25 jobs', async () => {
      const enqueued: JobRecord[] = [];
      for (let i = 0; i < 25; i += 1) enqueued.push(await store.jobs.enqueue(ingest(`b-${i}`), T0));
      const claims = await Promise.all(Array.from({ length: 60 }, (_, i) => claim(`w-${i}`, T0 + 1, i % 2 === 0 ? store : other)));
      const won = claims.filter((job): job is JobRecord => job !== undefined);
      expect(won).toHaveLength(25);
      expect(new Set(won.map((job) => job.id)).size).toBe(25);
      expect(new Set(won.map((job) => job.id))).toEqual(new Set(enqueued.map((job) => job.id)));
      for (const job of won) expect((await store.jobs.get(job.id))?.leaseOwner).toBe(job.leaseOwner);
    });

    it('runs the jobs of one queue one after the other, in enqueue order, while other queues go on', async () => {
      const q1 = await store.jobs.enqueue(ingest('b-1', { queueKey: 'sb-1/ds-1' }), T0);
      const q2 = await store.jobs.enqueue(ingest('b-2', { queueKey: 'sb-1/ds-1' }), T0);
      const r1 = await store.jobs.enqueue(ingest('b-3', { queueKey: 'sb-1/ds-2' }), T0);
      expect((await claim('w-a', T0))?.id).toBe(q1.id);
      expect((await claim('w-b', T0))?.id).toBe(r1.id);
      expect(await claim('w-c', T0)).toBeUndefined();
      expect(await store.jobs.fail(q1.id, 'w-a', { error: 'boom', now: T0 })).toBe(true);
      expect((await claim('w-c', T0))?.id).toBe(q2.id);
    });

    it('keeps a queue blocked behind a job whose worker died until the lease expires and the job is taken over', async () => {
      const q1 = await store.jobs.enqueue(ingest('b-1', { queueKey: 'q' }), T0);
      const q2 = await store.jobs.enqueue(ingest('b-2', { queueKey: 'q' }), T0);
      await claim('dead', T0);
      expect(await claim('alive', T0 + LEASE - 1)).toBeUndefined();
      expect((await claim('alive', T0 + LEASE))?.id).toBe(q1.id);
      await store.jobs.complete(q1.id, 'alive', T0 + LEASE);
      expect((await claim('alive', T0 + LEASE))?.id).toBe(q2.id);
    });
  });

  describe('leases', () => {
    it('hands an expired lease to the next claimer, counting the attempt; the old owner can no longer act', async () => {
      const job = await store.jobs.enqueue(ingest('b-1'), T0);
      await claim('w-a', T0);
      expect(await claim('w-b', T0 + LEASE - 1, other)).toBeUndefined();
      expect(await store.jobs.findExpired(T0 + LEASE - 1)).toEqual([]);
      expect((await store.jobs.findExpired(T0 + LEASE)).map((expired) => expired.id)).toEqual([job.id]);
      const takenOver = await claim('w-b', T0 + LEASE, other);
      expect(takenOver).toMatchObject({ id: job.id, attempts: 2, leaseOwner: 'w-b', leaseExpiresAt: T0 + 2 * LEASE });
      expect(await store.jobs.heartbeat(job.id, 'w-a', LEASE, T0 + LEASE + 1)).toBe(false);
      expect(await store.jobs.complete(job.id, 'w-a', T0 + LEASE + 1)).toBe(false);
      expect(await store.jobs.fail(job.id, 'w-a', { error: 'late', now: T0 + LEASE + 1 })).toBe(false);
      expect(await store.jobs.release(job.id, 'w-a', T0 + LEASE + 1)).toBe(false);
      expect(await store.jobs.get(job.id)).toMatchObject({ state: 'running', leaseOwner: 'w-b', lastError: null });
      expect(await other.jobs.complete(job.id, 'w-b', T0 + LEASE + 2)).toBe(true);
      expect(await store.jobs.get(job.id)).toMatchObject({ state: 'succeeded', leaseOwner: null, leaseExpiresAt: null, attempts: 2 });
    });

    it('extends the lease on heartbeat, so the job is not taken over while its worker lives', async () => {
      const job = await store.jobs.enqueue(ingest('b-1'), T0);
      await claim('w-a', T0);
      expect(await store.jobs.heartbeat(job.id, 'w-a', LEASE, T0 + 50_000)).toBe(true);
      expect((await store.jobs.get(job.id))?.leaseExpiresAt).toBe(T0 + 50_000 + LEASE);
      expect(await claim('w-b', T0 + LEASE + 1)).toBeUndefined();
      expect(await store.jobs.heartbeat(job.id, 'w-b', LEASE, T0 + LEASE + 1)).toBe(false);
    });

    it('refuses completion and failure by a worker that never owned the job', async () => {
      const job = await store.jobs.enqueue(ingest('b-1'), T0);
      expect(await store.jobs.complete(job.id, 'w-a', T0)).toBe(false);
      await claim('w-a', T0);
      expect(await store.jobs.complete(job.id, 'intruder', T0)).toBe(false);
      expect(await store.jobs.fail(job.id, 'intruder', { error: 'x', now: T0 })).toBe(false);
      expect((await store.jobs.get(job.id))?.state).toBe('running');
    });

    it('fails for good, or back to the queue until a retry time, recording the error', async () => {
      const once = await store.jobs.enqueue(ingest('b-1'), T0);
      await claim('w', T0);
      expect(await store.jobs.fail(once.id, 'w', { error: 'disk full', now: T0 + 1 })).toBe(true);
      expect(await store.jobs.get(once.id)).toMatchObject({ state: 'failed', lastError: 'disk full', leaseOwner: null });
      const retried = await store.jobs.enqueue(ingest('b-2'), T0);
      await claim('w', T0);
      expect(await store.jobs.fail(retried.id, 'w', { error: 'timeout', now: T0 + 1, retryAt: T0 + 30_000 })).toBe(true);
      expect(await store.jobs.get(retried.id)).toMatchObject({ state: 'queued', lastError: 'timeout', runAfter: T0 + 30_000, attempts: 1 });
      expect(await claim('w', T0 + 29_999)).toBeUndefined();
      expect(await claim('w', T0 + 30_000)).toMatchObject({ id: retried.id, attempts: 2 });
    });

    it('takes a released job back without counting the attempt', async () => {
      const job = await store.jobs.enqueue(ingest('b-1'), T0);
      await claim('w-a', T0);
      expect(await store.jobs.release(job.id, 'w-a', T0 + 10)).toBe(true);
      expect(await store.jobs.get(job.id)).toMatchObject({ state: 'queued', attempts: 0, leaseOwner: null });
      expect(await claim('w-b', T0 + 10)).toMatchObject({ id: job.id, attempts: 1, leaseOwner: 'w-b' });
    });

    it('ends every running lease at once (embedded start-up) so the jobs are claimable now', async () => {
      const job = await store.jobs.enqueue(ingest('b-1'), T0);
      await claim('previous-process', T0);
      expect(await store.jobs.expireAllLeases(T0 + 5)).toBe(1);
      expect(await claim('this-process', T0 + 5)).toMatchObject({ id: job.id, attempts: 2 });
    });
  });

  describe('enqueue', () => {
    it('keeps one unfinished job per kind and subject when asked, under concurrent enqueues, and a new one after it finished', async () => {
      const jobs = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? store : other).jobs.enqueue(ingest('b-1', { oncePerSubject: true }), T0)));
      expect(new Set(jobs.map((job) => job.id)).size).toBe(1);
      const id = jobs[0]?.id ?? -1;
      await claim('w', T0);
      expect((await store.jobs.enqueue(ingest('b-1', { oncePerSubject: true }), T0)).id).toBe(id);
      await store.jobs.complete(id, 'w', T0);
      const again = await store.jobs.enqueue(ingest('b-1', { oncePerSubject: true }), T0 + 1);
      expect(again.id).toBeGreaterThan(id);
      expect((await store.jobs.findLatest('ingest-batch', 'b-1'))?.id).toBe(again.id);
      expect((await store.jobs.enqueue(ingest('b-1'), T0 + 2)).id).toBeGreaterThan(again.id);
    });

    it('deletes the jobs of a sandbox except a running one', async () => {
      const running = await store.jobs.enqueue(ingest('b-1'), T0);
      const queued = await store.jobs.enqueue(ingest('b-2'), T0);
      const elsewhere = await store.jobs.enqueue(ingest('b-3', { sandboxId: 'sb-2' }), T0);
      await claim('w', T0);
      expect(await store.jobs.deleteOfSandbox('sb-1')).toBe(1);
      expect(await store.jobs.get(running.id)).toBeDefined();
      expect(await store.jobs.get(queued.id)).toBeUndefined();
      expect(await store.jobs.get(elsewhere.id)).toBeDefined();
    });
  });

  describe('worker loop', () => {
    let clockNow = T0;
    const clock = { now: () => clockNow };
    beforeEach(() => {
      clockNow = T0;
    });

    it('drains due jobs one at a time, completing those that resolve and failing those that throw', async () => {
      const order: string[] = [];
      let concurrent = 0;
      let maxConcurrent = 0;
      const events: JobWorkerEvent['type'][] = [];
      const worker = new JobWorker({
        jobs: store.jobs, workerId: 'w', clock, leaseMs: LEASE, pollIntervalMs: 1000, onEvent: (event) => events.push(event.type),
        handlers: {
          'ingest-batch': async (job) => {
            concurrent += 1;
            maxConcurrent = Math.max(maxConcurrent, concurrent);
            await new Promise((resolve) => setTimeout(resolve, 5));
            order.push(job.subjectId);
            concurrent -= 1;
            if (job.subjectId === 'bad') throw new Error('engine exploded');
          },
        },
      });
      const good = await store.jobs.enqueue(ingest('good'), T0);
      const bad = await store.jobs.enqueue(ingest('bad'), T0);
      const [a, b] = await Promise.all([worker.drain(), worker.drain()]);
      expect((a ?? 0) + (b ?? 0)).toBe(2);
      expect(order).toEqual(['good', 'bad']);
      expect(maxConcurrent).toBe(1);
      expect(await store.jobs.get(good.id)).toMatchObject({ state: 'succeeded' });
      expect(await store.jobs.get(bad.id)).toMatchObject({ state: 'failed', lastError: 'engine exploded' });
      expect(events).toEqual(['claimed', 'succeeded', 'claimed', 'failed']);
      await worker.stop();
    });

    it('picks up work in the background once started, and when nudged', async () => {
      const seen: string[] = [];
      const worker = new JobWorker({
        jobs: store.jobs, workerId: 'w', clock, leaseMs: LEASE, pollIntervalMs: 20,
        handlers: { 'ingest-batch': (job) => Promise.resolve(void seen.push(job.subjectId)) },
      });
      worker.start();
      await store.jobs.enqueue(ingest('polled'), T0);
      await waitFor(() => seen.includes('polled'), 'the polled job');
      await store.jobs.enqueue(ingest('nudged'), T0);
      worker.nudge();
      await waitFor(() => seen.includes('nudged'), 'the nudged job');
      await worker.stop();
    });

    it('heartbeats while a job runs, and aborts it when another worker took the job over', async () => {
      const leaseMs = 60;
      let release: () => void = () => undefined;
      let abortedBecause: unknown;
      const events: JobWorkerEvent['type'][] = [];
      const worker = new JobWorker({
        jobs: store.jobs, workerId: 'w-a', clock, leaseMs, pollIntervalMs: 1000, onEvent: (event) => events.push(event.type),
        handlers: {
          'ingest-batch': (_job, { signal }) =>
            new Promise<void>((resolve) => {
              release = resolve;
              signal.addEventListener('abort', () => {
                abortedBecause = signal.reason;
                resolve();
              });
            }),
        },
      });
      const job = await store.jobs.enqueue(ingest('b-1'), T0);
      const draining = worker.drain();
      await waitFor(async () => (await store.jobs.get(job.id))?.state === 'running', 'the claim');
      clockNow = T0 + 50;
      await waitFor(async () => (await store.jobs.get(job.id))?.leaseExpiresAt === T0 + 50 + leaseMs, 'a heartbeat');
      expect(await store.jobs.claimNext({ kinds: ['ingest-batch'], workerId: 'w-b', leaseMs: 10_000, now: T0 + 50 + leaseMs - 1 })).toBeUndefined();
      // Worker A's clock stays put (say it stalls): its heartbeats keep the lease at T0 + 50 + lease, which B's clock has passed.
      // On PostgreSQL a claim skips the row while one of A's heartbeats holds its lock, as a polling worker would: try again.
      let takenOver: JobRecord | undefined;
      await waitFor(async () => {
        takenOver = await other.jobs.claimNext({ kinds: ['ingest-batch'], workerId: 'w-b', leaseMs: 10_000, now: T0 + 50 + leaseMs + 1 });
        return takenOver !== undefined;
      }, 'the takeover');
      expect(takenOver?.leaseOwner).toBe('w-b');
      await draining;
      release();
      expect(String(abortedBecause)).toContain('lease lost');
      expect(events).toEqual(['claimed', 'lease-lost']);
      expect(await store.jobs.get(job.id)).toMatchObject({ state: 'running', leaseOwner: 'w-b' });
      await worker.stop();
    });

    it('on stop, lets the current job finish, or after the grace period aborts it and puts it back in the queue', async () => {
      const worker = new JobWorker({
        jobs: store.jobs, workerId: 'w', clock, leaseMs: LEASE, pollIntervalMs: 1000,
        handlers: {
          'ingest-batch': (_job, { signal }) =>
            new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
        },
      });
      const job = await store.jobs.enqueue(ingest('slow'), T0);
      const draining = worker.drain();
      await waitFor(async () => (await store.jobs.get(job.id))?.state === 'running', 'the claim');
      await worker.stop({ graceMs: 30 });
      await draining;
      expect(await store.jobs.get(job.id)).toMatchObject({ state: 'queued', attempts: 0, leaseOwner: null });
      expect(await worker.drain()).toBe(0);
    });
  });
}

describe('job queue on SQLite', () => {
  let directory: string;
  let counter = 0;
  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'activator-jobs-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  jobQueueContract({
    newDatabase: () => {
      counter += 1;
      const file = path.join(directory, `jobs-${counter}.db`);
      return Promise.resolve(() => openSqliteStore({ file }));
    },
  });
});

const postgres = postgresAvailability();
if (postgres.ok) {
  describe(`job queue on PostgreSQL (${postgres.source})`, () => {
    let server: TestPostgres;
    beforeAll(async () => {
      server = await startPostgres();
    });
    // Dropping one database per test takes a while on a loaded shared server.
    afterAll(async () => server.stop(), 180_000);
    jobQueueContract({
      newDatabase: async () => {
        const url = await server.createDatabase();
        return () => openPostgresStore({ connectionString: url });
      },
    });
  });
} else {
  describe.skip(`job queue on PostgreSQL — skipped: ${postgres.reason}`, () => {
    it('runs the job queue contract against PostgreSQL', () => undefined);
  });
}
