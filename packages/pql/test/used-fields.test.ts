// usedFields: the profile paths, event paths and audiences a PQL tree reads, unique and in source order.
import { describe, expect, it } from 'vitest';
import { parsePql } from '../src/parser.js';
import { columnsRead, usedFields } from './support/used-fields.js';

const used = (text: string) => {
  const parsed = parsePql(text);
  if (!('ast' in parsed)) throw new Error(text);
  return usedFields(parsed.ast);
};

describe('usedFields', () => {
  it('lists profile paths, event paths of every scope and audiences once each, in source order', () => {
    expect(used('b.c = 1 and (exists E from xEvent where E.x = "1" and a > 0 and inSegment("s")) or inSegment("t") and b.c > 0 and inSegment("s")'))
      .toEqual({ profile: ['b.c', 'a'], event: ['x'], segments: ['s', 't'] });
    expect(used('xEvent[y occurs before timestamp].count() > (sum X.v over X from xEvent where X.w = 1)'))
      .toEqual({ profile: [], event: ['y', 'timestamp', 'v', 'w'], segments: [] });
    expect(used('d occurs between e and today and s.startsWith("x") and l.distinct().count() = 1'))
      .toEqual({ profile: ['d', 'e', 's', 'l'], event: [], segments: [] });
  });

  it('reads the catalogue columns of a compiled statement, without relations and built-in columns', () => {
    expect(columnsRead('SELECT p."$profile" FROM "$profiles" AS p WHERE (p."a.b" = $1) AND EXISTS (SELECT 1 FROM "$events" AS e1 '
      + 'WHERE e1."$profile" = p."$profile" AND e1."timestamp" > e1."odd""name")')).toEqual(['a.b', 'odd"name']);
  });
});
