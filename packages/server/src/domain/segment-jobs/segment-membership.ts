// `segmentMembership` of a profile lookup (SPEC §4.5): the profile's rows in the latest visible snapshot of each audience.
import type { SegmentEngine, SnapshotRow } from '../../engine/engine.js';
import type { SandboxScopedStore } from '../../storage/store.js';

export interface MembershipEntry {
  readonly status: SnapshotRow['status'];
  /** ISO-8601 with milliseconds. */
  readonly lastQualificationTime: string;
}

/** When one profile matches several rows (it absorbed profiles that were separate then), a member row wins over an exit. */
const RANK: Readonly<Record<SnapshotRow['status'], number>> = { realized: 2, existing: 2, exited: 1 };

/**
 * The membership of a profile in every audience whose latest visible snapshot was evaluated under `mergePolicyId`,
 * keyed by audience id. `profileKeys` are every `<namespace>:<id>` of the profile, so a profile whose key changed
 * since the snapshot is still found. Audiences where the profile has no row are left out.
 */
export async function segmentMembershipOf(
  engine: SegmentEngine, scope: SandboxScopedStore, mergePolicyId: string, profileKeys: readonly string[],
): Promise<Record<string, MembershipEntry>> {
  const membership: Record<string, MembershipEntry> = {};
  if (profileKeys.length === 0) return membership;
  const latest = [...(await scope.segmentSnapshots.latestVisible()).values()].filter((snapshot) => snapshot.mergePolicyId === mergePolicyId);
  for (const snapshot of latest.sort((a, b) => (a.segmentId < b.segmentId ? -1 : 1))) {
    const rows = await engine.readSnapshot({ path: snapshot.filePath }, profileKeys);
    const best = [...rows].sort((a, b) => RANK[b.status] - RANK[a.status] || b.lastQualificationTime - a.lastQualificationTime)[0];
    if (best !== undefined) membership[snapshot.segmentId] = { status: best.status, lastQualificationTime: new Date(best.lastQualificationTime).toISOString() };
  }
  return membership;
}
