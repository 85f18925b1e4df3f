// Table-driven tests of Flow Service list parameters: filters, orderby, limit/count and continuation-token paging.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import {
  listPage, matchesFilter, parseListLimit, parseOrderBy, parsePropertyFilter,
  type FlowServiceListConfig, type FlowServiceListCount, type FlowServiceListPage, type FlowServiceListQuery,
} from './flow-service-list.js';

/** The filterable flow paths of SPEC §7.7. */
const FLOW_PATHS = [
  'id', 'name', 'state', 'flowSpec.id', 'sourceConnectionIds[]', 'targetConnectionIds[]',
  'inheritedAttributes.properties.isDestinationFlow', 'inheritedAttributes.targetConnections[].connectionSpec.id',
  'transformations[].params.segmentSelectors.selectors[].value.id', 'lastRunDetails.startedAtUTC', 'lastRunDetails.state',
  'createdAt', 'updatedAt',
];

const flowsConfig: FlowServiceListConfig = {
  resource: 'flows', allowedPaths: FLOW_PATHS, caseInsensitivePaths: ['state', 'lastRunDetails.state'], defaultOrder: '-updatedAt',
};

function thrownBy(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

interface TestFlow {
  readonly id: string;
  readonly name?: string;
  readonly state?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly sourceConnectionIds?: readonly string[];
  readonly [field: string]: unknown;
}

/** A flow shaped like SPEC §7.1, reduced to the filterable fields. */
const richFlow = {
  id: 'ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb', name: 'Acme S3 – CRM exports', state: 'enabled',
  createdAt: 1736154000000, updatedAt: 1736157600000,
  flowSpec: { id: '1a0514a6-33d4-4c7f-aff8-594799c47549', version: '1.0' },
  sourceConnectionIds: ['aacb95f5-e451-4db6-bd72-de9845f9b1d0'],
  targetConnectionIds: ['e609bd68-ef20-41f8-910d-7a8a4b177954', 'second-target'],
  inheritedAttributes: {
    properties: { isDestinationFlow: true },
    targetConnections: [{ id: 't1', connectionSpec: { id: 'spec-s3' } }, { id: 't2', connectionSpec: { id: 'spec-sftp' } }],
  },
  transformations: [{ name: 'GeneralTransform', params: { segmentSelectors: { selectors: [
    { type: 'PLATFORM_SEGMENT', value: { id: 'seg-1' } }, { type: 'PLATFORM_SEGMENT', value: { id: 'seg-2' } },
  ] } } }],
  lastRunDetails: { state: 'success', startedAtUTC: 1736244000412 },
};

const pad = (index: number): string => String(index).padStart(3, '0');

/** 95 flows; updatedAt rises every 3 flows, so groups of 3 tie and must be ordered by id. */
function ninetyFiveFlows(): TestFlow[] {
  const flows = Array.from({ length: 95 }, (_unused, index): TestFlow => ({
    id: `flow-${pad(index)}`, name: `Flow ${pad(94 - index)}`, state: index % 2 === 0 ? 'enabled' : 'disabled',
    createdAt: 1_700_000_000_000 + index, updatedAt: 1_800_000_000_000 + Math.floor(index / 3) * 1000,
  }));
  // Interleave so that the input order is neither the expected order nor its reverse.
  return [...flows.filter((_flow, index) => index % 2 === 1), ...flows.filter((_flow, index) => index % 2 === 0)];
}

/** The ids in `-updatedAt` order, built by hand: newest group first, ids ascending inside a group. */
function expectedIdsNewestFirst(): string[] {
  const ids: string[] = [];
  for (let group = 31; group >= 0; group -= 1) {
    for (let index = group * 3; index < Math.min(group * 3 + 3, 95); index += 1) ids.push(`flow-${pad(index)}`);
  }
  return ids;
}

function asPage<T>(result: FlowServiceListPage<T> | FlowServiceListCount): FlowServiceListPage<T> {
  if ('count' in result) throw new Error('expected a page, got a count');
  return result;
}

function tokenOf(page: FlowServiceListPage<unknown>): string {
  const href = page._links.next?.href;
  if (href === undefined) throw new Error('expected a next link');
  const token = href.split('=')[1];
  if (token === undefined) throw new Error('no token in the link');
  return token;
}

/** Follows next links from `query` to the end, returning the pages. */
function walkPages(items: readonly TestFlow[], query: FlowServiceListQuery): FlowServiceListPage<TestFlow>[] {
  const pages = [asPage(listPage(items, query, flowsConfig))];
  while (pages.at(-1)?._links.next !== undefined && pages.length < 200) {
    pages.push(asPage(listPage(items, { continuationToken: tokenOf(pages.at(-1) as FlowServiceListPage<TestFlow>) }, flowsConfig)));
  }
  return pages;
}

const encodeToken = (state: unknown): string => Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');

describe('parsePropertyFilter', () => {
  it.each([
    ['state==enabled', { path: 'state', operator: '==', values: ['enabled'] }],
    ['id==a,b', { path: 'id', operator: '==', values: ['a', 'b'] }],
    ['name!=Acme', { path: 'name', operator: '!=', values: ['Acme'] }],
    ['createdAt>1736154000000', { path: 'createdAt', operator: '>', values: ['1736154000000'] }],
    ['createdAt>=5', { path: 'createdAt', operator: '>=', values: ['5'] }],
    ['updatedAt<5.5', { path: 'updatedAt', operator: '<', values: ['5.5'] }],
    ['updatedAt<=-1', { path: 'updatedAt', operator: '<=', values: ['-1'] }],
    ['name==a=b', { path: 'name', operator: '==', values: ['a=b'] }],
    ['name===b', { path: 'name', operator: '==', values: ['=b'] }],
    ['name==x<y>!', { path: 'name', operator: '==', values: ['x<y>!'] }],
    ['sourceConnectionIds[]==aacb95f5', { path: 'sourceConnectionIds[]', operator: '==', values: ['aacb95f5'] }],
    ['transformations[].params.segmentSelectors.selectors[].value.id==seg-1,seg-9',
      { path: 'transformations[].params.segmentSelectors.selectors[].value.id', operator: '==', values: ['seg-1', 'seg-9'] }],
    ['inheritedAttributes.properties.isDestinationFlow==true',
      { path: 'inheritedAttributes.properties.isDestinationFlow', operator: '==', values: ['true'] }],
  ])('parses %s', (text, expected) => {
    expect(parsePropertyFilter(text, FLOW_PATHS)).toEqual(expected);
  });

  it.each([
    ['name~acme', 'FLOW-1440-400', "Operator '~' not implemented"],
    ['name=~acme', 'FLOW-1440-400', "Operator '=~' not implemented"],
    ['name~=acme', 'FLOW-1440-400', "Operator '~=' not implemented"],
    ['name=acme', 'FLOW-1440-400', "Operator '=' not implemented"],
    ['name!acme', 'FLOW-1440-400', "Operator '!' not implemented"],
    ['name=>acme', 'FLOW-1440-400', "Operator '=>' not implemented"],
    ['id!=a,b', 'FLOW-1443-400', "Operator '!=' is not allowed for multiple values"],
    ['createdAt>1,2', 'FLOW-1443-400', "Operator '>' is not allowed for multiple values"],
    ['createdAt<=1,2', 'FLOW-1443-400', "Operator '<=' is not allowed for multiple values"],
    ['owner==ana', 'FLOW-1449-400', 'Invalid filter field: owner'],
    ['sourceConnectionIds==x', 'FLOW-1449-400', 'Invalid filter field: sourceConnectionIds'],
    ['State==enabled', 'FLOW-1449-400', 'Invalid filter field: State'],
    ['owner~ana', 'FLOW-1449-400', 'Invalid filter field: owner'],
    ['state', 'FLOW-1452-400', 'Invalid filter value for property: state'],
    ['==enabled', 'FLOW-1452-400', 'Invalid filter value for property: ==enabled'],
    ['', 'FLOW-1452-400', 'Invalid filter value for property: '],
    ['name==', 'FLOW-1452-400', 'Invalid filter value for name: '],
    ['id==a,,b', 'FLOW-1452-400', 'Invalid filter value for id: a,,b'],
    ['id==a,', 'FLOW-1452-400', 'Invalid filter value for id: a,'],
    ['createdAt>yesterday', 'FLOW-1452-400', 'Invalid filter value for createdAt: yesterday'],
    ['createdAt>', 'FLOW-1452-400', 'Invalid filter value for createdAt: '],
    ['createdAt>=0x10', 'FLOW-1452-400', 'Invalid filter value for createdAt: 0x10'],
  ])('rejects %j with %s', (text, familyCode, message) => {
    const error = thrownBy(() => parsePropertyFilter(text, FLOW_PATHS));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.familyCode).toBe(familyCode);
    expect(error.message).toBe(message);
  });
});

describe('matchesFilter', () => {
  const options = { caseInsensitivePaths: ['state', 'lastRunDetails.state'] };

  it.each([
    ['id==ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb', true],
    ['id==x,ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb', true],
    ['id==x,y', false],
    ['id==EF2DCBD6-36FC-49A3-AFED-D7B8E8F724EB', false],
    ['name==Acme S3 – CRM exports', true],
    ['name==acme s3 – crm exports', false],
    ['state==enabled', true],
    ['state==ENABLED', true],
    ['state!=Enabled', false],
    ['state==disabled,Enabled', true],
    ['lastRunDetails.state==SUCCESS', true],
    ['flowSpec.id==1a0514a6-33d4-4c7f-aff8-594799c47549', true],
    ['sourceConnectionIds[]==aacb95f5-e451-4db6-bd72-de9845f9b1d0', true],
    ['targetConnectionIds[]==second-target', true],
    ['targetConnectionIds[]!=second-target', false],
    ['targetConnectionIds[]!=third-target', true],
    ['inheritedAttributes.targetConnections[].connectionSpec.id==spec-sftp', true],
    ['inheritedAttributes.targetConnections[].connectionSpec.id==spec-azure', false],
    ['transformations[].params.segmentSelectors.selectors[].value.id==seg-2', true],
    ['transformations[].params.segmentSelectors.selectors[].value.id==seg-3,seg-1', true],
    ['transformations[].params.segmentSelectors.selectors[].value.id==seg-3', false],
    ['inheritedAttributes.properties.isDestinationFlow==true', true],
    ['inheritedAttributes.properties.isDestinationFlow==TRUE', true],
    ['inheritedAttributes.properties.isDestinationFlow==false', false],
    ['inheritedAttributes.properties.isDestinationFlow!=false', true],
    ['createdAt==1736154000000', true],
    ['createdAt==1736154000000.0', true],
    ['createdAt>1736153999999', true],
    ['createdAt>1736154000000', false],
    ['createdAt>=1736154000000', true],
    ['createdAt<1736154000000', false],
    ['createdAt<=1736154000000', true],
    ['createdAt<1736154000001', true],
    ['updatedAt>999999999999', true],
    ['lastRunDetails.startedAtUTC>1736121600000', true],
    ['lastRunDetails.startedAtUTC<1736121600000', false],
  ])('%s → %s', (text, expected) => {
    expect(matchesFilter(richFlow, parsePropertyFilter(text, FLOW_PATHS), options)).toBe(expected);
  });

  it.each([
    ['lastRunDetails.startedAtUTC>0', false],
    ['lastRunDetails.state==success', false],
    ['lastRunDetails.state!=success', true],
    ['sourceConnectionIds[]==x', false],
    ['sourceConnectionIds[]!=x', true],
  ])('on a flow without the field, %s → %s', (text, expected) => {
    const bareFlow = { id: 'bare', createdAt: 1, updatedAt: 1 };
    expect(matchesFilter(bareFlow, parsePropertyFilter(text, FLOW_PATHS), options)).toBe(expected);
  });

  it('compares strings exactly when no case-insensitive paths are given', () => {
    expect(matchesFilter(richFlow, parsePropertyFilter('state==ENABLED', FLOW_PATHS))).toBe(false);
  });

  it('does not fan out over an array reached without []', () => {
    const filter = { path: 'sourceConnectionIds', operator: '==', values: ['aacb95f5-e451-4db6-bd72-de9845f9b1d0'] } as const;
    expect(matchesFilter(richFlow, filter)).toBe(false);
  });

  it('compares numeric strings numerically for range operators', () => {
    const selector = { id: 's', createTime: '1736154000' };
    expect(matchesFilter(selector, parsePropertyFilter('createTime>1736153999', ['createTime']))).toBe(true);
    expect(matchesFilter(selector, parsePropertyFilter('createTime<1736153999', ['createTime']))).toBe(false);
  });
});

describe('parseOrderBy', () => {
  it.each([
    [undefined, { field: 'updatedAt', descending: true }],
    ['', { field: 'updatedAt', descending: true }],
    ['name', { field: 'name', descending: false }],
    ['+name', { field: 'name', descending: false }],
    [' name', { field: 'name', descending: false }],
    ['-name', { field: 'name', descending: true }],
    ['createdAt', { field: 'createdAt', descending: false }],
    ['-createdAt', { field: 'createdAt', descending: true }],
    ['+updatedAt', { field: 'updatedAt', descending: false }],
  ])('parses %j', (text, expected) => {
    expect(parseOrderBy(text, '-updatedAt')).toEqual(expected);
  });

  it.each([['id', 'id'], ['-state', 'state'], ['--name', '-name'], ['Name', 'Name'], ['name:asc', 'name:asc']])(
    'rejects %j with FLOW-1432-400',
    (text, field) => {
      const error = thrownBy(() => parseOrderBy(text, '-updatedAt'));
      expect(error.familyCode).toBe('FLOW-1432-400');
      expect(error.message).toBe(`Invalid orderby field: ${field}`);
    },
  );
});

describe('parseListLimit', () => {
  it.each([[undefined, 100], ['', 100], ['1', 1], ['7', 7], ['100', 100], ['101', 100], ['5000', 100], [42, 42], [1000, 100]])(
    'reads %j as %d',
    (value, expected) => {
      expect(parseListLimit(value)).toBe(expected);
    },
  );

  it.each([['0'], ['-1'], ['1.5'], ['abc'], [' 7'], ['7 '], ['1e2'], [0], [2.5], [Number.NaN]])('rejects %j with FLOW-1420-400', (value) => {
    const error = thrownBy(() => parseListLimit(value));
    expect(error.familyCode).toBe('FLOW-1420-400');
    expect(error.message).toBe(`Invalid value for limit: ${String(value)}. Use an integer of at least 1.`);
  });
});

describe('listPage', () => {
  it('walks 95 flows with limit=7 in 14 pages, each flow exactly once, newest-updated first', () => {
    const pages = walkPages(ninetyFiveFlows(), { limit: '7' });
    expect(pages).toHaveLength(14);
    expect(pages.map((page) => page.items.length)).toEqual([...Array<number>(13).fill(7), 4]);
    expect(pages.flatMap((page) => page.items.map((flow) => flow.id))).toEqual(expectedIdsNewestFirst());
    expect(pages.at(-1)?._links).toEqual({});
    for (const page of pages.slice(0, -1)) expect(page._links.next?.href).toMatch(/^\/flows\?continuationToken=[A-Za-z0-9_-]+$/);
  });

  it('answers one page of at most 100 flows by default, with _links {}', () => {
    const page = asPage(listPage(ninetyFiveFlows(), {}, flowsConfig));
    expect(page.items.map((flow) => flow.id)).toEqual(expectedIdsNewestFirst());
    expect(page._links).toEqual({});
  });

  it('treats a limit above 100 as 100', () => {
    const flows = [...ninetyFiveFlows(), ...ninetyFiveFlows().map((flow) => ({ ...flow, id: `${flow.id}-copy` }))];
    const pages = walkPages(flows, { limit: '500' });
    expect(pages.map((page) => page.items.length)).toEqual([100, 90]);
  });

  it('answers an empty list with _links {}', () => {
    expect(listPage([], { limit: '3' }, flowsConfig)).toEqual({ items: [], _links: {} });
  });

  it('has no next link when the last page is exactly full', () => {
    const flows = ninetyFiveFlows().slice(0, 6);
    const pages = walkPages(flows, { limit: '3' });
    expect(pages.map((page) => [page.items.length, page._links])).toEqual([[3, expect.objectContaining({ next: expect.any(Object) })], [3, {}]]);
  });

  it('makes tokens that clients can take as href.split("=")[1]', () => {
    const page = asPage(listPage(ninetyFiveFlows(), { limit: '2', property: ['name!=a=b', 'state!=x'], orderby: '+name' }, flowsConfig));
    const href = page._links.next?.href ?? '';
    expect(href.split('=')).toHaveLength(2);
    expect(href).toBe(`/flows?continuationToken=${tokenOf(page)}`);
    expect(tokenOf(page)).not.toMatch(/[=+/]/);
  });

  it('ignores every other parameter alongside a token', () => {
    const flows = ninetyFiveFlows();
    const first = asPage(listPage(flows, { limit: '5', property: 'state==enabled' }, flowsConfig));
    const token = tokenOf(first);
    const alone = listPage(flows, { continuationToken: token }, flowsConfig);
    const noisy = listPage(flows, { continuationToken: token, limit: '0', orderby: 'bogus', count: 'true', property: ['owner~x', 'id==none'] }, flowsConfig);
    expect(noisy).toEqual(alone);
    expect(asPage(alone).items.map((flow) => flow.id)).toEqual(expectedIdsNewestFirst().filter((id) => Number(id.slice(5)) % 2 === 0).slice(5, 10));
  });

  it('keeps filters, order and limit of the first request across pages', () => {
    const pages = walkPages(ninetyFiveFlows(), { limit: '4', orderby: '-name', property: ['state==ENABLED', 'createdAt>=1700000000010'] });
    const expected = Array.from({ length: 95 }, (_unused, index) => index)
      .filter((index) => index % 2 === 0 && index >= 10)
      .sort((left, right) => left - right) // name = Flow <94 - index>, so -name is ascending index
      .map((index) => `flow-${pad(index)}`);
    expect(pages.flatMap((page) => page.items.map((flow) => flow.id))).toEqual(expected);
    expect(pages.every((page) => page.items.length <= 4)).toBe(true);
  });

  it('orders by name ascending with id breaking ties', () => {
    const flows = [{ id: 'c', name: 'B', createdAt: 0, updatedAt: 0 }, { id: 'a', name: 'B', createdAt: 0, updatedAt: 0 },
      { id: 'b', name: 'A', createdAt: 0, updatedAt: 0 }, { id: 'd', createdAt: 0, updatedAt: 0 }];
    expect(asPage(listPage(flows, { orderby: 'name' }, flowsConfig)).items.map((flow) => flow.id)).toEqual(['d', 'b', 'a', 'c']);
    expect(asPage(listPage(flows, { orderby: '-name' }, flowsConfig)).items.map((flow) => flow.id)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('uses the configured default order (runs: -createdAt)', () => {
    const runsConfig: FlowServiceListConfig = { resource: 'runs', allowedPaths: ['flowId', 'createdAt'], defaultOrder: '-createdAt' };
    const runs = [{ id: 'r1', createdAt: 2, updatedAt: 9 }, { id: 'r2', createdAt: 3, updatedAt: 1 }, { id: 'r3', createdAt: 1, updatedAt: 5 }];
    const page = asPage(listPage(runs, { limit: '2' }, runsConfig));
    expect(page.items.map((run) => run.id)).toEqual(['r2', 'r1']);
    expect(page._links.next?.href.startsWith('/runs?continuationToken=')).toBe(true);
  });

  it('shows no duplicates when flows are inserted or deleted between pages', () => {
    const flows = ninetyFiveFlows();
    const first = asPage(listPage(flows, { limit: '10' }, flowsConfig));
    const newest = { id: 'flow-new-1', createdAt: 1, updatedAt: 1_900_000_000_000 };
    const tiedWithLast = { ...(first.items.at(-1) as TestFlow), id: 'flow-000-a' };
    const deletedId = first.items[3]?.id;
    const changed = [newest, tiedWithLast, ...flows.filter((flow) => flow.id !== deletedId)];
    const rest = walkPages(changed, { continuationToken: tokenOf(first) });
    const seen = [...first.items, ...rest.flatMap((page) => page.items)].map((flow) => flow.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expectedIdsNewestFirst());
  });

  it('shows flows inserted after the position and leaves gaps only for deleted ones', () => {
    const flows = ninetyFiveFlows();
    const first = asPage(listPage(flows, { limit: '10' }, flowsConfig));
    expect(first.items.at(-1)?.id).toBe('flow-085');
    const tiedAfterLast = { id: 'flow-085-z', createdAt: 1, updatedAt: 1_800_000_000_000 + 28 * 1000 };
    const oldest = { id: 'flow-late', createdAt: 1, updatedAt: 1_000 };
    const changed = [...flows.filter((flow) => flow.id !== 'flow-086'), tiedAfterLast, oldest];
    const rest = walkPages(changed, { continuationToken: tokenOf(first) }).flatMap((page) => page.items.map((flow) => flow.id));
    const expected = expectedIdsNewestFirst().slice(10).filter((id) => id !== 'flow-086');
    expect(rest).toEqual(['flow-085-z', ...expected, 'flow-late']);
  });

  it('counts the filtered flows for count=true', () => {
    expect(listPage(ninetyFiveFlows(), { count: 'true' }, flowsConfig)).toEqual({ count: 95 });
    expect(listPage(ninetyFiveFlows(), { count: 'TRUE', property: 'state==enabled' }, flowsConfig)).toEqual({ count: 48 });
    expect(listPage(ninetyFiveFlows(), { count: true, property: ['id==flow-001,flow-002,flow-nope'] }, flowsConfig)).toEqual({ count: 2 });
  });

  it('lists normally for count=false, with or without limit', () => {
    expect(asPage(listPage(ninetyFiveFlows(), { count: 'false', limit: '1' }, flowsConfig)).items).toHaveLength(1);
  });

  it.each<[string, FlowServiceListQuery, string, string]>([
    ['count with limit', { count: 'true', limit: '10' }, 'FLOW-1401-400', 'Parameters limit and count cannot be used together'],
    ['count with a limit of 0', { count: 'true', limit: '0' }, 'FLOW-1401-400', 'Parameters limit and count cannot be used together'],
    ['a limit of 0', { limit: '0' }, 'FLOW-1420-400', 'Invalid value for limit: 0. Use an integer of at least 1.'],
    ['a fractional limit', { limit: '2.5' }, 'FLOW-1420-400', 'Invalid value for limit: 2.5. Use an integer of at least 1.'],
    ['a count that is not a boolean', { count: 'yes' }, 'FLOW-1420-400', 'Invalid value for count: yes. Use true or false.'],
    ['an unknown orderby field', { orderby: '-state' }, 'FLOW-1432-400', 'Invalid orderby field: state'],
    ['a like operator', { property: 'name~Acme' }, 'FLOW-1440-400', "Operator '~' not implemented"],
    ['several values for !=', { property: 'state!=enabled,disabled' }, 'FLOW-1443-400', "Operator '!=' is not allowed for multiple values"],
    ['an unknown filter field', { property: ['state==enabled', 'owner==ana'] }, 'FLOW-1449-400', 'Invalid filter field: owner'],
    ['a malformed filter', { property: 'createdAt>soon' }, 'FLOW-1452-400', 'Invalid filter value for createdAt: soon'],
  ])('rejects %s', (_name, query, familyCode, message) => {
    const error = thrownBy(() => listPage(ninetyFiveFlows(), query, flowsConfig));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.familyCode).toBe(familyCode);
    expect(error.message).toBe(message);
  });
});

describe('listPage continuation tokens', () => {
  const valid = { r: 'flows', p: ['state==enabled'], o: '-updatedAt', l: 5, k: 1_800_000_000_000, i: 'flow-001' };

  it('accepts a well-formed hand-made token', () => {
    const page = asPage(listPage(ninetyFiveFlows(), { continuationToken: encodeToken(valid) }, flowsConfig));
    // Position (group 0, flow-001): only flow-002 of that group follows, and it is enabled.
    expect(page.items.map((flow) => flow.id)).toEqual(['flow-002']);
    expect(page._links).toEqual({});
  });

  it.each<[string, string]>([
    ['standard base64 with padding', `${Buffer.from(JSON.stringify(valid)).toString('base64')}==`],
    ['characters outside base64url', `${encodeToken(valid)}!`],
    ['a non-canonical encoding', `${encodeToken(valid).slice(0, -1)}${encodeToken(valid).endsWith('A') ? 'B' : 'A'}x`],
    ['bytes that are not JSON', Buffer.from('not json').toString('base64url')],
    ['JSON that is not an object', encodeToken([1, 2])],
    ['a missing field', encodeToken({ ...valid, i: undefined })],
    ['an extra field', encodeToken({ ...valid, extra: 1 })],
    ['a limit of 0', encodeToken({ ...valid, l: 0 })],
    ['a limit above 100', encodeToken({ ...valid, l: 101 })],
    ['a fractional limit', encodeToken({ ...valid, l: 1.5 })],
    ['an order without a sign', encodeToken({ ...valid, o: 'name' })],
    ['an unknown order field', encodeToken({ ...valid, o: '-state' })],
    ['a sort key that is an object', encodeToken({ ...valid, k: { a: 1 } })],
    ['filters that are not strings', encodeToken({ ...valid, p: [1] })],
    ['a filter on a path the resource does not allow', encodeToken({ ...valid, p: ['owner==ana'] })],
    ['a token of another resource', encodeToken({ ...valid, r: 'connections' })],
  ])('rejects %s with FLOW-1452-400', (_name, token) => {
    const error = thrownBy(() => listPage(ninetyFiveFlows(), { continuationToken: token }, flowsConfig));
    expect(error.familyCode).toBe('FLOW-1452-400');
    expect(error.message).toBe(`Invalid filter value for continuationToken: ${token}`);
  });

  it('treats an empty token as absent', () => {
    expect(asPage(listPage(ninetyFiveFlows(), { continuationToken: '', limit: '3' }, flowsConfig)).items).toHaveLength(3);
  });
});
