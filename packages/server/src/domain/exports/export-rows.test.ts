// Export rows: requested paths nested from merged attributes, identityMap with the profile key primary, declared membership paths.
import { describe, expect, it } from 'vitest';
import type { MergedProfile } from '../../engine/engine.js';
import { exportRow } from './export-rows.js';

const profile: MergedProfile = {
  profileKey: 'CRMID:C-1',
  identities: [{ namespace: 'CRMID', id: 'C-1', primary: true }, { namespace: 'Email', id: 'jane@example.com', primary: false }, { namespace: 'Email', id: 'j@x.com', primary: false }],
  sources: ['ds-1'],
  attributes: { crmId: 'C-1', loyalty: { points: 120, tier: 'gold' }, person: { name: { firstName: 'Jane' } }, empty: null },
  lastModifiedAt: 0,
};

describe('exportRow', () => {
  it('keeps the requested paths present in the profile, and the identity list as identityMap', () => {
    expect(exportRow(profile, ['loyalty.points', 'identities.id', 'person.name.lastName', 'empty'], new Set(), new Map())).toEqual({
      loyalty: { points: 120 },
      identityMap: { CRMID: [{ id: 'C-1', primary: true }], Email: [{ id: 'jane@example.com', primary: false }, { id: 'j@x.com', primary: false }] },
    });
  });

  it('exports every declared attribute when no field is requested, and declared segmentMembership paths', () => {
    const declared = new Set(['crmId', 'loyalty.tier', 'segmentMembership.ups.seg_a.status', 'segmentMembership.ups.seg_a.lastQualificationTime']);
    const membership = new Map([['seg_a', { status: 'realized', lastQualificationTime: Date.UTC(2026, 0, 16, 1) }], ['seg_b', { status: 'existing', lastQualificationTime: 0 }]]);
    expect(exportRow(profile, [], declared, membership)).toEqual({
      crmId: 'C-1', loyalty: { tier: 'gold' },
      identityMap: { CRMID: [{ id: 'C-1', primary: true }], Email: [{ id: 'jane@example.com', primary: false }, { id: 'j@x.com', primary: false }] },
      segmentMembership: { ups: { seg_a: { status: 'realized', lastQualificationTime: '2026-01-16T01:00:00.000Z' } } },
    });
  });

  it('treats keys such as __proto__ as data', () => {
    const row = exportRow({ ...profile, attributes: { ['__proto__']: { polluted: true } } }, ['__proto__.polluted'], new Set(), new Map());
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(row)).toContain('identityMap');
  });
});
