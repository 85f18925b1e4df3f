// Tests of the dataflow definition rules (SPEC §7.3–§7.5, §14 soft limits).

import { describe, expect, it } from 'vitest';
import {
  checkFlowDefinition, classifyProfileSource, columnNameOf, dedupKeyFromFields, defaultColumnDestination,
  type DedupFieldInput, type FlowCheckContext,
} from './flow-rules.js';
import type { ColumnMapping, FlowAudience, FlowDefinition } from './flow-types.js';

/** 2025-01-07 05:00 UTC. */
const NOW = Date.UTC(2025, 0, 7, 5, 0);
const CONTEXT: FlowCheckContext = { now: NOW };

function audience(segmentId: string, overrides: Partial<FlowAudience> = {}): FlowAudience {
  return {
    segmentId, name: 'VIP', description: '', filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%', exportMode: 'DAILY_FULL_EXPORT',
    schedule: { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2025-01-07', startTime: '06:00' }, addedAt: NOW, updatedAt: NOW,
    ...overrides,
  };
}

function column(source: string, destination = source): ColumnMapping {
  return { source, destination, identity: source.startsWith('identityMap.') };
}

function definition(overrides: Partial<FlowDefinition> = {}): FlowDefinition {
  return {
    name: 'CRM exports', description: '', flowSpecId: '1a0514a6-33d4-4c7f-aff8-594799c47549', sourceConnectionId: 'source-1',
    targetConnectionId: 'target-1', labels: [], audiences: [audience('a1')],
    columns: [column('person.name.firstName'), column('personalEmail.address'), column('segmentMembership.status')],
    mandatoryFields: [], dedupKey: undefined,
    ...overrides,
  };
}

function problemsOf(overrides: Partial<FlowDefinition>, context: FlowCheckContext = CONTEXT): string[] {
  return checkFlowDefinition(definition(overrides), context).problems;
}

describe('checkFlowDefinition', () => {
  it('accepts a valid definition without problems or warnings', () => {
    expect(checkFlowDefinition(definition(), CONTEXT)).toMatchObject({ problems: [], warnings: [] });
  });

  it('accepts a flow without audiences and columns (the create default)', () => {
    expect(problemsOf({ audiences: [], columns: [] })).toEqual([]);
  });

  it.each<[string, Partial<FlowDefinition>, string[]]>([
    ['an empty name', { name: '  ' }, ['name is required']],
    ['an empty flow spec id', { flowSpecId: '' }, ['flowSpec.id is required']],
    ['an audience without id', { audiences: [audience('')] }, ['segmentSelectors.selectors[0].value.id is required']],
    ['an audience listed twice', { audiences: [audience('a1'), audience('a2'), audience('a1')] },
      ['segmentSelectors.selectors[2].value.id a1 repeats segmentSelectors.selectors[0], an audience may appear once per dataflow']],
    ['a template without segment id', { audiences: [audience('a1', { filenameTemplate: '%DESTINATION%' })] },
      ['segmentSelectors.selectors[0].value.filenameTemplate must contain %SEGMENT_ID%']],
    ['a schedule with a bad start time', { audiences: [audience('a1'), audience('a2', { schedule: { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2025-01-08', startTime: '7:00' } })] },
      ['segmentSelectors.selectors[1].value.schedule.startTime must be HH:mm (00:00–23:59), got "7:00"']],
    ['a frequency the export mode does not allow', { audiences: [audience('a1', { exportMode: 'FIRST_FULL_THEN_INCREMENTAL', schedule: { frequency: 'MONTHLY', triggerType: 'SCHEDULED', startDate: '2025-01-08', startTime: '06:00' } })] },
      ['segmentSelectors.selectors[0].value.schedule.frequency MONTHLY is not allowed with exportMode FIRST_FULL_THEN_INCREMENTAL (allowed: DAILY, EVERY_3_HOURS, EVERY_6_HOURS, EVERY_8_HOURS, EVERY_12_HOURS)']],
    ['a column without source', { columns: [column('', 'x')] }, ['profileSelectors.selectors[0].value.path is required']],
    ['a malformed source path', { columns: [column('person..name')] },
      ['profileSelectors.selectors[0].value.path person..name is not a source path (expected an attribute path such as person.name.firstName, identityMap.<Namespace> or segmentMembership.status)']],
    ['a path below identityMap that is not a namespace', { columns: [column('identityMap.Email.id')] },
      ['profileSelectors.selectors[0].value.path identityMap.Email.id is not a source path (expected an attribute path such as person.name.firstName, identityMap.<Namespace> or segmentMembership.status)']],
    ['an unknown segmentMembership field', { columns: [column('segmentMembership.ups.x.foo')] },
      ['profileSelectors.selectors[0].value.path segmentMembership.ups.x.foo is not a source path (expected an attribute path such as person.name.firstName, identityMap.<Namespace> or segmentMembership.status)']],
    ['two columns with the same name', { columns: [column('person.name.firstName'), column('first', 'person_name.firstName')] },
      ['profileSelectors.selectors[1].value.mapping.destination person_name.firstName gives the column person_name_firstName, which profileSelectors.selectors[0] already has, column names must be unique']],
    ['two identity namespaces', { columns: [column('identityMap.Email'), column('identityMap.ECID')] },
      ['profileSelectors maps the identity namespaces Email, ECID, at most one identity namespace may be mapped per dataflow']],
    ['a mandatory field that is not mapped', { mandatoryFields: ['person.name.firstName', 'person.name.lastName'] },
      ['mandatoryFields[1] person.name.lastName must be a mapped attribute path or the mapped identity namespace']],
    ['a mandatory namespace that is not mapped', { mandatoryFields: ['GAID'] }, ['mandatoryFields[0] GAID must be a mapped attribute path or the mapped identity namespace']],
    ['a dedup namespace that is not mapped', { dedupKey: { kind: 'identity', namespace: 'GAID' } },
      ['primaryFields[0].identityNamespace GAID must be mapped in profileSelectors as identityMap.GAID']],
    ['a dedup attribute that is not mapped', { dedupKey: { kind: 'attributes', paths: ['personalEmail.address', 'person.name.lastName'] } },
      ['primaryFields[1].attributePath person.name.lastName must be a mapped attribute']],
    ['a composite key naming one attribute twice', { dedupKey: { kind: 'attributes', paths: ['personalEmail.address', 'personalEmail.address'] } },
      ['primaryFields[1].attributePath personalEmail.address repeats primaryFields[0]']],
    ['an attribute key while an identity namespace is mapped', { columns: [column('identityMap.Email', 'Email'), column('personalEmail.address')], dedupKey: { kind: 'attributes', paths: ['personalEmail.address'] } },
      ['primaryFields must be the IDENTITY Email or empty, a mapped identity namespace is automatically the deduplication key']],
    ['another namespace as key while an identity namespace is mapped', { columns: [column('identityMap.Email', 'Email')], dedupKey: { kind: 'identity', namespace: 'ECID' } },
      ['primaryFields must be the IDENTITY Email or empty, a mapped identity namespace is automatically the deduplication key']],
  ])('refuses %s', (_title, overrides, problems) => {
    expect(problemsOf(overrides)).toEqual(problems);
  });

  it('collects every problem of a flow', () => {
    expect(problemsOf({ name: '', columns: [column('a b')], mandatoryFields: ['x'] })).toHaveLength(3);
  });

  it('makes a mapped identity namespace mandatory and the dedup key', () => {
    const { problems, normalized } = checkFlowDefinition(definition({ columns: [column('identityMap.Email', 'Email'), column('person.name.firstName')], mandatoryFields: ['person.name.firstName'] }), CONTEXT);
    expect(problems).toEqual([]);
    expect(normalized.mandatoryFields).toEqual(['person.name.firstName', 'Email']);
    expect(normalized.dedupKey).toEqual({ kind: 'identity', namespace: 'Email' });
  });

  it('accepts the mapped namespace already named as mandatory field and key, without repeating it', () => {
    const { problems, normalized } = checkFlowDefinition(definition({
      columns: [column('identityMap.Email', 'Email')], mandatoryFields: ['Email', 'Email'], dedupKey: { kind: 'identity', namespace: 'Email' },
    }), CONTEXT);
    expect(problems).toEqual([]);
    expect(normalized.mandatoryFields).toEqual(['Email']);
  });

  it('normalizes columns: default destination for an empty one and the identity flag from the source', () => {
    const { normalized } = checkFlowDefinition(definition({
      columns: [{ source: 'identityMap.ECID', destination: '', identity: false }, { source: 'segmentMembership.ups.a1.lastQualificationTime', destination: '', identity: true }],
    }), CONTEXT);
    expect(normalized.columns).toEqual([
      { source: 'identityMap.ECID', destination: 'ECID', identity: true },
      { source: 'segmentMembership.ups.a1.lastQualificationTime', destination: 'segmentMembership.lastQualificationTime', identity: false },
    ]);
  });

  it('drops the start time of AFTER_SEGMENT_EVAL schedules', () => {
    const chained = audience('a1', { schedule: { frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07', startTime: '06:00' } });
    expect(checkFlowDefinition(definition({ audiences: [chained] }), CONTEXT).normalized.audiences[0]?.schedule)
      .toStrictEqual({ frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07' });
  });

  describe('schedules and the clock', () => {
    const past = audience('a1', { schedule: { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2024-12-01', startTime: '06:00' } });
    const pastProblem = 'segmentSelectors.selectors[0].value.schedule.startDate 2024-12-01 must not be before today (2025-01-07 UTC)';

    it('judges a new audience against today', () => {
      expect(problemsOf({ audiences: [past] })).toEqual([pastProblem]);
    });

    it('does not re-judge a stored, unchanged schedule against today', () => {
      const previous = definition({ audiences: [past] });
      expect(problemsOf({ audiences: [{ ...past, filenameTemplate: '%SEGMENT_ID%_%DESTINATION%' }] }, { ...CONTEXT, previous })).toEqual([]);
    });

    it('judges a changed schedule of a stored audience against today', () => {
      const previous = definition({ audiences: [past] });
      const changed = { ...past, schedule: { ...past.schedule, startTime: '07:00' } };
      expect(problemsOf({ audiences: [changed] }, { ...CONTEXT, previous })).toEqual([pastProblem]);
    });
  });

  describe('source paths known to the profile schema', () => {
    const known = new Set(['person.name.firstName', 'personalEmail.address', 'identityMap.Email']);
    const context: FlowCheckContext = {
      ...CONTEXT,
      isKnownProfilePath: (path) => known.has(path),
      suggestPaths: (path) => (path.startsWith('person.') ? ['person.name.firstName'] : []),
    };

    it('accepts known paths and every segmentMembership form without asking', () => {
      const asked: string[] = [];
      const columns = [column('person.name.firstName'), column('identityMap.Email', 'Email'), column('segmentMembership.status'), column('segmentMembership.ups.a1.lastQualificationTime', 'lqt')];
      expect(problemsOf({ columns }, { ...context, isKnownProfilePath: (path) => { asked.push(path); return known.has(path); } })).toEqual([]);
      expect(asked).toEqual(['person.name.firstName', 'identityMap.Email']);
    });

    it('refuses an unknown path with suggestions', () => {
      expect(problemsOf({ columns: [column('person.name.frstName')] }, context))
        .toEqual(['profileSelectors.selectors[0].value.path person.name.frstName is not in the profile schema of this sandbox (did you mean person.name.firstName?)']);
    });

    it('refuses an unknown namespace without suggestions', () => {
      expect(problemsOf({ columns: [column('identityMap.GAID', 'GAID')] }, context))
        .toEqual(['profileSelectors.selectors[0].value.path identityMap.GAID is not in the profile schema of this sandbox']);
    });
  });

  describe('soft limits (SPEC §14)', () => {
    const audiences = (count: number) => Array.from({ length: count }, (_, index) => audience(`a${index}`));
    const columns = (count: number) => Array.from({ length: count }, (_, index) => column(`field${index}`));

    it('warns above 250 audiences and 50 mapped attributes by default, naming the number and the limit', () => {
      const { problems, warnings } = checkFlowDefinition(definition({ audiences: audiences(251), columns: columns(51) }), CONTEXT);
      expect(problems).toEqual([]);
      expect(warnings).toEqual([
        'The dataflow has 251 audiences, more than the recommended limit of 250 per dataflow',
        'The dataflow maps 51 attributes, more than the recommended limit of 50 per dataflow',
      ]);
    });

    it('does not warn at the limits', () => {
      expect(checkFlowDefinition(definition({ audiences: audiences(250), columns: columns(50) }), CONTEXT).warnings).toEqual([]);
    });

    it('uses the configured limits', () => {
      const { warnings } = checkFlowDefinition(definition({ audiences: audiences(3), columns: columns(2) }), { ...CONTEXT, warnAudiencesPerFlow: 2, warnMappedAttributes: 1 });
      expect(warnings).toEqual([
        'The dataflow has 3 audiences, more than the recommended limit of 2 per dataflow',
        'The dataflow maps 2 attributes, more than the recommended limit of 1 per dataflow',
      ]);
    });
  });
});

describe('dedupKeyFromFields', () => {
  it.each<[string, DedupFieldInput[], ReturnType<typeof dedupKeyFromFields>]>([
    ['no fields', [], { key: undefined, problems: [] }],
    ['one namespace', [{ fieldType: 'IDENTITY', identityNamespace: 'Email' }], { key: { kind: 'identity', namespace: 'Email' }, problems: [] }],
    ['one attribute', [{ fieldType: 'ATTRIBUTE', attributePath: 'personalEmail.address' }], { key: { kind: 'attributes', paths: ['personalEmail.address'] }, problems: [] }],
    ['two attributes', [{ fieldType: 'ATTRIBUTE', attributePath: 'a' }, { fieldType: 'ATTRIBUTE', attributePath: 'b' }], { key: { kind: 'attributes', paths: ['a', 'b'] }, problems: [] }],
    ['mixed kinds', [{ fieldType: 'IDENTITY', identityNamespace: 'Email' }, { fieldType: 'ATTRIBUTE', attributePath: 'a' }], { key: undefined, problems: ['primaryFields must not mix IDENTITY and ATTRIBUTE fields'] }],
    ['two namespaces', [{ fieldType: 'IDENTITY', identityNamespace: 'Email' }, { fieldType: 'IDENTITY', identityNamespace: 'ECID' }], { key: undefined, problems: ['primaryFields may name one identity namespace, got 2'] }],
    ['three attributes', ['a', 'b', 'c'].map((attributePath) => ({ fieldType: 'ATTRIBUTE', attributePath })), { key: undefined, problems: ['primaryFields may name at most two attributes, got 3'] }],
    ['an unknown field type', [{ fieldType: 'SEGMENT' }], { key: undefined, problems: ['primaryFields[0].fieldType must be IDENTITY or ATTRIBUTE, got "SEGMENT"'] }],
    ['an identity without namespace', [{ fieldType: 'IDENTITY' }], { key: undefined, problems: ['primaryFields[0].identityNamespace is required for fieldType IDENTITY'] }],
    ['an attribute without path', [{ fieldType: 'ATTRIBUTE', attributePath: '' }], { key: undefined, problems: ['primaryFields[0].attributePath is required for fieldType ATTRIBUTE'] }],
  ])('handles %s', (_title, fields, expected) => {
    expect(dedupKeyFromFields(fields)).toEqual(expected);
  });
});

describe('source paths and destinations', () => {
  it.each<[string, ReturnType<typeof classifyProfileSource>, string]>([
    ['person.name.firstName', { kind: 'attribute' }, 'person.name.firstName'],
    ['_acme.loyalty_points', { kind: 'attribute' }, '_acme.loyalty_points'],
    ['identityMap.Email', { kind: 'identity', namespace: 'Email' }, 'Email'],
    ['segmentMembership.status', { kind: 'membership', field: 'status' }, 'segmentMembership.status'],
    ['segmentMembership.ups.db8961e9-d52f-45bc-b3fb-76d0382a6851.status', { kind: 'membership', field: 'status' }, 'segmentMembership.status'],
    ['segmentMembership.lastQualificationTime', { kind: 'membership', field: 'lastQualificationTime' }, 'segmentMembership.lastQualificationTime'],
    ['segmentMembership.ups.seg_id.lastQualificationTime', { kind: 'membership', field: 'lastQualificationTime' }, 'segmentMembership.lastQualificationTime'],
    ['1st.field', undefined, '1st.field'],
    ['identityMap', undefined, 'identityMap'],
    ['segmentMembership.ups.status', undefined, 'segmentMembership.ups.status'],
  ])('classifies %s and defaults its destination', (path, kind, destination) => {
    expect(classifyProfileSource(path)).toEqual(kind);
    expect(defaultColumnDestination(path)).toBe(destination);
  });

  it('names columns by replacing every dot with an underscore', () => {
    expect(columnNameOf('person.name.firstName')).toBe('person_name_firstName');
  });
});
