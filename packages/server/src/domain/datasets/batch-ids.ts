// Batch ids are ULIDs (SPEC §1.6): 26 Crockford base32 characters, time-ordered.
import type { IdGenerator } from '../runtime.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 10 characters of millisecond time followed by 16 of randomness (taken from a UUID's bits). */
export function newBatchId(now: number, ids: IdGenerator): string {
  let time = '';
  let rest = now;
  for (let i = 0; i < 10; i += 1) {
    time = CROCKFORD[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  const hex = ids.uuid().replaceAll('-', '');
  let bits = BigInt(`0x${hex.slice(0, 20)}`);
  let random = '';
  for (let i = 0; i < 16; i += 1) {
    random = CROCKFORD[Number(bits % 32n)] + random;
    bits /= 32n;
  }
  return time + random;
}
