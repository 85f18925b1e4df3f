// fast-check generators for the compiler oracle: a scenario is a random catalogue and world, a `now` near the world's
// base day, and random well-typed PQL texts over that catalogue (see arbitraries-world.ts and arbitraries-pql.ts).
import fc from 'fast-check';
import { BASE_DAYS, msInDay, rawWorld, worldOf } from './arbitraries-world.js';
import { pqlText } from './arbitraries-pql.js';
import type { TestWorld } from './fixture.js';
import { MS_PER_DAY } from './reference-values.js';

export { pqlText, type Render, type RenderEnv } from './arbitraries-pql.js';
export { BASE_DAYS, catalogueOf, rawWorld, slotNames, worldOf, SEGMENT_IDS } from './arbitraries-world.js';

/** One world to load once, the job instant, and the PQL texts to evaluate in it. */
export interface Scenario { readonly world: TestWorld; readonly now: Date; readonly texts: readonly string[] }

/** Scenarios with `count` texts each, nested at most `depth` levels. */
export function scenario(options: { readonly texts?: { readonly min: number; readonly max: number }; readonly depth?: number } = {}): fc.Arbitrary<Scenario> {
  const { min = 1, max = 8 } = options.texts ?? {};
  return fc.record({
    base: fc.constantFrom(...BASE_DAYS),
    nowDays: fc.integer({ min: -2, max: 2 }),
    nowMs: msInDay,
    raw: rawWorld,
    renders: fc.array(pqlText(options.depth ?? 2), { minLength: min, maxLength: max }),
  }).map(({ base, nowDays, nowMs, raw, renders }) => ({
    world: worldOf(raw, base),
    now: new Date((base + nowDays) * MS_PER_DAY + nowMs),
    texts: renders.map((render) => render({ names: raw.names, base })),
  }));
}
