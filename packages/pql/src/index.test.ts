// The package's public surface: the parser, the checker, the compiler and the dialect list are exported.
import { describe, expect, it } from 'vitest';
import * as pql from './index.js';

describe('@activator/pql', () => {
  it('exports parsePql, the default limits, the method names and the dialects', () => {
    expect(pql.parsePql('a = 1')).toMatchObject({ ast: { kind: 'comparison', operator: '=' } });
    expect(pql.DEFAULT_PARSE_LIMITS).toEqual({ maxLength: 65536, maxDepth: 200 });
    expect(pql.METHOD_NAMES).toHaveLength(17);
    expect(pql.supportedDialects).toEqual(['duckdb']);
  });

  it('exports the checker and the compiler of the segmentation contract', () => {
    const catalogue = { profile: [{ path: 'loyalty.tier', type: 'string' as const }], event: [] };
    const checked = pql.checkPql('loyalty.tier = "gold"', { catalogue });
    expect(checked).toMatchObject({ ok: true, diagnostics: [], dependencies: [], fields: ['loyalty.tier'] });
    if (checked.expression === undefined) throw new Error('expected a checked expression');
    const relations = { profiles: '"$profiles"', events: '"$events"', memberships: '"$memberships"' };
    expect(pql.compilePql(checked.expression, { dialect: 'duckdb', now: new Date(0), relations })).toEqual({
      sql: 'SELECT p."$profile" FROM "$profiles" AS p WHERE (p."loyalty.tier" = $1)', parameters: ['gold'],
    });
  });
});
