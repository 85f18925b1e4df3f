// What the audience service takes from `@activator/pql` (seg-contract §1): the checker's types, its signature and the parser's size limit.
import { DEFAULT_PARSE_LIMITS } from '@activator/pql';
import type { CheckOptions, CheckResult } from '@activator/pql';

export type { CatalogueField, FieldCatalogue, SegmentInfo } from '@activator/pql';

/** `checkPql(text, options)`: parses and checks, never throws. Injected so the composition root decides which checker runs. */
export type PqlChecker = (text: string, options: CheckOptions) => Pick<CheckResult, 'ok' | 'diagnostics' | 'dependencies' | 'fields'>;

/** The longest expression the parser accepts (SPEC §14: 64 KiB), in UTF-16 code units as the parser counts. */
export const MAX_EXPRESSION_LENGTH = DEFAULT_PARSE_LIMITS.maxLength;
