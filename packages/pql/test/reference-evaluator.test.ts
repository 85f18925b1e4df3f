// The reference evaluator on hand-computed cases: every rule of SPEC §5.3 at least once (members worked out by hand).
import { describe, expect, it } from 'vitest';
import { referenceMembers } from './support/reference-evaluator.js';
import type { TestWorld } from './support/fixture.js';

// Wednesday 12 March 2025, 15:30 UTC: this week runs Monday 10 → Sunday 16 March.
const NOW = new Date('2025-03-12T15:30:00.000Z');

const world: TestWorld = {
  catalogue: {
    profile: [
      { path: 'name', type: 'string' },
      { path: 'points', type: 'integer' },
      { path: 'score', type: 'number' },
      { path: 'optIn', type: 'boolean' },
      { path: 'joinDate', type: 'date' },
      { path: 'lastPurchaseAt', type: 'date-time' },
      { path: 'channels', type: 'array', items: 'string' },
      { path: 'lucky', type: 'array', items: 'integer' },
    ],
    event: [
      { path: 'timestamp', type: 'date-time' },
      { path: '_id', type: 'string' },
      { path: 'eventType', type: 'string' },
      { path: 'price', type: 'number' },
      { path: 'page', type: 'string' },
    ],
  },
  profiles: [
    {
      id: 1,
      attributes: { name: 'John', points: 1000, score: 2.5, optIn: true, joinDate: '2025-02-28', lastPurchaseAt: '2025-03-12T00:00:00.000Z', channels: ['email', 'sms', 'email'], lucky: [1, 2] },
      events: [
        { timestamp: '2025-03-10T10:00:00.000Z', eventType: 'purchase', price: 120 },
        { timestamp: '2025-02-01T08:00:00.000Z', eventType: 'purchase', price: 30 },
        { timestamp: '2025-03-11T09:00:00.000Z', eventType: 'view', page: 'checkout' },
      ],
    },
    {
      id: 2,
      attributes: { name: 'jon', points: 7, optIn: false, joinDate: '2024-02-29', lastPurchaseAt: '2025-03-05T23:59:59.999Z', channels: [], lucky: [3] },
      events: [],
    },
    { id: 3, attributes: {}, events: [{ timestamp: '2025-03-12T15:29:59.000Z', eventType: 'purchase' }] },
    {
      id: 4,
      attributes: { name: 'Mc_Donald%', points: 0, score: -1.5, channels: ['push'], joinDate: '2025-03-10', lastPurchaseAt: '2025-03-12T15:30:00.001Z' },
      events: [{ timestamp: '2024-12-31T23:59:59.999Z', eventType: 'purchase', price: 50 }],
    },
    {
      id: 5,
      attributes: { name: '\u{1D49C}b', points: -3, score: 0, optIn: true, joinDate: '2025-03-09', lastPurchaseAt: '2025-01-01T00:00:00.000Z' },
      events: [],
    },
  ],
  memberships: { 'seg-a': [2, 5] },
};

const ALL = [1, 2, 3, 4, 5];

const cases: Record<string, readonly [string, readonly number[]][]> = {
  'missing values and two-valued logic': [
    ['points = 1000', [1]],
    ['points != 1000', [2, 4, 5]],
    ['not (points = 1000)', [2, 3, 4, 5]],
    ['points in [7, 0]', [2, 4]],
    ['points notIn [7]', [1, 4, 5]],
    ['not (points notIn [7])', [2, 3]],
    ['name.isNull()', [3]],
    ['name.isNotNull()', [1, 2, 4, 5]],
    ['channels.isNull()', [3, 5]],
    ['name.doesNotContain("o")', [5]],
    ['(points > 5) = false', [3, 4, 5]],
    ['optIn = true', [1, 5]],
    ['optIn != true', [2]],
    ['not (optIn = true)', [2, 3, 4]],
    ['true', ALL],
    ['false', []],
    ['optIn or points < 0', [1, 5]],
  ],
  arithmetic: [
    ['points / 0 = 0', []],
    ['(points / 0).isNull()', ALL],
    ['(points % 0).isNull()', ALL],
    ['points / 2 = 3.5', [2]],
    ['points % 2 = 1', [2]],
    ['points % 2 = -1', [5]],
    ['-points > 0', [5]],
    ['(points + score).isNull()', [2, 3]],
    ['score * 2 = 5', [1]],
    ['points + 0.5 > 7', [1, 2]],
  ],
  'comparisons of strings (code points), dates and date-times': [
    ['name < "a"', [1, 4]],
    ['name > "\\uFFFD"', [5]],
    ['joinDate = date(2025, 2, 28)', [1]],
    ['lastPurchaseAt >= today', [1, 4]],
    ['lastPurchaseAt > now', [4]],
  ],
  'like with escapes': [
    ['name like "J%"', [1]],
    ['name like "j%"', [2]],
    ['name like "_on"', [2]],
    ['name like "Mc\\\\_D%"', [4]],
    ['name like "%\\\\%"', [4]],
    ['name like "_b"', [5]],
  ],
  'string methods and case flags': [
    ['name.startsWith("jo")', [2]],
    ['name.startsWith("jo", false)', [1, 2]],
    ['name.equals("JON", false)', [2]],
    ['name.notEqualTo("jon")', [1, 4, 5]],
    ['name.endsWith("N", false)', [1, 2]],
    ['name.doesNotStartWith("J", false)', [4, 5]],
    ['name.matches("^Jo(h)?n$")', [1]],
    ['name.matches("(?i)^jo(h)?n$")', [1, 2]],
    ['name.matches("on")', [2, 4]],
    ['name.matches("^.b$")', [5]],
  ],
  'array functions': [
    ['channels.includes("email")', [1]],
    ['channels.intersects(["sms", "push"])', [1, 4]],
    ['channels.subsetOf(["email", "sms"])', [1, 2]],
    ['channels.supersetOf(["email", "sms"])', [1]],
    ['channels.supersetOf([])', [1, 2, 4]],
    ['lucky.includes(3)', [2]],
    ['channels.count() = 0', [2, 3, 5]],
    ['channels.distinct().count() = 2', [1]],
    ['channels.count() = 3', [1]],
    ['channels.distinct().includes("sms")', [1]],
  ],
  aggregates: [
    ['(sum X.price over X from xEvent) = 0', [2, 3, 5]],
    ['(sum X.price over X from xEvent where X.eventType = "purchase") > 100', [1]],
    ['(average X.price over X from xEvent).isNull()', [2, 3, 5]],
    ['(average X.price over X from xEvent) = 75', [1]],
    ['(min X.price over X from xEvent) = 30', [1]],
    ['(max X.timestamp over X from xEvent where X.eventType = "purchase") occurs this month', [1, 3]],
  ],
  events: [
    ['xEvent[eventType = "purchase"].count() >= 2', [1]],
    ['xEvent[eventType = "purchase"].count() = 0', [2, 5]],
    ['xEvent[_id = "1-0"].count() = 1', [1]],
    ['xEvent[timestamp occurs last year].count() = 1', [4]],
    ['exists E from xEvent where (E.eventType = "purchase" and E.price > 100)', [1]],
    ['exists E from xEvent where E.eventType = "purchase" and points < 100', [4]],
    ['select X from xEvent where X.page = "checkout" and X.timestamp occurs <= 7 days before now', [1]],
    ['not exists E from xEvent where E.price > 0', [2, 3, 5]],
  ],
  'nested event scopes': [
    ['exists E from xEvent where E.eventType = "view" and xEvent[eventType = "purchase" and timestamp < E.timestamp].count() = 2', [1]],
    ['xEvent[exists E from xEvent where E.price > 100].count() = 3', [1]],
    ['exists E from xEvent where (exists X from xEvent where X.price > E.price)', [1]],
    ['(sum X.price over X from xEvent where X.price < (max E.price over E from xEvent)) = 30', [1]],
  ],
  inSegment: [
    ['inSegment("seg-a")', [2, 5]],
    ['not inSegment("seg-a")', [1, 3, 4]],
    ['inSegment("unknown")', []],
  ],
  'occurs: distances': [
    ['joinDate occurs = 12 days before today', [1]],
    ['joinDate occurs = 1 year before now', [2]],
    ['joinDate occurs = 1 month before now', [1]],
    ['joinDate occurs < 1 week before now', [4]],
    ['joinDate occurs = 2 weeks after date(2025, 2, 24)', [4]],
    ['lastPurchaseAt occurs <= 30 days before now', [1, 2, 4]],
    ['lastPurchaseAt occurs < 1 second before now', []],
    ['lastPurchaseAt occurs >= 0 seconds after now', [4]],
    ['lastPurchaseAt occurs = 15 hours before now', [1]],
    ['lastPurchaseAt occurs = 930 minutes before now', [1]],
  ],
  'occurs: calendar units (UTC, weeks from Monday)': [
    ['joinDate occurs last month', [1]],
    ['joinDate occurs this week', [4]],
    ['joinDate occurs last week', [5]],
    ['joinDate occurs this year', [1, 4, 5]],
    ['joinDate occurs last year', [2]],
    ['lastPurchaseAt occurs next day', []],
    ['lastPurchaseAt occurs this hour', [4]],
  ],
  'occurs: between, before, after, on': [
    ['lastPurchaseAt occurs between date(2025, 3, 1) and date(2025, 3, 5)', [2]],
    ['lastPurchaseAt occurs between date(2025, 1, 1) and now', [1, 2, 5]],
    ['lastPurchaseAt occurs before today', [2, 5]],
    ['lastPurchaseAt occurs after date(2025, 3, 5)', [1, 4]],
    ['lastPurchaseAt occurs after now', [4]],
    ['lastPurchaseAt occurs on today', [1, 4]],
    ['joinDate occurs before lastPurchaseAt', [1, 2, 4]],
    ['joinDate occurs on date(2024, 2, 29)', [2]],
  ],
};

describe('reference evaluator (SPEC §5.3)', () => {
  for (const [topic, rows] of Object.entries(cases)) {
    describe(topic, () => {
      it.each(rows)('%s', (text, expected) => {
        expect(referenceMembers(world, text, NOW)).toEqual(expected);
      });
    });
  }
});
