// The package's public surface: the parser entry point and the dialect list stay exported.
import { describe, expect, it } from 'vitest';
import * as pql from './index.js';

describe('@activator/pql', () => {
  it('exports parsePql, the default limits, the method names and the dialects', () => {
    expect(pql.parsePql('a = 1')).toMatchObject({ ast: { kind: 'comparison', operator: '=' } });
    expect(pql.DEFAULT_PARSE_LIMITS).toEqual({ maxLength: 65536, maxDepth: 200 });
    expect(pql.METHOD_NAMES).toHaveLength(17);
    expect(pql.supportedDialects).toEqual(['duckdb']);
  });
});
