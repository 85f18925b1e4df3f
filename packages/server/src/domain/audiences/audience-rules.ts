// Rules of an audience's fields (SPEC §5.1, §14): expression format and size, name and description bounds, evaluation modes, lifecycle.
import { AppError } from '../../errors.js';
import type { SegmentEvaluationInfo, SegmentLifecycleState } from '../../storage/store.js';
import { MAX_EXPRESSION_LENGTH } from './pql-port.js';

export const MAX_NAME_LENGTH = 256;
export const MAX_DESCRIPTION_LENGTH = 4096;
const LIFECYCLE_STATES: readonly SegmentLifecycleState[] = ['draft', 'published', 'inactive'];

/** The `expression` object of AEP requests. */
export interface ExpressionInput {
  readonly type: string;
  readonly format: string;
  readonly value: string;
}

export interface EvaluationInfoInput {
  readonly batch?: boolean | undefined;
  readonly continuous?: boolean | undefined;
  readonly synchronous?: boolean | undefined;
}

/** The PQL text of an expression object, or the problem that keeps it from being one. */
export function expressionText(expression: ExpressionInput): string {
  if (expression.type !== 'PQL') throw new AppError('VALIDATION', `expression.type must be PQL, got ${JSON.stringify(expression.type)}`);
  if (expression.format === 'pql/json') throw new AppError('VALIDATION', 'expression.format pql/json is not supported; use pql/text');
  if (expression.format !== 'pql/text') throw new AppError('VALIDATION', `expression.format must be pql/text, got ${JSON.stringify(expression.format)}`);
  if (expression.value.length > MAX_EXPRESSION_LENGTH) {
    throw new AppError('VALIDATION', `expression.value has ${expression.value.length} characters; a PQL expression may have at most ${MAX_EXPRESSION_LENGTH} (64 KiB)`);
  }
  return expression.value;
}

/** The stored name: trimmed, non-empty, bounded. */
export function audienceName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new AppError('VALIDATION', 'name is required: give the audience a non-empty name');
  if (trimmed.length > MAX_NAME_LENGTH) throw new AppError('VALIDATION', `name has ${trimmed.length} characters; an audience name may have at most ${MAX_NAME_LENGTH}`);
  return trimmed;
}

/** The stored description (null when absent or empty), bounded. */
export function audienceDescription(description: string | null | undefined): string | null {
  if (description === undefined || description === null || description === '') return null;
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw new AppError('VALIDATION', `description has ${description.length} characters; an audience description may have at most ${MAX_DESCRIPTION_LENGTH}`);
  }
  return description;
}

/** Only batch evaluation exists; asking for continuous or synchronous (edge) evaluation is refused. */
export function evaluationInfo(input: EvaluationInfoInput | undefined, current?: SegmentEvaluationInfo): SegmentEvaluationInfo {
  const info = { batch: input?.batch ?? current?.batch ?? true, continuous: input?.continuous ?? false, synchronous: input?.synchronous ?? false };
  if (info.continuous || info.synchronous) throw new AppError('VALIDATION', 'Only batch evaluation is supported');
  return info;
}

/** A lifecycle state named by a client. */
export function lifecycleState(value: string): SegmentLifecycleState {
  const state = LIFECYCLE_STATES.find((candidate) => candidate === value);
  if (state === undefined) throw new AppError('VALIDATION', `lifecycleState must be one of ${LIFECYCLE_STATES.join(', ')}, got ${JSON.stringify(value)}`);
  return state;
}

/** The state a new audience starts in: `published` unless the client asks for `draft`. */
export function initialLifecycleState(value: string | undefined): SegmentLifecycleState {
  const state = value === undefined ? 'published' : lifecycleState(value);
  if (state === 'inactive') throw new AppError('VALIDATION', 'A new audience is draft or published; publish it first, then make it inactive');
  return state;
}

/** SPEC §5.1: draft → published, published ↔ inactive; staying in a state is always allowed. */
export function checkLifecycleChange(from: SegmentLifecycleState, to: SegmentLifecycleState): void {
  if (from === to) return;
  if ((from === 'draft' && to === 'published') || (from === 'published' && to === 'inactive') || (from === 'inactive' && to === 'published')) return;
  if (from === 'published' && to === 'draft') throw new AppError('BAD_REQUEST', 'A published audience cannot go back to draft; make it inactive instead');
  if (from === 'draft') throw new AppError('BAD_REQUEST', 'A draft audience must be published before it can become inactive');
  throw new AppError('BAD_REQUEST', 'An inactive audience cannot go back to draft; publish it again instead');
}
