// Selector validation on create (SPEC §7.3, §7.5, §8.1, §8.3): one test per rule, each FLOW-1420-400 naming where the problem is.
import { expect, it } from 'vitest';
import {
  AUDIENCE, expectValidationProblems, flowSuite, profileSelector, schedule, segmentSelector, transformParams,
} from '../support/flow-fixtures.js';
import { describeOnEachStore } from '../support/on-each-store.js';

const AT = 'segmentSelectors.selectors[0].value';

describeOnEachStore('Flow Service: validating the selectors of a new dataflow', (storeEnv) => {
  const suite = flowSuite(storeEnv);

  const flowCount = async () => (await suite.fs.get('/flows?count=true')).json().count as number;

  /** Creates a flow with these params and expects the problems (see expectValidationProblems) and nothing stored. */
  async function rejects(params: Record<string, unknown>, problems: readonly (readonly string[])[]): Promise<void> {
    const before = await flowCount();
    expectValidationProblems(await suite.fs.post('/flows', suite.fs.flowBody(suite.dlz, { transformations: transformParams(params) })), problems);
    expect(await flowCount()).toBe(before);
  }
  const withAudience = (overrides: Record<string, unknown>) => ({ segmentSelectors: { selectors: [segmentSelector(AUDIENCE.vip, overrides)] } });
  const withSchedule = (overrides: Record<string, unknown>, exportMode = 'DAILY_FULL_EXPORT') => withAudience({ exportMode, schedule: schedule(overrides) });
  async function accepts(params: Record<string, unknown>): Promise<void> {
    const res = await suite.fs.post('/flows', suite.fs.flowBody(suite.dlz, { transformations: transformParams(params) }));
    expect(res.statusCode, res.body).toBe(201);
  }

  it('refuses EVERY_3_HOURS with DAILY_FULL_EXPORT, naming the frequency', async () => {
    await rejects(withSchedule({ frequency: 'EVERY_3_HOURS' }), [[`${AT}.schedule.frequency`, 'EVERY_3_HOURS', 'DAILY_FULL_EXPORT']]);
  });

  it('refuses WEEKLY with FIRST_FULL_THEN_INCREMENTAL, naming the frequency', async () => {
    await rejects(withSchedule({ frequency: 'WEEKLY' }, 'FIRST_FULL_THEN_INCREMENTAL'), [[`${AT}.schedule.frequency`, 'WEEKLY', 'FIRST_FULL_THEN_INCREMENTAL']]);
  });

  it('accepts every frequency the SPEC allows for each export mode', async () => {
    const allowed = { DAILY_FULL_EXPORT: ['ONCE', 'DAILY', 'WEEKLY', 'MONTHLY'], FIRST_FULL_THEN_INCREMENTAL: ['DAILY', 'EVERY_3_HOURS', 'EVERY_6_HOURS', 'EVERY_8_HOURS', 'EVERY_12_HOURS'] };
    for (const [exportMode, frequencies] of Object.entries(allowed)) {
      for (const frequency of frequencies) await accepts(withSchedule({ frequency }, exportMode));
    }
  });

  it('refuses CHAINED and suggests triggerType AFTER_SEGMENT_EVAL', async () => {
    await rejects(withSchedule({ frequency: 'CHAINED' }), [[`${AT}.schedule.frequency`, 'CHAINED', 'AFTER_SEGMENT_EVAL']]);
  });

  it('refuses AFTER_SEGMENT_EVAL with FIRST_FULL_THEN_INCREMENTAL, naming the trigger type', async () => {
    await rejects(withSchedule({ triggerType: 'AFTER_SEGMENT_EVAL' }, 'FIRST_FULL_THEN_INCREMENTAL'), [[`${AT}.schedule.triggerType`, 'AFTER_SEGMENT_EVAL']]);
  });

  it('refuses an endDate with frequency ONCE', async () => {
    await rejects(withSchedule({ frequency: 'ONCE', endDate: '2026-03-01' }), [[`${AT}.schedule.endDate`, 'ONCE']]);
  });

  it('refuses an endDate that is not after the startDate', async () => {
    await rejects(withSchedule({ startDate: '2026-02-01', endDate: '2026-02-01' }), [[`${AT}.schedule.endDate`, '2026-02-01']]);
  });

  it('refuses startTime 25:00, quoting it', async () => {
    await rejects(withSchedule({ startTime: '25:00' }), [[`${AT}.schedule.startTime`, '25:00']]);
  });

  it('refuses a SCHEDULED schedule without startTime', async () => {
    await rejects(withSchedule({ startTime: undefined }), [[`${AT}.schedule.startTime`]]);
  });

  it('refuses a startDate before today (2026-01-15 on the fake clock) and accepts today', async () => {
    await rejects(withSchedule({ startDate: '2026-01-14' }), [[`${AT}.schedule.startDate`, '2026-01-14']]);
    await accepts(withSchedule({ startDate: '2026-01-15', startTime: '23:00' }));
  });

  it('refuses a ONCE export whose time today has already passed', async () => {
    await rejects(withSchedule({ frequency: 'ONCE', startDate: '2026-01-15', startTime: '08:00' }), [[`${AT}.schedule`, 'ONCE']]);
  });

  it('refuses a file name template without %SEGMENT_ID%', async () => {
    await rejects(withAudience({ filenameTemplate: '%DESTINATION_NAME%_%DATETIME(YYYYMMdd)%' }), [[`${AT}.filenameTemplate`, '%SEGMENT_ID%']]);
  });

  it('refuses a file name template without %DESTINATION_NAME% or %DESTINATION%', async () => {
    await rejects(withAudience({ filenameTemplate: 'acme_%SEGMENT_ID%' }), [[`${AT}.filenameTemplate`, '%DESTINATION_NAME%']]);
  });

  it('refuses an unknown file name macro, quoting it', async () => {
    await rejects(withAudience({ filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%CAMPAIGN%' }), [[`${AT}.filenameTemplate`, '%CAMPAIGN%']]);
  });

  it('refuses an external audience namespace and accepts ups and AEPSegments', async () => {
    await rejects(withAudience({ namespace: 'CustomerAudienceUpload' }), [[`${AT}.namespace`, 'CustomerAudienceUpload']]);
    await accepts(withAudience({ namespace: 'ups' }));
    await accepts(withAudience({ namespace: 'AEPSegments' }));
  });

  it('refuses enrichment attributes (a non-empty enrichmentInfo)', async () => {
    await rejects(withAudience({ enrichmentInfo: { enrichmentAttributes: [{ value: 'loyaltyTier' }] } }), [[`${AT}.enrichmentInfo`]]);
  });

  it('refuses the same audience twice, naming the second selector and the id', async () => {
    await rejects({ segmentSelectors: { selectors: [segmentSelector(AUDIENCE.vip), segmentSelector(AUDIENCE.vip)] } },
      [['segmentSelectors.selectors[1].value.id', AUDIENCE.vip]]);
  });

  it('refuses an audience id that is not a UUID, naming it', async () => {
    await rejects({ segmentSelectors: { selectors: [segmentSelector('not-an-audience')] } }, [['segmentSelectors.selectors[0].value.id', 'not-an-audience']]);
  });

  it('refuses a missing exportMode and a missing schedule, naming each', async () => {
    await rejects(withAudience({ exportMode: undefined }), [[`${AT}.exportMode`]]);
    await rejects(withAudience({ schedule: undefined }), [[`${AT}.schedule`]]);
  });

  it('refuses two mapped identity namespaces, naming both', async () => {
    await rejects({ profileSelectors: { selectors: [profileSelector('identityMap.Email'), profileSelector('identityMap.Phone')] } },
      [['profileSelectors', 'Email', 'Phone']]);
  });

  it('refuses a deduplication key mixing IDENTITY and ATTRIBUTE', async () => {
    await rejects({
      profileSelectors: { selectors: [profileSelector('personalEmail.address')] },
      primaryFields: [{ fieldType: 'IDENTITY', identityNamespace: 'Email' }, { fieldType: 'ATTRIBUTE', attributePath: 'personalEmail.address' }],
    }, [['primaryFields', 'IDENTITY', 'ATTRIBUTE']]);
  });

  it('refuses three attribute deduplication keys', async () => {
    const paths = ['personalEmail.address', 'person.name.firstName', 'person.name.lastName'];
    await rejects({
      profileSelectors: { selectors: paths.map((path) => profileSelector(path)) },
      primaryFields: paths.map((attributePath) => ({ fieldType: 'ATTRIBUTE', attributePath })),
    }, [['primaryFields', '3']]);
  });

  it('refuses a deduplication key on an attribute that is not mapped', async () => {
    await rejects({
      profileSelectors: { selectors: [profileSelector('person.name.firstName')] },
      primaryFields: [{ fieldType: 'ATTRIBUTE', attributePath: 'personalEmail.address' }],
    }, [['primaryFields[0]', 'personalEmail.address']]);
  });

  it('refuses a mandatory field that is not mapped, naming it', async () => {
    await rejects({ profileSelectors: { selectors: [profileSelector('person.name.firstName')] }, mandatoryFields: ['person.name.lastName'] },
      [['mandatoryFields[0]', 'person.name.lastName']]);
  });

  it('refuses two profile selectors that give the same column name', async () => {
    await rejects({ profileSelectors: { selectors: [profileSelector('person.name.firstName'), profileSelector('person.name.lastName', 'person_name.firstName')] } },
      [['profileSelectors.selectors[1]', 'person_name_firstName']]);
  });

  it('refuses a profileMapping that is not empty and accepts {}', async () => {
    await rejects({ profileMapping: { mappingSetId: '3b4c5d6e' } }, [['profileMapping']]);
    await accepts({ profileMapping: {} });
  });

  it('reports several problems of one flow in one message, joined by "; " in selector order', async () => {
    await rejects({ segmentSelectors: { selectors: [
      segmentSelector(AUDIENCE.vip, { schedule: schedule({ startTime: '25:00' }) }),
      segmentSelector(AUDIENCE.lapsed, { filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%CAMPAIGN%' }),
      segmentSelector(AUDIENCE.newsletter, { schedule: schedule({ startDate: '2026-01-01' }) }),
    ] } }, [
      [`${AT}.schedule.startTime`, '25:00'],
      ['segmentSelectors.selectors[1].value.filenameTemplate', '%CAMPAIGN%'],
      ['segmentSelectors.selectors[2].value.schedule.startDate', '2026-01-01'],
    ]);
  });

  it('reports a missing name together with the selector problems', async () => {
    const before = await flowCount();
    const res = await suite.fs.post('/flows', suite.fs.flowBody(suite.dlz, { name: '', transformations: transformParams(withSchedule({ startTime: '24:00' })) }));
    expectValidationProblems(res, [['name'], [`${AT}.schedule.startTime`, '24:00']]);
    expect(await flowCount()).toBe(before);
  });

  // Problems found while reading the AEP shape (CHAINED, an unknown exportMode, two target ids, an external namespace,
  // a profileMapping) are answered alone: the domain rules (name, templates, dates) only run once those are fixed.
  it.todo('reports a CHAINED frequency together with a missing name in one message');
});
