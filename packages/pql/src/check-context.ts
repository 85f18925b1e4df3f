// The state of one checker run: catalogue lookups, collected diagnostics, inferred types, fields and dependencies.
import type { Expr, PathNode } from './ast.js';
import { type CatalogueField, type FieldCatalogue, FieldIndex, type ValueType, fieldValueType } from './catalogue.js';
import { type Diagnostic, type DiagnosticCode, type Span, diagnosticAt } from './diagnostic.js';
import type { SegmentCheckContext } from './segment-check.js';

const EVENT_BUILTINS: readonly CatalogueField[] = [{ path: 'timestamp', type: 'date-time' }, { path: '_id', type: 'string' }];

/** Accumulates what the checker learns about one expression; the rules in `check-rules.ts` fill it. */
export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly types = new Map<Expr, ValueType>();
  readonly profileFields = new Set<string>();
  readonly eventFields = new Set<string>();
  readonly dependencies = new Set<string>();
  private readonly profile: FieldIndex;
  private readonly event: FieldIndex;

  constructor(
    readonly text: string,
    catalogue: FieldCatalogue,
    readonly segments: SegmentCheckContext,
  ) {
    this.profile = new FieldIndex(catalogue.profile);
    // Every event has `timestamp` and `_id` (contract §1), even when a catalogue leaves them out.
    const builtins = EVENT_BUILTINS.filter((builtin) => !catalogue.event.some((field) => field.path === builtin.path));
    this.event = new FieldIndex([...builtins, ...catalogue.event]);
  }

  report(span: Span, code: DiagnosticCode, message: string, construct: string, suggestions?: readonly string[]): null {
    this.diagnostics.push(diagnosticAt(this.text, span, code, message, construct, suggestions));
    return null;
  }

  /** Reports a type mismatch; returns `null` so rules can `return ctx.mismatch(…)`. */
  mismatch(span: Span, message: string, construct: string): null {
    return this.report(span, 'PQL-TYPE-MISMATCH', message, construct);
  }

  /** The type of a path in its scope (profile, or event for `xEvent[…]` and `VAR.path`), recording the field used. */
  resolvePath(node: PathNode): ValueType | null {
    const path = node.segments.join('.');
    const isEvent = node.scope !== 'profile';
    const index = isEvent ? this.event : this.profile;
    const field = index.get(path);
    if (field !== undefined) {
      (isEvent ? this.eventFields : this.profileFields).add(path);
      return fieldValueType(field);
    }
    const shown = node.scope === 'variable' ? `${node.variable ?? ''}.${path}` : path;
    const where = isEvent ? ' in the event schema' : '';
    // Suggestions replace the path as written, so variable paths keep their variable.
    const asWritten = (candidate: string): string => (node.scope === 'variable' ? `${node.variable ?? ''}.${candidate}` : candidate);
    const children = index.childrenOf(path).map(asWritten);
    if (children.length > 0) {
      return this.report(node.span, 'PQL-UNKNOWN-FIELD', `unknown field "${shown}": it is an object${where}, name one of its fields, e.g. ${children[0] ?? ''}`, 'path', children.slice(0, 3));
    }
    const suggestions = index.suggest(path).map(asWritten);
    const hint = suggestions.length > 0 ? '' : `: check the spelling against the ${isEvent ? 'event' : 'profile'} schema`;
    return this.report(node.span, 'PQL-UNKNOWN-FIELD', `unknown field "${shown}"${hint}`, 'path', suggestions);
  }
}
