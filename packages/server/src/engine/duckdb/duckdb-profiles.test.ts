import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, fixtureDataset, writeBatch, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import type { MergeRules, ProfileScope } from '../engine.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';

// Hand-computed scenario. Fragment order (oldest first) for Jane's profile fragments:
//   CRM b1 r1 (updatedAt 01-01 10:00) < LOY b1 L-1 (no timestampField: completion 01-02 00:00)
//   < CRM b2 r1 (updatedAt 01-02 00:00, same time as LOY but batch completed later, 01-03).
// Components (pdg): Jane {CRMID:C-1, ECID:E-1, Email:jane@x.com, LOYID:L-1}, Bob {CRMID:C-2, ECID:E-3,
// Email:bob@x.com}, Zed {Email:zed@x.com, LOYID:L-9}, and the event-only {ECID:E-2}.
const ms = (iso: string) => Date.parse(`${iso}Z`);

describe('DuckDbProfileEngine', () => {
  let db: DuckDbDatabase;
  let engine: DuckDbProfileEngine;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-profiles-'));
  const lake = path.join(tmp, 'lake');
  let crm: FixtureDataset;
  let loy: FixtureDataset;
  let web: FixtureDataset;

  const scope = (rules: MergeRules): ProfileScope => ({
    sandboxId: 'sb',
    profileDatasets: [loy, crm],
    eventDatasets: [web],
    rules,
    derivedDir: path.join(tmp, 'derived'),
  });
  const stamped = { attributeMerge: { type: 'timestampOrdered' } } as const;
  const pdg: MergeRules = { identityGraph: 'pdg', ...stamped };
  const none: MergeRules = { identityGraph: 'none', ...stamped };
  const precedence = (identityGraph: MergeRules['identityGraph'], order: string[]): MergeRules => ({
    identityGraph,
    attributeMerge: { type: 'dataSetPrecedence', order },
  });

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    engine = new DuckDbProfileEngine(db);
    crm = fixtureDataset('ds-crm', {
      class: 'profile',
      fields: fields(
        ['crmId', 'string'],
        ['person.name.firstName', 'string'],
        ['person.name.lastName', 'string'],
        ['personalEmail.address', 'string'],
        ['loyalty.points', 'integer'],
        ['preferences.channels', 'array', 'string'],
        ['updatedAt', 'date-time'],
      ),
      identities: [
        { path: 'crmId', namespace: 'CRMID', primary: true },
        { path: 'personalEmail.address', namespace: 'Email', primary: false },
      ],
      timestampField: 'updatedAt',
    });
    loy = fixtureDataset('ds-loy', {
      class: 'profile',
      fields: fields(['loyaltyId', 'string'], ['personalEmail.address', 'string'], ['loyalty.points', 'integer'], ['loyalty.tier', 'string']),
      identities: [
        { path: 'loyaltyId', namespace: 'LOYID', primary: true },
        { path: 'personalEmail.address', namespace: 'Email', primary: false },
      ],
    });
    web = fixtureDataset('ds-web', {
      class: 'experienceEvent',
      fields: fields(['ecid', 'string'], ['web.page', 'string']),
      identities: [{ path: 'ecid', namespace: 'ECID', primary: true }],
    });
    await writeBatch(db, lake, crm, {
      id: 'crm-b1',
      completedAt: '2025-01-01 00:00:00',
      records: [
        {
          identities: [['CRMID', 'C-1'], ['Email', 'jane@x.com']],
          time: '2025-01-01 10:00:00',
          values: {
            crmId: 'C-1', 'person.name.firstName': 'Jane', 'person.name.lastName': 'Doe', 'personalEmail.address': 'jane@x.com',
            'loyalty.points': 100, 'preferences.channels': ['email'], updatedAt: '2025-01-01 10:00:00',
          },
        },
        {
          identities: [['CRMID', 'C-2'], ['Email', 'bob@x.com']],
          values: { crmId: 'C-2', 'person.name.firstName': 'Bob', 'personalEmail.address': 'bob@x.com' },
        },
      ],
    });
    await writeBatch(db, lake, loy, {
      id: 'loy-b1',
      completedAt: '2025-01-02 00:00:00',
      records: [
        {
          identities: [['LOYID', 'L-1'], ['Email', 'jane@x.com']],
          values: { loyaltyId: 'L-1', 'personalEmail.address': 'jane@x.com', 'loyalty.points': 250, 'loyalty.tier': 'gold' },
        },
        { identities: [['LOYID', 'L-9'], ['Email', 'zed@x.com']], values: { loyaltyId: 'L-9', 'personalEmail.address': 'zed@x.com', 'loyalty.tier': 'silver' } },
      ],
    });
    await writeBatch(db, lake, crm, {
      id: 'crm-b2',
      completedAt: '2025-01-03 00:00:00',
      records: [
        {
          identities: [['CRMID', 'C-1']],
          time: '2025-01-02 00:00:00',
          values: { crmId: 'C-1', 'person.name.firstName': 'Janet', 'loyalty.points': 300, 'preferences.channels': [], updatedAt: '2025-01-02 00:00:00' },
        },
      ],
    });
    await writeBatch(db, lake, web, {
      id: 'web-b1',
      completedAt: '2025-01-05 00:00:00',
      records: [
        { identities: [['ECID', 'E-1'], ['Email', 'jane@x.com']], timestamp: '2025-01-04 12:00:00', eventId: 'ev-1', values: { ecid: 'E-1', 'web.page': '/home' } },
        { identities: [['ECID', 'E-1']], timestamp: '2025-01-04 13:00:00', eventId: 'ev-2', values: { ecid: 'E-1', 'web.page': '/cart' } },
        { identities: [['ECID', 'E-2']], timestamp: '2025-01-04 14:00:00', eventId: 'ev-3', values: { ecid: 'E-2', 'web.page': '/x' } },
        { identities: [['ECID', 'E-3'], ['CRMID', 'C-2']], timestamp: '2025-01-03 00:00:00', file: 'web.json', row: 4, values: { ecid: 'E-3', 'web.page': '/bob' } },
      ],
    });
    // ev-2 again, later: it replaces the first ev-2 (same _id in one dataset).
    await writeBatch(db, lake, web, {
      id: 'web-b2',
      completedAt: '2025-01-06 00:00:00',
      records: [{ identities: [['ECID', 'E-1']], timestamp: '2025-01-04 13:30:00', eventId: 'ev-2', values: { ecid: 'E-1', 'web.page': '/checkout' } }],
    });
  });
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const janeCrmAttributes = {
    crmId: 'C-1',
    person: { name: { firstName: 'Janet', lastName: 'Doe' } },
    personalEmail: { address: 'jane@x.com' },
    loyalty: { points: 300 },
    preferences: { channels: [] },
    updatedAt: '2025-01-02T00:00:00.000Z',
  };

  describe('pdg × timestampOrdered', () => {
    it('merges the stitched profile attribute by attribute, newest fragment first', async () => {
      const profile = await engine.lookupProfile(scope(pdg), { namespace: 'email', id: ' JANE@x.com ' });
      expect(profile).toEqual({
        profileKey: 'CRMID:C-1',
        identities: [
          { namespace: 'CRMID', id: 'C-1', primary: true },
          { namespace: 'ECID', id: 'E-1', primary: false },
          { namespace: 'Email', id: 'jane@x.com', primary: false },
          { namespace: 'LOYID', id: 'L-1', primary: false },
        ],
        sources: ['ds-crm', 'ds-loy'],
        attributes: { ...janeCrmAttributes, loyalty: { points: 300, tier: 'gold' }, loyaltyId: 'L-1' },
        lastModifiedAt: ms('2025-01-02T00:00:00'),
      });
    });

    it('keys a profile by its smallest identity and flags the primary of its newest fragment', async () => {
      const zed = await engine.lookupProfile(scope(pdg), { namespace: 'LOYID', id: 'L-9' });
      expect(zed).toEqual({
        profileKey: 'Email:zed@x.com',
        identities: [
          { namespace: 'Email', id: 'zed@x.com', primary: false },
          { namespace: 'LOYID', id: 'L-9', primary: true },
        ],
        sources: ['ds-loy'],
        attributes: { loyaltyId: 'L-9', personalEmail: { address: 'zed@x.com' }, loyalty: { tier: 'silver' } },
        lastModifiedAt: ms('2025-01-02T00:00:00'),
      });
      const bob = await engine.lookupProfile(scope(pdg), { namespace: 'ECID', id: 'E-3' });
      expect(bob?.profileKey).toBe('CRMID:C-2');
      expect(bob?.identities.map((identity) => `${identity.namespace}:${identity.id}`)).toEqual(['CRMID:C-2', 'ECID:E-3', 'Email:bob@x.com']);
      expect(bob?.attributes).toEqual({ crmId: 'C-2', person: { name: { firstName: 'Bob' } }, personalEmail: { address: 'bob@x.com' } });
      expect(bob?.lastModifiedAt).toBe(ms('2025-01-01T00:00:00'));
    });

    it('returns profiles made of events only, with no attributes and the newest event time', async () => {
      expect(await engine.lookupProfile(scope(pdg), { namespace: 'ECID', id: 'E-2' })).toEqual({
        profileKey: 'ECID:E-2',
        identities: [{ namespace: 'ECID', id: 'E-2', primary: true }],
        sources: [],
        attributes: {},
        lastModifiedAt: ms('2025-01-05T00:00:00'),
      });
    });

    it('answers undefined for an identity no record carries, and counts components', async () => {
      expect(await engine.lookupProfile(scope(pdg), { namespace: 'Email', id: 'nobody@x.com' })).toBeUndefined();
      expect(await engine.countProfiles(scope(pdg))).toBe(4);
    });
  });

  describe('pdg × dataSetPrecedence', () => {
    it('takes each path from the first listed dataset that has it', async () => {
      const profile = await engine.lookupProfile(scope(precedence('pdg', ['ds-loy', 'ds-crm'])), { namespace: 'CRMID', id: 'C-1' });
      expect(profile?.attributes).toEqual({ ...janeCrmAttributes, loyalty: { points: 250, tier: 'gold' }, loyaltyId: 'L-1' });
      expect(profile?.identities.find((identity) => identity.primary)).toEqual({ namespace: 'CRMID', id: 'C-1', primary: true });
    });

    it('ignores the attributes of unlisted datasets but keeps their identities and lists them as sources', async () => {
      const profile = await engine.lookupProfile(scope(precedence('pdg', ['ds-crm'])), { namespace: 'LOYID', id: 'L-1' });
      expect(profile?.profileKey).toBe('CRMID:C-1');
      expect(profile?.attributes).toEqual(janeCrmAttributes);
      expect(profile?.sources).toEqual(['ds-crm', 'ds-loy']);
      expect(profile?.identities).toHaveLength(4);
    });
  });

  describe('none × timestampOrdered', () => {
    it('merges only the fragments sharing the primary identity', async () => {
      expect(await engine.lookupProfile(scope(none), { namespace: 'CRMID', id: 'C-1' })).toEqual({
        profileKey: 'CRMID:C-1',
        identities: [
          { namespace: 'CRMID', id: 'C-1', primary: true },
          { namespace: 'Email', id: 'jane@x.com', primary: false },
        ],
        sources: ['ds-crm'],
        attributes: janeCrmAttributes,
        lastModifiedAt: ms('2025-01-02T00:00:00'),
      });
      expect(await engine.lookupProfile(scope(none), { namespace: 'LOYID', id: 'L-1' })).toEqual({
        profileKey: 'LOYID:L-1',
        identities: [
          { namespace: 'Email', id: 'jane@x.com', primary: false },
          { namespace: 'LOYID', id: 'L-1', primary: true },
        ],
        sources: ['ds-loy'],
        attributes: { loyaltyId: 'L-1', personalEmail: { address: 'jane@x.com' }, loyalty: { points: 250, tier: 'gold' } },
        lastModifiedAt: ms('2025-01-02T00:00:00'),
      });
    });

    it('resolves an identity shared by several profiles to the one with the smallest key', async () => {
      // Email:jane@x.com is carried by CRMID:C-1, ECID:E-1 and LOYID:L-1; CRMID < ECID < LOYID.
      const profile = await engine.lookupProfile(scope(none), { namespace: 'Email', id: 'jane@x.com' });
      expect(profile?.profileKey).toBe('CRMID:C-1');
    });

    it('counts one profile per primary identity, events included', async () => {
      // CRMID C-1, C-2; LOYID L-1, L-9; ECID E-1, E-2, E-3.
      expect(await engine.countProfiles(scope(none))).toBe(7);
      const events = await engine.lookupProfile(scope(none), { namespace: 'ECID', id: 'E-1' });
      expect(events).toMatchObject({ profileKey: 'ECID:E-1', attributes: {}, sources: [], lastModifiedAt: ms('2025-01-06T00:00:00') });
    });
  });

  describe('none × dataSetPrecedence', () => {
    it('applies precedence within each primary identity', async () => {
      const rules = precedence('none', ['ds-loy', 'ds-crm']);
      expect((await engine.lookupProfile(scope(rules), { namespace: 'CRMID', id: 'C-1' }))?.attributes).toEqual(janeCrmAttributes);
      expect((await engine.lookupProfile(scope(rules), { namespace: 'LOYID', id: 'L-1' }))?.attributes).toEqual({
        loyaltyId: 'L-1',
        personalEmail: { address: 'jane@x.com' },
        loyalty: { points: 250, tier: 'gold' },
      });
    });
  });

  describe('profile events', () => {
    // An event without `_id` is known by batch, file and row (LAKE-FORMAT.md).
    const generatedId = 'web-b1:web.json:4';
    const ids = (events: readonly { eventId: string }[]) => events.map((event) => event.eventId);

    it('returns the events of the whole component under pdg, newest first, repeated ids collapsed to the last ingested', async () => {
      const events = await engine.profileEvents(scope(pdg), { namespace: 'LOYID', id: 'L-1' }, { limit: 100 });
      expect(events).toEqual([
        { eventId: 'ev-2', timestamp: ms('2025-01-04T13:30:00'), datasetId: 'ds-web', attributes: { ecid: 'E-1', web: { page: '/checkout' } } },
        { eventId: 'ev-1', timestamp: ms('2025-01-04T12:00:00'), datasetId: 'ds-web', attributes: { ecid: 'E-1', web: { page: '/home' } } },
      ]);
      expect(await engine.profileEvents(scope(pdg), { namespace: 'CRMID', id: 'C-2' }, { limit: 100 })).toEqual([
        { eventId: generatedId, timestamp: ms('2025-01-03T00:00:00'), datasetId: 'ds-web', attributes: { ecid: 'E-3', web: { page: '/bob' } } },
      ]);
      expect(ids(await engine.profileEvents(scope(pdg), { namespace: 'ECID', id: 'E-2' }, { limit: 100 }))).toEqual(['ev-3']);
    });

    it('filters by a half-open time window and limits the count', async () => {
      const jane = { namespace: 'Email', id: 'jane@x.com' };
      expect(ids(await engine.profileEvents(scope(pdg), jane, { startTime: ms('2025-01-04T12:30:00'), limit: 100 }))).toEqual(['ev-2']);
      expect(ids(await engine.profileEvents(scope(pdg), jane, { endTime: ms('2025-01-04T13:30:00'), limit: 100 }))).toEqual(['ev-1']);
      expect(ids(await engine.profileEvents(scope(pdg), jane, { startTime: ms('2025-01-04T12:00:00'), endTime: ms('2025-01-04T13:30:01'), limit: 100 }))).toEqual(['ev-2', 'ev-1']);
      expect(ids(await engine.profileEvents(scope(pdg), jane, { limit: 1 }))).toEqual(['ev-2']);
    });

    it('attaches events to the profile of their primary identity under none', async () => {
      expect(await engine.profileEvents(scope(none), { namespace: 'CRMID', id: 'C-1' }, { limit: 100 })).toEqual([]);
      expect(ids(await engine.profileEvents(scope(none), { namespace: 'ECID', id: 'E-1' }, { limit: 100 }))).toEqual(['ev-2', 'ev-1']);
      expect(ids(await engine.profileEvents(scope(none), { namespace: 'ECID', id: 'E-3' }, { limit: 100 }))).toEqual([generatedId]);
      expect(await engine.profileEvents(scope(none), { namespace: 'CRMID', id: 'C-2' }, { limit: 100 })).toEqual([]);
    });

    it('returns no events for an unknown identity', async () => {
      expect(await engine.profileEvents(scope(pdg), { namespace: 'ECID', id: 'nope' }, { limit: 100 })).toEqual([]);
    });
  });
});
