// PATCH /flows/{id} (SPEC §1.7, §7.4) on both stores: the SPEC's example bodies, JSON Patch rules, all-or-nothing validation, etags and races.
import { expect, it } from 'vitest';
import {
  AUDIENCE, T0, expectFlowError, flowClient, flowSuite, profileSelector, schedule, segmentSelector, storedProfileSelector, transformParams,
} from '../support/flow-fixtures.js';
import { describeOnEachStore } from '../support/on-each-store.js';

const SELECTORS = '/transformations/0/params/segmentSelectors/selectors';
const HOUR = 3_600_000;
const seconds = (epochMs: number) => String(Math.floor(epochMs / 1000));

describeOnEachStore('Flow Service: patching dataflows', (storeEnv) => {
  const suite = flowSuite(storeEnv);

  /** A flow with the VIP audience (DAILY 06:00) and one mapped attribute. */
  const createVipFlow = () => suite.fs.createFlow(suite.dlz, { name: 'Acme S3 – CRM exports', transformations: transformParams({
    segmentSelectors: { selectors: [segmentSelector(AUDIENCE.vip, { name: 'Flash sale VIP' })] },
    profileSelectors: { selectors: [profileSelector('person.name.firstName')] },
  }) });
  const selectorsOf = async (id: string) => (await suite.fs.getFlow(id)).transformations[0].params.segmentSelectors.selectors;

  it('applies the first SPEC §7.4 example: add an audience with /-, add a column, rename (dates moved after today)', async () => {
    const { id, etag } = await createVipFlow();
    suite.t.clock.advance(HOUR);
    const audienceSchedule = { frequency: 'EVERY_6_HOURS', triggerType: 'SCHEDULED', startDate: '2026-02-08', endDate: '2026-03-08', startTime: '00:00' };
    const res = await suite.fs.patchFlow(id, etag, [
      { op: 'add', path: `${SELECTORS}/-`, value: { type: 'PLATFORM_SEGMENT', value: {
        id: AUDIENCE.lapsed, filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%',
        exportMode: 'FIRST_FULL_THEN_INCREMENTAL', schedule: audienceSchedule,
      } } },
      { op: 'add', path: '/transformations/0/params/profileSelectors/selectors/-', value: { type: 'JSON_PATH', value: { path: 'person.name.lastName' } } },
      { op: 'replace', path: '/name', value: 'Acme S3 – CRM exports (EU)' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ id, etag: expect.stringMatching(/^"[0-9a-f-]{36}"$/) });
    expect(res.json().etag).not.toBe(etag);
    const flow = await suite.fs.getFlow(id);
    expect(flow.name).toBe('Acme S3 – CRM exports (EU)');
    expect(flow.etag).toBe(res.json().etag);
    expect(flow.version).toBe(res.json().etag);
    expect(flow.updatedAt).toBe(T0 + HOUR);
    const params = flow.transformations[0].params;
    expect(params.segmentSelectors.selectors.map((s: { value: { id: string } }) => s.value.id)).toEqual([AUDIENCE.vip, AUDIENCE.lapsed]);
    expect(params.segmentSelectors.selectors[1].value).toEqual({
      id: AUDIENCE.lapsed, name: 'Lapsed buyers', description: '', filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%',
      exportMode: 'FIRST_FULL_THEN_INCREMENTAL', schedule: audienceSchedule, createTime: seconds(T0 + HOUR), updateTime: seconds(T0 + HOUR),
    });
    expect(params.profileSelectors.selectors).toEqual([
      storedProfileSelector('person.name.firstName', 'person.name.firstName'), storedProfileSelector('person.name.lastName', 'person.name.lastName'),
    ]);
  });

  it('applies the second SPEC §7.4 example: removing the only audience leaves an empty list', async () => {
    const { id, etag } = await createVipFlow();
    const res = await suite.fs.patchFlow(id, etag, [{ op: 'remove', path: `${SELECTORS}/0` }]);
    expect(res.statusCode, res.body).toBe(200);
    expect(await selectorsOf(id)).toEqual([]);
  });

  it('applies the third SPEC §7.4 example: a new startTime, which bumps updateTime but keeps createTime', async () => {
    const { id, etag } = await createVipFlow();
    suite.t.clock.advance(HOUR);
    const res = await suite.fs.patchFlow(id, etag, [{ op: 'replace', path: `${SELECTORS}/0/value/schedule/startTime`, value: '07:00' }]);
    expect(res.statusCode, res.body).toBe(200);
    const [vip] = await selectorsOf(id);
    expect(vip.value.schedule).toEqual(schedule({ startTime: '07:00' }));
    expect([vip.value.createTime, vip.value.updateTime]).toEqual([seconds(suite.t.clock.now() - HOUR), seconds(suite.t.clock.now())]);
  });

  it('keeps createTime and updateTime of audiences the PATCH does not change', async () => {
    const { id, etag } = await createVipFlow();
    const before = (await selectorsOf(id))[0].value;
    suite.t.clock.advance(HOUR);
    expect((await suite.fs.patchFlow(id, etag, [{ op: 'replace', path: '/description', value: 'EU only' }])).statusCode).toBe(200);
    const after = (await selectorsOf(id))[0].value;
    expect([after.createTime, after.updateTime]).toEqual([before.createTime, before.updateTime]);
  });

  it('matches op names case-insensitively ("ADD", "Replace")', async () => {
    const { id, etag } = await createVipFlow();
    const res = await suite.fs.patchFlow(id, etag, [
      { op: 'ADD', path: `${SELECTORS}/-`, value: segmentSelector(AUDIENCE.newsletter) },
      { op: 'Replace', path: '/description', value: 'Upper-case ops' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const flow = await suite.fs.getFlow(id);
    expect(flow.description).toBe('Upper-case ops');
    expect(flow.transformations[0].params.segmentSelectors.selectors.map((s: { value: { id: string } }) => s.value.id)).toEqual([AUDIENCE.vip, AUDIENCE.newsletter]);
  });

  it('inserts an audience at an index and ignores a value sent on remove', async () => {
    const { id, etag } = await createVipFlow();
    const inserted = await suite.fs.patchFlow(id, etag, [{ op: 'add', path: `${SELECTORS}/0`, value: segmentSelector(AUDIENCE.lapsed) }]);
    expect(inserted.statusCode, inserted.body).toBe(200);
    expect((await selectorsOf(id)).map((s: { value: { id: string } }) => s.value.id)).toEqual([AUDIENCE.lapsed, AUDIENCE.vip]);
    const removed = await suite.fs.patchFlow(id, inserted.json().etag, [{ op: 'remove', path: `${SELECTORS}/1`, value: 'ignored' }]);
    expect(removed.statusCode, removed.body).toBe(200);
    expect((await selectorsOf(id)).map((s: { value: { id: string } }) => s.value.id)).toEqual([AUDIENCE.lapsed]);
  });

  it('refuses an index out of range with FLOW-1456-400', async () => {
    const { id, etag } = await createVipFlow();
    const res = await suite.fs.patchFlow(id, etag, [{ op: 'remove', path: `${SELECTORS}/5` }]);
    expectFlowError(res, 'FLOW-1456-400', expect.stringMatching(/^Invalid patch operation: .*5/));
  });

  it('refuses an unknown op with FLOW-1456-400', async () => {
    const { id, etag } = await createVipFlow();
    expectFlowError(await suite.fs.patchFlow(id, etag, [{ op: 'merge', path: '/name', value: 'x' }]), 'FLOW-1456-400', expect.stringMatching(/^Invalid patch operation: .*merge/));
  });

  it.each(['/state', '/id', '/flowSpec', '/flowSpec/id', '/etag', '/inheritedAttributes/properties/isDestinationFlow'])(
    'refuses the path %s with FLOW-1455-400 naming it',
    async (path) => {
      const { id, etag } = await createVipFlow();
      expectFlowError(await suite.fs.patchFlow(id, etag, [{ op: 'replace', path, value: 'disabled' }]), 'FLOW-1455-400', `Invalid patch path: ${path}`);
    },
  );

  it('changes nothing when the patched flow is invalid: same GET, same etag', async () => {
    const { id, etag } = await createVipFlow();
    const before = (await suite.fs.get(`/flows/${id}`)).json();
    const res = await suite.fs.patchFlow(id, etag, [
      { op: 'replace', path: '/name', value: 'Renamed first' },
      { op: 'replace', path: `${SELECTORS}/0/value/schedule/startTime`, value: '24:30' },
    ]);
    expectFlowError(res, 'FLOW-1420-400', expect.stringContaining('segmentSelectors.selectors[0].value.schedule.startTime'));
    expect((await suite.fs.get(`/flows/${id}`)).json()).toEqual(before);
    expect(before.items[0].etag).toBe(etag);
  });

  it('changes nothing when a later op of the patch fails to apply', async () => {
    const { id, etag } = await createVipFlow();
    const before = (await suite.fs.get(`/flows/${id}`)).json();
    const res = await suite.fs.patchFlow(id, etag, [{ op: 'replace', path: '/name', value: 'Renamed' }, { op: 'remove', path: `${SELECTORS}/3` }]);
    expectFlowError(res, 'FLOW-1456-400', expect.any(String));
    expect((await suite.fs.get(`/flows/${id}`)).json()).toEqual(before);
  });

  it('does not re-check the start date of an unchanged audience against a later today', async () => {
    const { id, etag } = await createVipFlow();
    const weeks = 40 * 24 * HOUR;
    suite.t.clock.advance(weeks);
    const later = flowClient(suite.t, await suite.t.caller({ admin: true, name: 'weeks-later' })); // tokens live 24 h
    const res = await later.patchFlow(id, etag, [{ op: 'replace', path: '/name', value: 'Weeks later' }]);
    suite.t.clock.advance(-weeks); // the other tests' schedules start on 2026-02-01
    expect(res.statusCode, res.body).toBe(200);
  });

  it('refuses a PATCH without If-Match with FLOW-1403-400', async () => {
    const { id } = await createVipFlow();
    expectFlowError(await suite.fs.patchFlow(id, undefined, [{ op: 'replace', path: '/name', value: 'x' }]), 'FLOW-1403-400', 'If-Match header is missing');
  });

  it('refuses a stale If-Match with 412 FLOW-1404-412 quoting both versions as sent and stored', async () => {
    const { id, etag } = await createVipFlow();
    const stale = '"04001277-0000-0200-0000-62d9b13e0001"';
    const res = await suite.fs.patchFlow(id, stale, [{ op: 'replace', path: '/name', value: 'x' }]);
    expectFlowError(res, 'FLOW-1404-412', `Supplied version=[${stale}] does not match the current version on entity=[${etag}]`);
    expect((await suite.fs.getFlow(id)).etag).toBe(etag);
  });

  it('accepts If-Match without quotes and If-Match: *', async () => {
    const { id, etag } = await createVipFlow();
    const unquoted = await suite.fs.patchFlow(id, etag.replaceAll('"', ''), [{ op: 'replace', path: '/name', value: 'Unquoted' }]);
    expect(unquoted.statusCode, unquoted.body).toBe(200);
    const star = await suite.fs.patchFlow(id, '*', [{ op: 'replace', path: '/name', value: 'Any version' }]);
    expect(star.statusCode, star.body).toBe(200);
    expect((await suite.fs.getFlow(id)).name).toBe('Any version');
  });

  it('lets exactly one of two concurrent PATCHes with the same If-Match win; the flow shows the winner', async () => {
    const { id, etag } = await createVipFlow();
    const [a, b] = await Promise.all([
      suite.fs.patchFlow(id, etag, [{ op: 'replace', path: '/name', value: 'Writer A' }]),
      suite.fs.patchFlow(id, etag, [{ op: 'replace', path: '/name', value: 'Writer B' }]),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 412]);
    const [winner, loser, winnerName] = a.statusCode === 200 ? [a, b, 'Writer A'] : [b, a, 'Writer B'];
    const flow = await suite.fs.getFlow(id);
    expect(flow.name).toBe(winnerName);
    expect(flow.etag).toBe(winner.json().etag);
    expectFlowError(loser, 'FLOW-1404-412', `Supplied version=[${etag}] does not match the current version on entity=[${flow.etag}]`);
  });

  it('assigns a new etag on every PATCH and keeps only the last PATCH in lastOperation', async () => {
    const { id, etag } = await createVipFlow();
    const etags = [etag];
    const patches = [
      [{ op: 'replace', path: '/description', value: 'one' }],
      [{ op: 'add', path: `${SELECTORS}/-`, value: segmentSelector(AUDIENCE.lapsed) }],
      [{ op: 'replace', path: '/description', value: 'three' }, { op: 'remove', path: `${SELECTORS}/1` }],
    ];
    for (const ops of patches) {
      suite.t.clock.advance(HOUR);
      const res = await suite.fs.patchFlow(id, etags.at(-1), ops);
      expect(res.statusCode, res.body).toBe(200);
      etags.push(res.json().etag);
    }
    expect(new Set(etags).size).toBe(4);
    const flow = await suite.fs.getFlow(id);
    expect(flow.lastOperation).toEqual({
      started: suite.t.clock.now(), updated: suite.t.clock.now(), percentCompleted: 100, status: { value: 'completed', properties: null, errors: [] },
      ops: patches[2], operation: 'update',
    });
  });

  it('gives an added audience createTime and updateTime in epoch seconds as strings', async () => {
    const { id, etag } = await suite.fs.createFlow(suite.dlz);
    suite.t.clock.advance(90_500);
    const res = await suite.fs.patchFlow(id, etag, [{ op: 'add', path: `${SELECTORS}/-`, value: segmentSelector(AUDIENCE.vip, { createTime: '1', updateTime: 2 }) }]);
    expect(res.statusCode, res.body).toBe(200);
    const [vip] = await selectorsOf(id);
    expect(vip.value.createTime).toBe(seconds(suite.t.clock.now()));
    expect(vip.value.updateTime).toBe(seconds(suite.t.clock.now()));
    expect(vip.value.createTime).toMatch(/^\d{10}$/);
  });

  it('moves mandatory and primary fields patched at the legacy profileSelectors location to params', async () => {
    const { id, etag } = await createVipFlow();
    const res = await suite.fs.patchFlow(id, etag, [
      { op: 'add', path: '/transformations/0/params/profileSelectors/selectors/-', value: profileSelector('personalEmail.address') },
      { op: 'add', path: '/transformations/0/params/profileSelectors/mandatoryFields', value: ['person.name.firstName'] },
      { op: 'add', path: '/transformations/0/params/profileSelectors/primaryFields', value: [{ fieldType: 'ATTRIBUTE', attributePath: 'personalEmail.address' }] },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const params = (await suite.fs.getFlow(id)).transformations[0].params;
    expect(params.mandatoryFields).toEqual(['person.name.firstName']);
    expect(params.primaryFields).toEqual([{ fieldType: 'ATTRIBUTE', attributePath: 'personalEmail.address' }]);
    expect(Object.keys(params.profileSelectors)).toEqual(['selectors']);
  });

  it('answers FLOW-1439-404 for a PATCH of an unknown flow', async () => {
    const unknown = 'ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb';
    const res = await suite.fs.patchFlow(unknown, '*', [{ op: 'replace', path: '/name', value: 'x' }]);
    expectFlowError(res, 'FLOW-1439-404', `The requested flows resource ${unknown} is not found. Verify the resource ID before trying again.`, { id: unknown, type: 'flows' });
  });
});
