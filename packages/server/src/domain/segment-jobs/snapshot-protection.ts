// Snapshot retention must not delete what an export job is about to read (SPEC §5.7, §5.9): the audiences of export
// jobs that have not ended.
import type { ExportJobRecord, ExportJobStatus, SandboxScopedStore } from '../../storage/store.js';

/** Export jobs in these statuses read (or will read) their audiences' snapshots. */
export const READING_EXPORT_STATUSES: readonly ExportJobStatus[] = ['NEW', 'PROCESSING', 'CANCELLING'];
const PAGE = 500;

/** The audience ids of one export job's stored request (`filter.segments`, parsed by the export job service). */
function audiencesOf(job: ExportJobRecord): string[] {
  const segments = (job.request as { segments?: readonly { segmentId?: unknown }[] } | null)?.segments ?? [];
  return segments.flatMap((segment) => (typeof segment.segmentId === 'string' ? [segment.segmentId] : []));
}

/**
 * Audiences whose snapshots an export job that has not ended may read: retention keeps every snapshot of these
 * (they go at a later run, once the jobs ended). Over-keeping costs disk for a while; under-keeping fails an export.
 */
export async function audiencesBeingExported(scope: SandboxScopedStore): Promise<Set<string>> {
  const audiences = new Set<string>();
  let before: { createdAt: number; id: number } | undefined;
  for (;;) {
    const page = await scope.exportJobs.list({ statuses: READING_EXPORT_STATUSES, before, limit: PAGE });
    for (const job of page) for (const id of audiencesOf(job)) audiences.add(id);
    const last = page.at(-1);
    if (page.length < PAGE || last === undefined) return audiences;
    before = { createdAt: last.createdAt, id: last.id };
  }
}
