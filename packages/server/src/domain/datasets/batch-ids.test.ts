import { describe, expect, it } from 'vitest';
import { newBatchId } from './batch-ids.js';

describe('newBatchId', () => {
  it('encodes the time in the first 10 Crockford characters (the ULID spec example time)', () => {
    // 1469918176385 ms is 01ARYZ6S41 in the ULID specification.
    const id = newBatchId(1469918176385, { uuid: () => '00000000-0000-4000-8000-000000000000' });
    expect(id.slice(0, 10)).toBe('01ARYZ6S41');
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sorts by time', () => {
    const ids = { uuid: () => 'ffffffff-ffff-4fff-bfff-ffffffffffff' };
    expect(newBatchId(1000, ids) < newBatchId(1001, { uuid: () => '00000000-0000-4000-8000-000000000000' })).toBe(true);
  });
});
