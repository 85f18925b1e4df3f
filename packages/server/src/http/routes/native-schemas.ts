// Shared zod schemas of the native API (/api/v1): list paging and object views.
import { z } from 'zod';

/** `limit` (default 50, max 200) and `cursor` of native lists (SPEC §1.5). */
export const nativeListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });

/** ISO-8601 UTC with milliseconds, the native API's time format (SPEC §1.8). */
export function isoTime(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}

/** Access of the admin endpoints: the `admin` flag. */
export const ADMIN_ACCESS = { kind: 'admin' } as const;
