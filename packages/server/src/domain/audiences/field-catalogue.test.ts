// Unit tests of the sandbox field catalogue: profile and event paths of profile-enabled datasets, implicit event fields.
import { describe, expect, it } from 'vitest';
import type { DatasetSchema } from '../../engine/lake-schema.js';
import { fieldCatalogueOf } from './field-catalogue.js';

const dataset = (schema: Partial<DatasetSchema> & Pick<DatasetSchema, 'class'>, profileEnabled = true) => ({
  profileEnabled, schema: { fields: [], identities: [], ...schema },
});

describe('fieldCatalogueOf', () => {
  it('is only the implicit event fields for a sandbox without datasets', () => {
    expect(fieldCatalogueOf([])).toEqual({ profile: [], event: [{ path: '_id', type: 'string' }, { path: 'timestamp', type: 'date-time' }] });
  });

  it('unions profile paths of profile datasets and event paths of event datasets, once each, sorted, skipping datasets not in profiles', () => {
    const catalogue = fieldCatalogueOf([
      dataset({ class: 'profile', fields: [
        { path: 'loyalty.points', type: 'integer', required: false },
        { path: 'crmId', type: 'string', required: true },
        { path: 'interests', type: 'array', items: 'string', required: false },
      ] }),
      dataset({ class: 'profile', fields: [{ path: 'crmId', type: 'string', required: false }, { path: 'birthDate', type: 'date', required: false }] }),
      dataset({ class: 'experienceEvent', fields: [{ path: 'commerce.order.priceTotal', type: 'number', required: false }, { path: 'timestamp', type: 'date-time', required: true }] }),
      dataset({ class: 'profile', fields: [{ path: 'exportOnly', type: 'boolean', required: false }] }, false),
    ]);
    expect(catalogue.profile).toEqual([
      { path: 'birthDate', type: 'date' },
      { path: 'crmId', type: 'string' },
      { path: 'interests', type: 'array', items: 'string' },
      { path: 'loyalty.points', type: 'integer' },
    ]);
    expect(catalogue.event).toEqual([
      { path: '_id', type: 'string' },
      { path: 'commerce.order.priceTotal', type: 'number' },
      { path: 'timestamp', type: 'date-time' },
    ]);
  });
});
