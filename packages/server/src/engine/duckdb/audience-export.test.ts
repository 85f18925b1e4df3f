// exportAudience (audience-export.ts) on small lakes: the SPEC §7.5 worked example and tie-break, mandatory fields,
// full and incremental rows (§8.2), split boundaries (§8.4). Files are read back with node:zlib / plain text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV, csvRows, exportRequest, fileText, openExportWorld, type ExportWorld } from '../../../test/support/export-fixtures.js';
import { fields, fixtureDataset, writeBatch, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import type { ExportColumn, MergeRules, ProfileScope } from '../engine.js';

const NONE: MergeRules = { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } };
const attribute = (name: string, path: string): ExportColumn => ({ kind: 'attribute', name, path });
const MAPPING: ExportColumn[] = [
  attribute('personalEmail_address', 'personalEmail.address'),
  attribute('person_name_firstName', 'person.name.firstName'),
  attribute('person_name_lastName', 'person.name.lastName'),
];
const PERSON = fields(['personalEmail.address', 'string'], ['person.name.firstName', 'string'], ['person.name.lastName', 'string']);

describe('exportAudience: the SPEC §7.5 worked example', () => {
  let world: ExportWorld;
  let scope: ProfileScope;
  let snapshot: string;
  const crm: FixtureDataset = fixtureDataset('ds-crm', { class: 'profile', fields: PERSON, identities: [] });

  beforeAll(async () => {
    world = await openExportWorld('audience-export-example');
    const emails: [string, string][] = [['Email', 'johndoe@example.com'], ['Email', 'jdoe@example.org']];
    await writeBatch(world.db, world.lake, crm, {
      id: 'b-0', completedAt: '2021-01-01 00:00:00',
      records: [
        { identities: [['CRMID', '1'], ...emails], values: { 'personalEmail.address': 'johndoe@example.com', 'person.name.firstName': 'John', 'person.name.lastName': 'Doe' } },
        { identities: [['CRMID', '2'], ...emails], values: { 'personalEmail.address': 'johndoe@example.com', 'person.name.firstName': 'John', 'person.name.lastName': 'D' } },
      ],
    });
    scope = world.scope([crm], NONE);
    snapshot = await world.snapshot('example', [
      { profileKey: 'CRMID:1', status: 'realized', at: '2021-03-10 00:00:00' },
      { profileKey: 'CRMID:2', status: 'existing', at: '2021-04-10 00:00:00' },
    ]);
  }, 60_000);
  afterAll(() => world.close());

  const cases: { name: string; columns: ExportColumn[]; dedupKey: string[]; rows: string[][] }[] = [
    { name: 'without a key both profiles are exported', columns: MAPPING, dedupKey: [], rows: [['johndoe@example.com', 'John', 'Doe'], ['johndoe@example.com', 'John', 'D']] },
    {
      name: 'with the Email namespace as key each id keeps the row of B (latest qualification)',
      columns: [...MAPPING, { kind: 'identity', name: 'Email', namespace: 'email' }],
      dedupKey: ['Email'],
      rows: [['johndoe@example.com', 'John', 'D', 'jdoe@example.org'], ['johndoe@example.com', 'John', 'D', 'johndoe@example.com']],
    },
    { name: 'with personalEmail.address as key only B is kept', columns: MAPPING, dedupKey: ['personalEmail_address'], rows: [['johndoe@example.com', 'John', 'D']] },
    {
      name: 'with the composite key address + last name both are kept',
      columns: MAPPING, dedupKey: ['personalEmail_address', 'person_name_lastName'], rows: [['johndoe@example.com', 'John', 'Doe'], ['johndoe@example.com', 'John', 'D']],
    },
  ];
  for (const testCase of cases) {
    it(`dedup ${testCase.name}`, async () => {
      const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns: testCase.columns, dedupKey: testCase.dedupKey }));
      expect(result.files).toHaveLength(1);
      const text = fileText(result.files[0]?.path as string);
      expect(text.split('\n')[0]).toBe(testCase.columns.map((column) => column.name).join(','));
      expect(csvRows(text)).toEqual(testCase.rows);
      const expanded = testCase.columns.some((column) => column.kind === 'identity') ? 4 : 2;
      expect(result).toMatchObject({ inputRecordCount: 2, skippedRecordCount: 0, outputRecordCount: testCase.rows.length, deduplicatedRowCount: expanded - testCase.rows.length });
      expect(result.files[0]?.rows).toBe(testCase.rows.length);
    });
  }
});

describe('exportAudience: tie-break, mandatory fields, incremental rows and splitting', () => {
  let world: ExportWorld;
  let scope: ProfileScope;
  const crm: FixtureDataset = fixtureDataset('ds-crm', { class: 'profile', fields: [...PERSON, ...fields(['loyalty.points', 'integer'])], identities: [] });
  const person = (email: string | null, first: string | null, last: string | null, points: number | null = null) => ({
    'personalEmail.address': email, 'person.name.firstName': first, 'person.name.lastName': last, 'loyalty.points': points,
  });

  beforeAll(async () => {
    world = await openExportWorld('audience-export-rules');
    await writeBatch(world.db, world.lake, crm, {
      id: 'b-0', completedAt: '2024-01-01 00:00:00',
      records: [
        { identities: [['CRMID', 'M']], values: person('test1@test.com', 'John', 'Morris', 1) },
        { identities: [['CRMID', 'D']], values: person('test1@test.com', 'John', 'Doe', 2) },
        { identities: [['CRMID', 'N'], ['Email', 'n1@x.com'], ['email', 'n2@x.com']], values: person('n@x.com', null, 'Nameless') },
        { identities: [['CRMID', 'Q']], values: person(null, 'Quiet', null) },
        { identities: [['CRMID', 'U']], time: '2024-06-01 00:00:00', values: person('test1@test.com', 'Zed', 'Zed') },
      ],
    });
    scope = world.scope([crm], NONE);
  }, 60_000);
  afterAll(() => world.close());

  it('keeps the row with the smallest non-key values when qualification and update times are equal (Doe before Morris)', async () => {
    const snapshot = await world.snapshot('tie', [
      { profileKey: 'CRMID:M', status: 'realized', at: '2024-02-01 00:00:00' },
      { profileKey: 'CRMID:D', status: 'realized', at: '2024-02-01 00:00:00' },
    ]);
    const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns: MAPPING, dedupKey: ['personalEmail_address'] }));
    expect(csvRows(fileText(result.files[0]?.path as string))).toEqual([['test1@test.com', 'John', 'Doe']]);
    expect(result.deduplicatedRowCount).toBe(1);
  });

  it('prefers the later profile update when qualification times are equal', async () => {
    const snapshot = await world.snapshot('updated', [
      { profileKey: 'CRMID:D', status: 'realized', at: '2024-02-01 00:00:00' },
      { profileKey: 'CRMID:U', status: 'realized', at: '2024-02-01 00:00:00' },
    ]);
    const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns: MAPPING, dedupKey: ['personalEmail_address'] }));
    expect(csvRows(fileText(result.files[0]?.path as string))).toEqual([['test1@test.com', 'Zed', 'Zed']]);
  });

  it('skips profiles lacking a mandatory value once each and keeps every row of a missing key', async () => {
    const snapshot = await world.snapshot('mandatory', ['M', 'N', 'Q', 'U'].map((id) => ({ profileKey: `CRMID:${id}`, status: 'realized' as const, at: '2024-02-01 00:00:00' })));
    const columns: ExportColumn[] = [...MAPPING, { kind: 'identity', name: 'Email', namespace: 'EMAIL' }];
    // Email mandatory: M, Q and U have no Email id → skipped; N has two (namespaces Email and email) → two rows.
    const byEmail = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns, mandatory: ['Email'] }));
    expect(byEmail).toMatchObject({ inputRecordCount: 4, skippedRecordCount: 3, outputRecordCount: 2, deduplicatedRowCount: 0 });
    expect(csvRows(fileText(byEmail.files[0]?.path as string))).toEqual([['n@x.com', '', 'Nameless', 'n1@x.com'], ['n@x.com', '', 'Nameless', 'n2@x.com']]);
    // First name mandatory: N lacks it. Dedup by address: Q's address is missing, so Q is never a duplicate.
    const byName = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns: MAPPING, mandatory: ['person_name_firstName'], dedupKey: ['personalEmail_address'] }));
    expect(byName).toMatchObject({ inputRecordCount: 4, skippedRecordCount: 1, outputRecordCount: 2, deduplicatedRowCount: 1 });
    expect(csvRows(fileText(byName.files[0]?.path as string))).toEqual([['', 'Quiet', ''], ['test1@test.com', 'Zed', 'Zed']]);
  });

  it('exports S\\B as Active and, with includeExpired, B\\S as Expired with status and qualification time columns', async () => {
    const baseline = await world.snapshot('baseline', [
      { profileKey: 'CRMID:M', status: 'realized', at: '2024-01-05 00:00:00' },
      { profileKey: 'CRMID:D', status: 'realized', at: '2024-01-05 00:00:00' },
    ]);
    const latest = await world.snapshot('latest', [
      { profileKey: 'CRMID:D', status: 'existing', at: '2024-01-05 00:00:00' },
      { profileKey: 'CRMID:M', status: 'exited', at: '2024-02-05 10:11:12.345' },
      { profileKey: 'CRMID:N', status: 'realized', at: '2024-02-05 10:11:12.345' },
    ]);
    const columns: ExportColumn[] = [attribute('last', 'person.name.lastName'), { kind: 'membershipStatus', name: 'segmentMembership_status' }, { kind: 'lastQualificationTime', name: 'at' }];
    const request = { scope, snapshot: { path: latest }, baseline: { path: baseline }, columns };
    const withExpired = await world.engine.exportAudience(exportRequest(world, { ...request, includeExpired: true }));
    // File order is by profile node: under `none` nodes follow (namespace, id) byte order, so M before N.
    expect(fileText(withExpired.files[0]?.path as string)).toBe(
      'last,segmentMembership_status,at\nMorris,Expired,2024-02-05T10:11:12.345Z\nNameless,Active,2024-02-05T10:11:12.345Z\n',
    );
    expect(withExpired.inputRecordCount).toBe(2);
    const activeOnly = await world.engine.exportAudience(exportRequest(world, { ...request, includeExpired: false }));
    expect(fileText(activeOnly.files[0]?.path as string)).toBe('last,segmentMembership_status,at\nNameless,Active,2024-02-05T10:11:12.345Z\n');
    const full = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: latest }, columns }));
    expect(fileText(full.files[0]?.path as string)).toBe(
      'last,segmentMembership_status,at\nDoe,Active,2024-01-05T00:00:00.000Z\nNameless,Active,2024-02-05T10:11:12.345Z\n',
    );
  });

  it('splits at maxFileRowCount (n = k·max, k·max + 1) repeating the header, and writes one file for zero rows', async () => {
    const ids = ['D', 'M', 'N', 'Q', 'U'];
    const snapshot = await world.snapshot('split', ids.map((id) => ({ profileKey: `CRMID:${id}`, status: 'realized' as const, at: '2024-02-01 00:00:00' })));
    const columns = [attribute('points', 'loyalty.points'), attribute('last', 'person.name.lastName')];
    const lines = ['2,Doe', '1,Morris', ',Nameless', ',', ',Zed'];
    for (const max of [1, 2, 5, 4]) {
      const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns, maxFileRowCount: max }));
      const expected = Array.from({ length: Math.ceil(5 / max) }, (_, part) => lines.slice(part * max, part * max + max));
      expect(result.files.map((file) => file.path.split('/').at(-1))).toEqual(expected.map((_, part) => `part-${String(part + 1).padStart(5, '0')}.csv`));
      expect(result.files.map((file) => fileText(file.path))).toEqual(expected.map((part) => `points,last\n${part.join('\n')}\n`));
      expect(result.files.map((file) => file.rows)).toEqual(expected.map((part) => part.length));
      expect(result.outputRecordCount).toBe(5);
    }
    const empty = await world.snapshot('empty', []);
    for (const [format, text] of [[CSV, 'points,last\n'], [{ ...CSV, csv: { ...CSV.csv, header: false } }, ''], [{ ...CSV, fileType: 'JSON' as const }, '']] as const) {
      const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: empty }, columns, format }));
      expect(result.files).toHaveLength(1);
      expect(fileText(result.files[0]?.path as string)).toBe(text);
      expect(result).toMatchObject({ inputRecordCount: 0, outputRecordCount: 0, skippedRecordCount: 0 });
    }
  });
});

describe('exportAudience: merged values, cancellation and caller errors', () => {
  let world: ExportWorld;
  const a: FixtureDataset = fixtureDataset('ds-a', { class: 'profile', fields: fields(['name', 'string'], ['points', 'integer'], ['tags', 'array', 'string']), identities: [] });
  const b: FixtureDataset = fixtureDataset('ds-b', { class: 'profile', fields: fields(['name', 'string'], ['points', 'integer']), identities: [] });
  let snapshot: string;
  const columns: ExportColumn[] = [attribute('name', 'name'), attribute('points', 'points'), attribute('tags', 'tags'), { kind: 'identity', name: 'CRMID', namespace: 'CRMID' }];

  beforeAll(async () => {
    world = await openExportWorld('audience-export-merge');
    await writeBatch(world.db, world.lake, a, {
      id: 'a-0', completedAt: '2024-01-01 00:00:00',
      records: [
        { identities: [['CRMID', '1']], time: '2024-01-01 00:00:00', values: { name: 'a-old', points: 1, tags: ['x'] } },
        { identities: [['CRMID', '2'], ['Email', 'two@x.com']], time: '2024-03-01 00:00:00', values: { name: 'a-new' } },
        { identities: [['CRMID', '3']], time: '2024-01-01 00:00:00', values: { points: 3 } },
      ],
    });
    await writeBatch(world.db, world.lake, b, {
      id: 'b-0', completedAt: '2024-02-01 00:00:00',
      records: [
        { identities: [['CRMID', '1']], time: '2024-02-01 00:00:00', values: { name: 'b-new', points: null } },
        { identities: [['CRMID', '2']], time: '2024-02-01 00:00:00', values: { name: 'b-old', points: 20 } },
        { identities: [['Email', 'two@x.com'], ['CRMID', '4']], time: '2024-02-01 00:00:00', values: { points: 40 } },
      ],
    });
    snapshot = await world.snapshot('merge', ['CRMID:1', 'CRMID:2', 'CRMID:3', 'CRMID:4'].map((profileKey) => ({ profileKey, status: 'realized' as const, at: '2024-04-01 00:00:00' })));
  }, 60_000);
  afterAll(() => world.close());

  const rulesCases: MergeRules[] = [
    { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } },
    { identityGraph: 'pdg', attributeMerge: { type: 'dataSetPrecedence', order: ['ds-b', 'ds-a'] } },
    { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } },
    { identityGraph: 'none', attributeMerge: { type: 'dataSetPrecedence', order: ['ds-a', 'ds-b'] } },
  ];
  for (const rules of rulesCases) {
    it(`writes the values lookupProfile gives (${rules.identityGraph}, ${rules.attributeMerge.type})`, async () => {
      const scope = world.scope([a, b], rules);
      const result = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns, format: { ...CSV, fileType: 'JSON' } }));
      const rows = fileText(result.files[0]?.path as string).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const expected = new Map<string, Record<string, unknown>>();
      for (const id of ['1', '2', '3', '4']) {
        const profile = await world.profiles.lookupProfile(scope, { namespace: 'CRMID', id });
        if (profile === undefined) continue;
        const attributes = profile.attributes as Record<string, unknown>;
        const values = Object.fromEntries(['name', 'points', 'tags'].filter((key) => attributes[key] !== undefined && attributes[key] !== null).map((key) => [key, typeof attributes[key] === 'bigint' ? Number(attributes[key]) : attributes[key]]));
        for (const identity of profile.identities.filter((entry) => entry.namespace === 'CRMID')) expected.set(identity.id, { ...values, CRMID: identity.id });
      }
      expect(new Map(rows.map((row) => [row['CRMID'] as string, row]))).toEqual(expected);
      expect(rows).toHaveLength(expected.size);
    });
  }

  it('rejects with the abort reason when cancelled, before or during the export', async () => {
    const scope = world.scope([a, b], rulesCases[0] as MergeRules);
    const before = new AbortController();
    before.abort(new Error('run cancelled'));
    await expect(world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns, signal: before.signal }))).rejects.toThrow('run cancelled');
    const during = new AbortController();
    const running = world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns, signal: during.signal }));
    during.abort(new Error('run cancelled meanwhile'));
    await expect(running).rejects.toThrow('run cancelled meanwhile');
    // The connection is usable afterwards: the next export succeeds.
    const next = await world.engine.exportAudience(exportRequest(world, { scope, snapshot: { path: snapshot }, columns }));
    expect(next.outputRecordCount).toBeGreaterThan(0);
  });

  it('names what is wrong in a request: unmapped mandatory or key column, duplicate names, bad row count, Parquet names equal but for case', async () => {
    const scope = world.scope([a, b], rulesCases[0] as MergeRules);
    const base = { scope, snapshot: { path: snapshot }, columns };
    await expect(world.engine.exportAudience(exportRequest(world, { ...base, mandatory: ['email'] }))).rejects.toThrow('Mandatory field "email" is not a mapped column');
    await expect(world.engine.exportAudience(exportRequest(world, { ...base, dedupKey: ['email'] }))).rejects.toThrow('Dedup key "email" is not a mapped column');
    await expect(world.engine.exportAudience(exportRequest(world, { ...base, columns: [...columns, attribute('name', 'points')] }))).rejects.toThrow('Column name "name" is mapped twice');
    await expect(world.engine.exportAudience(exportRequest(world, { ...base, maxFileRowCount: 0 }))).rejects.toThrow('maxFileRowCount must be a positive integer, got 0');
    const parquet = { ...CSV, fileType: 'PARQUET' as const };
    await expect(world.engine.exportAudience(exportRequest(world, { ...base, columns: [...columns, attribute('NAME', 'points')], format: parquet }))).rejects.toThrow('Column name "NAME" differs from another only in case');
  });
});
