// Test helper: real audiences (segment definition rows) with fixed ids, so flow tests can reference them by the ids they assert.
import type { SegmentDefinitionRecord, SegmentLifecycleState } from '../../src/storage/store.js';
import type { TestApp } from './with-app.js';

/** Ids of audiences flow tests use; {@link seedFixtureAudiences} makes them real, published audiences of `prod`. */
export const AUDIENCE = {
  vip: 'db8961e9-d52f-45bc-b3fb-76d0382a6851',
  lapsed: '3a1b2c3d-4e5f-4789-abcd-ef0123456789',
  newsletter: '5c2e9f10-7a4b-4c3d-8e1f-0a9b8c7d6e5f',
} as const;

/** A distinct audience id per number, e.g. for flows with many audiences. */
export function audienceId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** How many `audienceId(n)` audiences {@link seedFixtureAudiences} creates (n = 1…this). */
export const NUMBERED_AUDIENCES = 20;

/** Names of the {@link AUDIENCE} audiences, as SPEC §5.1 and §7 examples call them. */
const NAMES: Readonly<Record<string, string>> = {
  [AUDIENCE.vip]: 'Flash sale VIP', [AUDIENCE.lapsed]: 'Lapsed buyers', [AUDIENCE.newsletter]: 'Newsletter subscribers',
};

/** The name a fixture audience is stored with (the name flows show for it). */
export function fixtureAudienceName(id: string): string {
  const named = NAMES[id];
  if (named !== undefined) return named;
  const numbered = Array.from({ length: NUMBERED_AUDIENCES }, (_, i) => audienceId(i + 1)).indexOf(id);
  return numbered >= 0 ? `Audience ${numbered + 1}` : `Audience ${id.slice(0, 8)}`;
}

/**
 * Stores audiences with the given ids in a sandbox, straight through the app's store (the API would choose their
 * ids): `published` with a batch PQL expression unless `state` says otherwise.
 */
export async function seedAudiences(
  t: TestApp, ids: readonly string[], options: { sandbox?: string; state?: SegmentLifecycleState; names?: Readonly<Record<string, string>> } = {},
): Promise<void> {
  const sandbox = await t.runtime.store.sandboxes.getByName(options.sandbox ?? 'prod');
  if (sandbox === undefined) throw new Error(`seedAudiences: no sandbox ${options.sandbox ?? 'prod'}`);
  const now = t.clock.now();
  for (const id of ids) {
    const record: SegmentDefinitionRecord = {
      id, name: options.names?.[id] ?? fixtureAudienceName(id), description: null, expression: 'loyalty.points >= 0', mergePolicyId: 'timestampOrdered-none-mp',
      lifecycleState: options.state ?? 'published', evaluationInfo: { batch: true, continuous: false, synchronous: false },
      dependencies: [], fields: ['loyalty.points'], etag: `"${id}"`, createdAt: now, updatedAt: now, createdBy: 'test', updatedBy: 'test',
    };
    await t.runtime.store.sandbox(sandbox.id).segmentDefinitions.create(record);
  }
}

/** The audiences flow tests reference: {@link AUDIENCE} and `audienceId(1…20)`, published in `prod`. */
export async function seedFixtureAudiences(t: TestApp): Promise<void> {
  await seedAudiences(t, [...Object.values(AUDIENCE), ...Array.from({ length: NUMBERED_AUDIENCES }, (_, i) => audienceId(i + 1))]);
}
