// The manifest document (SPEC §8.4), compared with the SPEC's example.
import { describe, expect, it } from 'vitest';
import { buildManifest, manifestTime, serialiseManifest } from './manifest.js';

describe('manifest', () => {
  it('is the SPEC example, field for field', () => {
    const manifest = buildManifest('88d6da63-dc97-460e-b781-fc795a7386d9', Date.UTC(2025, 0, 7, 10, 0, 0), [
      { sinkPath: '/activator/Flash sale VIP', name: 'Amazon_S3_db8961e9-d52f-45bc-b3fb-76d0382a6851_20250107_100000.csv.gz.gpg', size: 145854 },
    ]);
    const expected = {
      flowRunId: '88d6da63-dc97-460e-b781-fc795a7386d9',
      scheduledTime: '2025-01-07T10:00:00Z',
      exportResults: [{ sinkPath: '/activator/Flash sale VIP', name: 'Amazon_S3_db8961e9-d52f-45bc-b3fb-76d0382a6851_20250107_100000.csv.gz.gpg', size: 145854 }],
    };
    expect(JSON.parse(serialiseManifest(manifest).toString('utf8'))).toEqual(expected);
    expect(serialiseManifest(manifest).toString('utf8')).toBe(JSON.stringify(expected));
  });

  it('lists split files in order', () => {
    const files = [1, 2, 3].map((n) => ({ sinkPath: '/', name: `f_${n}.csv`, size: n }));
    expect(buildManifest('r', 0, files).exportResults.map((file) => file.name)).toEqual(['f_1.csv', 'f_2.csv', 'f_3.csv']);
  });

  it.each([
    [Date.UTC(2025, 0, 7, 10, 0, 0), '2025-01-07T10:00:00Z'],
    [Date.UTC(2025, 0, 7, 10, 0, 0, 999), '2025-01-07T10:00:00Z'],
    [Date.UTC(1999, 11, 31, 23, 59, 59, 1), '1999-12-31T23:59:59Z'],
  ])('renders %i as %s', (epochMs, text) => {
    expect(manifestTime(epochMs)).toBe(text);
  });
});
