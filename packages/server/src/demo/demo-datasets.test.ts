import { describe, expect, it } from 'vitest';
import { DEMO_DATASETS, demoFileFields } from './demo-datasets.js';

// SPEC §3.1, restated here as the oracle.
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const SCALARS = ['string', 'integer', 'number', 'boolean', 'date', 'date-time'];

describe('DEMO_DATASETS', () => {
  it('lists the CRM profiles, the loyalty members and the web events, one file each', () => {
    expect(DEMO_DATASETS.map((dataset) => [dataset.file, dataset.schema.class])).toEqual([
      ['profiles', 'profile'],
      ['loyalty', 'profile'],
      ['events', 'experienceEvent'],
    ]);
    expect(new Set(DEMO_DATASETS.map((dataset) => dataset.name)).size).toBe(3);
  });

  it.each(DEMO_DATASETS.map((dataset) => [dataset.name, dataset] as const))('%s declares a valid inline schema', (_, dataset) => {
    const { fields, identities, timestampField } = dataset.schema;
    for (const field of fields) {
      expect(field.path).toMatch(PATH);
      expect([...SCALARS, 'array']).toContain(field.type);
      if (field.type === 'array') expect(SCALARS).toContain(field.items);
    }
    expect(new Set(fields.map((field) => field.path)).size).toBe(fields.length);
    expect(fields.map((field) => field.path)).not.toContain('identityMap');
    expect(fields.map((field) => field.path.split('.')[0])).not.toContain('segmentMembership');
    for (const identity of identities) {
      expect(fields.find((field) => field.path === identity.path)?.type).toBe('string');
      expect(identity.namespace).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,49}$/);
    }
    expect(identities.filter((identity) => identity.primary)).toHaveLength(1);
    if (timestampField !== undefined) expect(fields.find((field) => field.path === timestampField)?.type).toBe('date-time');
  });

  it('keeps the implicit event fields out of the event schema but puts them first in the event file', () => {
    const events = DEMO_DATASETS.find((dataset) => dataset.file === 'events');
    expect(events?.schema.fields.map((field) => field.path)).not.toContain('timestamp');
    expect(events?.schema.fields.map((field) => field.path)).not.toContain('_id');
    expect(events === undefined ? [] : demoFileFields(events).slice(0, 2).map((field) => field.path)).toEqual(['_id', 'timestamp']);
  });

  it('declares every path shared by two datasets with the same type, so the union schema accepts all three', () => {
    const typeOf = new Map<string, string>();
    for (const dataset of DEMO_DATASETS) {
      for (const field of dataset.schema.fields) {
        const type = `${field.type}${field.items === undefined ? '' : `<${field.items}>`}`;
        expect(typeOf.get(field.path) ?? type, field.path).toBe(type);
        typeOf.set(field.path, type);
      }
    }
  });

  it('links the datasets only through the Email identity: each has its own primary namespace', () => {
    const primaries = DEMO_DATASETS.map((dataset) => dataset.schema.identities.find((identity) => identity.primary)?.namespace);
    expect(primaries).toEqual(['CRMID', 'LoyaltyId', 'ECID']);
    for (const dataset of DEMO_DATASETS) {
      expect(dataset.schema.identities.filter((identity) => !identity.primary).map((identity) => identity.namespace)).toEqual(['Email']);
    }
  });
});
