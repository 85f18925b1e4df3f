// The interval ticker: runs at once, then after each run, never overlapping; stop waits for the current run.
import { describe, expect, it } from 'vitest';
import { IntervalTicker } from './interval-ticker.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('IntervalTicker', () => {
  it('ticks at start and repeatedly, never two runs at once, reporting failures without stopping', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const errors: unknown[] = [];
    const ticker = new IntervalTicker({
      intervalMs: 5,
      tick: async () => {
        runs += 1;
        active += 1;
        maxActive = Math.max(maxActive, active);
        await sleep(10);
        active -= 1;
        if (runs === 2) throw new Error('second run fails');
      },
      onError: (error) => errors.push(error),
    });
    ticker.start();
    ticker.start();
    await sleep(120);
    await ticker.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(maxActive).toBe(1);
    expect(errors.map((e) => (e as Error).message)).toEqual(['second run fails']);
  });

  it('stop waits for the run in progress and prevents the next one', async () => {
    let finished = 0;
    let started = 0;
    const ticker = new IntervalTicker({ intervalMs: 1, tick: async () => { started += 1; await sleep(30); finished += 1; } });
    ticker.start();
    await sleep(10);
    await ticker.stop();
    expect([started, finished]).toEqual([1, 1]);
    await sleep(20);
    expect(started).toBe(1);
  });
});
