// The AudienceCompiler over `@activator/pql`: check against the catalogue, then compile for DuckDB with the engine's relation names.
import { checkPql, compilePql, type FieldCatalogue } from '@activator/pql';
import { SEGMENT_RELATIONS } from '../../engine/engine.js';
import type { AudienceCompilation, AudienceCompiler, CompileContext } from './segment-job-ports.js';

/** Errors of an audience's check, as one reason: each diagnostic with its position. */
function reasonOf(diagnostics: readonly { readonly severity: string; readonly message: string; readonly line: number; readonly column: number }[]): string {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  return errors.map((diagnostic) => `${diagnostic.message} (line ${diagnostic.line}, column ${diagnostic.column})`).join('; ') || 'invalid PQL expression';
}

export const pqlAudienceCompiler: AudienceCompiler = {
  compile(expression: string, context: CompileContext): AudienceCompilation {
    const checked = checkPql(expression, {
      catalogue: context.catalogue as FieldCatalogue, segment: context.segment, selfId: context.selfId, mergePolicyId: context.mergePolicyId,
    });
    if (!checked.ok || checked.expression === undefined) return { ok: false, reason: reasonOf(checked.diagnostics) };
    try {
      const compiled = compilePql(checked.expression, { dialect: 'duckdb', now: context.now, relations: SEGMENT_RELATIONS });
      return { ok: true, sql: compiled.sql, parameters: compiled.parameters, fields: checked.fields };
    } catch (error) {
      return { ok: false, reason: `could not compile: ${error instanceof Error ? error.message : String(error)}` };
    }
  },
};
