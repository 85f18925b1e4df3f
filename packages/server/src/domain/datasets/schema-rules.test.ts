import { describe, expect, it } from 'vitest';
import { parseDatasetSchema, unionSchemaConflicts } from './schema-rules.js';

const crm = {
  class: 'profile',
  fields: [
    { path: 'crmId', type: 'string', required: true },
    { path: 'personalEmail.address', type: 'string' },
    { path: 'loyalty.points', type: 'integer' },
    { path: 'preferences.channels', type: 'array', items: 'string' },
    { path: 'updatedAt', type: 'date-time' },
  ],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'personalEmail.address', namespace: 'Email', primary: false }],
  timestampField: 'updatedAt',
};

describe('parseDatasetSchema', () => {
  it('accepts the SPEC §3.2 example shape with defaults applied', () => {
    const { schema, problems } = parseDatasetSchema(crm);
    expect(problems).toEqual([]);
    expect(schema?.fields[1]).toEqual({ path: 'personalEmail.address', type: 'string', required: false });
    expect(schema?.fields[3]).toEqual({ path: 'preferences.channels', type: 'array', items: 'string', required: false });
    expect(schema?.timestampField).toBe('updatedAt');
  });

  it.each([
    [{ ...crm, fields: [...crm.fields, { path: 'x', type: 'text' }] }, 'schema.fields[5].type of x must be one of string, integer, number, boolean, date, date-time, array, got "text"'],
    [{ ...crm, fields: [...crm.fields, { path: 'crmId', type: 'string' }] }, 'schema.fields declares crmId twice'],
    [{ ...crm, identities: [{ path: 'crmId', namespace: 'CRMID', primary: false }] }, 'schema.identities needs one primary identity in a profile dataset'],
    [{ ...crm, identities: [{ path: 'loyalty.points', namespace: 'X', primary: true }] }, 'schema.identities[0].path loyalty.points must be a string field (it is integer)'],
    [{ ...crm, identities: [{ path: 'crmId', namespace: '1bad', primary: true }] }, 'schema.identities[0].namespace must match'],
    [{ ...crm, fields: [...crm.fields, { path: 'identityMap.Email', type: 'string' }] }, 'is a system field'],
    [{ ...crm, fields: [...crm.fields, { path: 'bad path', type: 'string' }] }, 'must be a dot path'],
    [{ ...crm, fields: [...crm.fields, { path: 'tags', type: 'array' }] }, 'schema.fields[5].items of array tags must be one of'],
    [{ ...crm, timestampField: 'crmId' }, 'schema.timestampField must name a date-time field, got "crmId"'],
    [{ ...crm, class: 'lookup' }, 'schema.class must be profile or experienceEvent'],
    [{ ...crm, fields: [...crm.fields, { path: 'crmId.part', type: 'string' }] }, 'crmId.part cannot be nested under the scalar field crmId'],
    [{ ...crm, identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'personalEmail.address', namespace: 'Email', primary: true }] }, 'has 2 primary identities'],
  ])('refuses an invalid schema with a clear sentence (%#)', (schema, message) => {
    const result = parseDatasetSchema(schema);
    expect(result.schema).toBeUndefined();
    expect(result.problems.join('; ')).toContain(message);
  });

  it('accepts every path of the grammar, names the engine once used internally included (SPEC §3.1)', () => {
    const paths = ['_file', '_row', '_prec', '_ds', '_identities', '_primary_id', '_batch_completed_at', '__profile', '_acme.tier', '_acme._file', '_id', 'timestamp', 'file_row_number', '__proto__'];
    const schema = { class: 'profile', fields: [...crm.fields, ...paths.map((path) => ({ path, type: 'string' }))], identities: crm.identities };
    expect(parseDatasetSchema(schema).problems).toEqual([]);
  });

  it('adds the implicit timestamp and _id of event datasets and refuses redeclaring them', () => {
    const events = { class: 'experienceEvent', fields: [{ path: 'commerce.order.priceTotal', type: 'number' }], identities: [] };
    expect(parseDatasetSchema(events).problems).toEqual([]);
    const redeclared = { ...events, fields: [...events.fields, { path: 'timestamp', type: 'date-time' }] };
    expect(parseDatasetSchema(redeclared).problems.join()).toContain('declares timestamp twice (it is implicit in experienceEvent datasets)');
  });
});

describe('unionSchemaConflicts', () => {
  it('names the path, the other type and the other dataset', () => {
    const { schema } = parseDatasetSchema(crm);
    const other = parseDatasetSchema({
      class: 'profile', fields: [{ path: 'crmId', type: 'string' }, { path: 'loyalty.points', type: 'number' }], identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
    }).schema;
    expect(other).toBeDefined();
    expect(schema && other ? unionSchemaConflicts(schema, [{ id: '65f1a2b3c4d5e6f708192a3b', schema: other }]) : []).toEqual([
      'Field loyalty.points is declared as number in dataset 65f1a2b3c4d5e6f708192a3b',
    ]);
  });
});
