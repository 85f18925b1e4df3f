// What the audience service needs from the PQL checker (seg-contract §1): the shapes `checkPql` takes and returns.
//
// Declared structurally, so `checkPql` of `@activator/pql` is passed in by the composition root as it is.

export type CatalogueFieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'date-time' | 'array';
export type CatalogueScalarType = Exclude<CatalogueFieldType, 'array'>;

export interface CatalogueField {
  readonly path: string;
  readonly type: CatalogueFieldType;
  readonly items?: CatalogueScalarType;
}

/** The union schema of a sandbox: profile paths, and event paths (always incl. `timestamp` and `_id`). */
export interface FieldCatalogue {
  readonly profile: readonly CatalogueField[];
  readonly event: readonly CatalogueField[];
}

/** What the checker needs to know about an audience referenced by `inSegment`. */
export interface SegmentInfo {
  readonly id: string;
  readonly mergePolicyId: string;
  readonly dependencies: readonly string[];
}

export interface PqlCheckOptions {
  readonly catalogue: FieldCatalogue;
  readonly segment?: (id: string) => SegmentInfo | undefined;
  readonly selfId?: string;
  readonly mergePolicyId?: string;
}

/** One diagnostic (SPEC §5.5 shape); the checker may add fields, which are passed on as they are. */
export interface PqlDiagnostic {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly construct?: string;
  readonly suggestions?: readonly string[];
}

export interface PqlCheckResult {
  readonly ok: boolean;
  readonly diagnostics: readonly PqlDiagnostic[];
  readonly dependencies: readonly string[];
  readonly fields: readonly string[];
}

/** `checkPql(text, options)`: parses and checks, never throws. */
export type PqlChecker = (text: string, options: PqlCheckOptions) => PqlCheckResult;

/** The longest expression the parser accepts (SPEC §14: 64 KiB), in UTF-16 code units as the parser counts. */
export const MAX_EXPRESSION_LENGTH = 64 * 1024;
