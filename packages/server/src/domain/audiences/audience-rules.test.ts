// Unit tests of the audience field rules: expression format and size, bounds, evaluation modes and lifecycle transitions.
import { describe, expect, it } from 'vitest';
import type { SegmentLifecycleState } from '../../storage/store.js';
import {
  audienceDescription, audienceName, checkLifecycleChange, evaluationInfo, expressionText, initialLifecycleState, lifecycleState,
  MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH,
} from './audience-rules.js';

const pql = (value: string, format = 'pql/text', type = 'PQL') => ({ type, format, value });

describe('expressionText', () => {
  it('takes the value of a PQL pql/text expression, up to 64 KiB', () => {
    expect(expressionText(pql('loyalty.points > 10'))).toBe('loyalty.points > 10');
    const longest = 'a'.repeat(64 * 1024);
    expect(expressionText(pql(longest))).toBe(longest);
  });

  it('refuses pql/json with the SPEC message, other formats and types naming what came', () => {
    expect(() => expressionText(pql('{}', 'pql/json'))).toThrow('expression.format pql/json is not supported; use pql/text');
    expect(() => expressionText(pql('x', 'text/plain'))).toThrow('expression.format must be pql/text, got "text/plain"');
    expect(() => expressionText(pql('x', 'pql/text', 'SQL'))).toThrow('expression.type must be PQL, got "SQL"');
  });

  it('refuses an expression longer than the parser accepts', () => {
    expect(() => expressionText(pql('a'.repeat(64 * 1024 + 1)))).toThrow(/65537 characters; a PQL expression may have at most 65536/);
  });
});

describe('names, descriptions and evaluation modes', () => {
  it('trims names and bounds them', () => {
    expect(audienceName('  Gold  ')).toBe('Gold');
    expect(() => audienceName('   ')).toThrow('name is required');
    expect(audienceName('n'.repeat(MAX_NAME_LENGTH))).toHaveLength(256);
    expect(() => audienceName('n'.repeat(MAX_NAME_LENGTH + 1))).toThrow('at most 256');
  });

  it('stores an absent or empty description as null and bounds it', () => {
    expect(audienceDescription(undefined)).toBeNull();
    expect(audienceDescription('')).toBeNull();
    expect(audienceDescription('d')).toBe('d');
    expect(() => audienceDescription('d'.repeat(MAX_DESCRIPTION_LENGTH + 1))).toThrow('at most 4096');
  });

  it('accepts batch evaluation only', () => {
    expect(evaluationInfo(undefined)).toEqual({ batch: true, continuous: false, synchronous: false });
    expect(evaluationInfo({ batch: false })).toEqual({ batch: false, continuous: false, synchronous: false });
    expect(evaluationInfo({}, { batch: false, continuous: false, synchronous: false })).toEqual({ batch: false, continuous: false, synchronous: false });
    expect(() => evaluationInfo({ continuous: true })).toThrow('Only batch evaluation is supported');
    expect(() => evaluationInfo({ batch: true, synchronous: true })).toThrow('Only batch evaluation is supported');
  });
});

describe('lifecycle', () => {
  it('starts published unless draft is asked for; never inactive', () => {
    expect(initialLifecycleState(undefined)).toBe('published');
    expect(initialLifecycleState('draft')).toBe('draft');
    expect(() => initialLifecycleState('inactive')).toThrow('publish it first');
    expect(() => lifecycleState('archived')).toThrow('lifecycleState must be one of draft, published, inactive, got "archived"');
  });

  const allowed: readonly (readonly [SegmentLifecycleState, SegmentLifecycleState])[] = [
    ['draft', 'draft'], ['draft', 'published'], ['published', 'published'], ['published', 'inactive'], ['inactive', 'inactive'], ['inactive', 'published'],
  ];
  const refused: readonly (readonly [SegmentLifecycleState, SegmentLifecycleState, string])[] = [
    ['published', 'draft', 'A published audience cannot go back to draft'],
    ['draft', 'inactive', 'must be published before it can become inactive'],
    ['inactive', 'draft', 'An inactive audience cannot go back to draft'],
  ];

  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(() => checkLifecycleChange(from, to)).not.toThrow();
  });

  it.each(refused)('refuses %s → %s', (from, to, message) => {
    expect(() => checkLifecycleChange(from, to)).toThrow(message);
  });
});
