import { describe, expect, it } from 'vitest';
import { field } from '../../../test/support/ingestion-harness.js';
import { headerProblem } from './csv-source.js';
import type { EffectiveField } from './validation-sql.js';

const FIELDS: EffectiveField[] = [field('crmId', 'string', { required: true }), field('tier', 'string'), field('email', 'string', { required: true })].map((f, index) => ({
  ...f,
  index,
  role: 'declared',
}));

describe('headerProblem', () => {
  it.each([
    [['crmId', 'email'], undefined],
    [['email', 'tier', 'crmId', 'identityMap'], undefined],
    [['crmId', 'email', 'nick', 'age'], { code: 'UNKNOWN_FIELD', reason: 'header has columns not declared in the schema (nick, age)' }],
    [['tier'], { code: 'REQUIRED_FIELD_MISSING', reason: 'header lacks required columns (crmId, email)' }],
    [['nick', 'email'], { code: 'UNKNOWN_FIELD', reason: 'header has columns not declared in the schema (nick) and lacks required columns (crmId)' }],
  ] as const)('%j → %j', (names, expected) => {
    expect(headerProblem(names, FIELDS)).toEqual(expected === undefined ? undefined : { kind: 'unreadable', ...expected });
  });
});
