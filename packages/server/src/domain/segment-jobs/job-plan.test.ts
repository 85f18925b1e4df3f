import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { definitionHash, mergeRequested, planJob, type HashableAudience } from './job-plan.js';

const audience = (id: string, dependencies: string[] = [], lifecycleState = 'published') => ({ id, dependencies, lifecycleState });

describe('planJob', () => {
  const audiences = [
    audience('a', ['b']),
    audience('b', ['c']),
    audience('c'),
    audience('d', [], 'draft'),
    audience('e', ['d'], 'inactive'),
    audience('f', ['gone']),
  ];
  const ids = (requested: string[]) => {
    const plan = planJob(requested, audiences);
    return plan.ok ? plan.audiences.map((a) => a.id) : { unknown: plan.unknown };
  };

  it('* is every published audience, each after the audiences it depends on', () => {
    expect(ids(['*'])).toEqual(['c', 'b', 'a', 'f']);
  });

  it('listed audiences of any lifecycle state are evaluated, with their dependencies added transitively first', () => {
    expect(ids(['e'])).toEqual(['d', 'e']);
    expect(ids(['a'])).toEqual(['c', 'b', 'a']);
    expect(ids(['b', 'a', 'b'])).toEqual(['c', 'b', 'a']);
    expect(ids(['d', '*'])).toEqual(['d', 'c', 'b', 'a', 'f']);
  });

  it('unknown ids fail the plan, each named once; a dependency that no longer exists is left out', () => {
    expect(ids(['x', 'a', 'x', 'y'])).toEqual({ unknown: ['x', 'y'] });
    expect(ids(['f'])).toEqual(['f']);
  });

  it('terminates on a cycle (refused at save, so only possible through races)', () => {
    const plan = planJob(['p'], [audience('p', ['q']), audience('q', ['p'])]);
    expect(plan.ok && plan.audiences.map((a) => a.id)).toEqual(['q', 'p']);
  });
});

describe('mergeRequested', () => {
  it('keeps the union in first-seen order, and * absorbs everything', () => {
    expect(mergeRequested(['a', 'b'], ['b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(mergeRequested(['a'], ['*'])).toEqual(['*']);
    expect(mergeRequested(['*'], ['z'])).toEqual(['*']);
  });
});

describe('definitionHash', () => {
  const hashOf = (parts: [string, string][]) => {
    const hash = createHash('sha256');
    for (const [id, expression] of parts) hash.update(`${id}\u0000${expression}\u0000`);
    return hash.digest('hex');
  };
  const map = (entries: HashableAudience[]) => new Map(entries.map((entry) => [entry.segmentId, entry]));
  const base = map([
    { segmentId: 'a', expression: 'inSegment("c") and x = 1', dependencies: ['c'] },
    { segmentId: 'c', expression: 'inSegment("b")', dependencies: ['b'] },
    { segmentId: 'b', expression: 'y > 2', dependencies: [] },
  ]);

  it('is SHA-256 of the audience then its transitive dependencies by id', () => {
    expect(definitionHash('a', base)).toBe(hashOf([['a', 'inSegment("c") and x = 1'], ['b', 'y > 2'], ['c', 'inSegment("b")']]));
    expect(definitionHash('b', base)).toBe(hashOf([['b', 'y > 2']]));
    expect(definitionHash('a', base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a transitive dependency changes, and only then', () => {
    const changed = new Map(base);
    changed.set('b', { segmentId: 'b', expression: 'y > 3', dependencies: [] });
    expect(definitionHash('a', changed)).not.toBe(definitionHash('a', base));
    expect(definitionHash('a', new Map([...base].reverse()))).toBe(definitionHash('a', base));
  });
});
