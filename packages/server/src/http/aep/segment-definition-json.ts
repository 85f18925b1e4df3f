// Segment definitions in AEP's shapes (SPEC §5.1, §1.5): request bodies and list queries in, objects and pages out.
import { z } from 'zod';
import type { Audience, AudienceInput } from '../../domain/audiences/audience-service.js';
import { AppError } from '../../errors.js';
import type { SandboxRecord, SegmentDefinitionQuery } from '../../storage/store.js';

export const SEGMENT_DEFINITIONS_PATH = '/segment/definitions';
export const PROFILE_SCHEMA = '_xdm.context.profile';
export const PAGE_LIMIT = 100;

const expression = z.object({ type: z.string().max(100), format: z.string().max(100), value: z.string() });
const enabled = z.object({ enabled: z.boolean() }).optional();
const fields = {
  name: z.string(),
  description: z.string().nullable().optional(),
  schema: z.object({ name: z.string().max(200) }),
  expression,
  mergePolicyId: z.string().min(1).max(100).optional(),
  lifecycleState: z.string().max(100).optional(),
  evaluationInfo: z.object({ batch: enabled, continuous: enabled, synchronous: enabled }).optional(),
};

/** `POST /segment/definitions`: unknown fields are ignored (AEP clients send more). */
export const createBody = z.object(fields);
/** `PATCH /segment/definitions/{id}`: the top-level fields present replace the stored ones. */
export const patchBody = z.object(fields).partial();
export const validateBody = z.object({ expression, mergePolicyId: z.string().min(1).max(100).optional() });
export const bulkGetBody = z.object({ ids: z.array(z.object({ id: z.string().max(100) })).max(PAGE_LIMIT) });

const SORT = /^(name|creationTime|updateTime):(asc|desc)$/;
export const listQuery = z.object({
  start: z.coerce.number().int().min(0).optional(),
  page: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT).default(PAGE_LIMIT),
  sort: z.string().regex(SORT, 'sort must be <field>:asc or <field>:desc with field name, creationTime or updateTime').default('creationTime:desc'),
  name: z.string().max(256).optional(),
  lifecycleState: z.enum(['draft', 'published', 'inactive']).optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

const sandboxJson = z.object({ sandboxId: z.string(), sandboxName: z.string(), type: z.string(), default: z.boolean() });
export const segmentDefinitionJsonSchema = z.object({
  id: z.string(),
  schema: z.object({ name: z.string() }),
  profileInstanceId: z.string(),
  imsOrgId: z.string(),
  sandbox: sandboxJson,
  name: z.string(),
  description: z.string(),
  expression: z.object({ type: z.string(), format: z.string(), value: z.string() }),
  mergePolicyId: z.string(),
  evaluationInfo: z.object({ batch: z.object({ enabled: z.boolean() }), continuous: z.object({ enabled: z.boolean() }), synchronous: z.object({ enabled: z.boolean() }) }),
  dataGovernancePolicy: z.object({ excludeOptOut: z.boolean() }),
  lifecycleState: z.string(),
  dependencies: z.array(z.string()),
  _etag: z.string(),
  creationTime: z.number(),
  createEpoch: z.number(),
  updateEpoch: z.number(),
  updateTime: z.number(),
});
export const listResponse = z.object({
  segments: z.array(segmentDefinitionJsonSchema),
  page: z.object({ totalCount: z.number(), totalPages: z.number(), sortField: z.string(), sort: z.string(), pageSize: z.number(), limit: z.number() }),
  link: z.object({ next: z.string().optional() }),
});
export const bulkGetResponse = z.object({ results: z.record(z.string(), segmentDefinitionJsonSchema) });
export const deleteResponse = z.object({ status: z.boolean(), message: z.string() });
/** Diagnostics keep every field the checker gives (SPEC §5.5 shape plus offsets). */
export const diagnosticJson = z.looseObject({
  severity: z.string(), code: z.string(), message: z.string(), line: z.number(), column: z.number(), endLine: z.number(), endColumn: z.number(),
  construct: z.string().optional(), suggestions: z.array(z.string()).optional(),
});
export const validateResponse = z.object({
  valid: z.boolean(), diagnostics: z.array(diagnosticJson), dependencies: z.array(z.string()), fields: z.array(z.string()),
});

/** The AEP segment definition object (SPEC §5.1). */
export function segmentDefinitionJson(audience: Audience, sandbox: SandboxRecord, orgId: string): z.infer<typeof segmentDefinitionJsonSchema> {
  return {
    id: audience.id,
    schema: { name: PROFILE_SCHEMA },
    profileInstanceId: 'ups',
    imsOrgId: orgId,
    sandbox: { sandboxId: sandbox.id, sandboxName: sandbox.name, type: sandbox.type, default: sandbox.isDefault },
    name: audience.name,
    description: audience.description ?? '',
    expression: { type: 'PQL', format: 'pql/text', value: audience.expression },
    mergePolicyId: audience.mergePolicyId,
    evaluationInfo: {
      batch: { enabled: audience.evaluationInfo.batch },
      continuous: { enabled: audience.evaluationInfo.continuous },
      synchronous: { enabled: audience.evaluationInfo.synchronous },
    },
    dataGovernancePolicy: { excludeOptOut: true },
    lifecycleState: audience.lifecycleState,
    dependencies: [...audience.dependencies],
    _etag: audience.etag,
    creationTime: audience.createdAt,
    createEpoch: Math.floor(audience.createdAt / 1000),
    updateEpoch: Math.floor(audience.updatedAt / 1000),
    updateTime: audience.updatedAt,
  };
}

/** A create or PATCH body → service input; `schema.name`, when given, must be the profile schema. */
export function audienceInputOf(body: z.infer<typeof patchBody>): AudienceInput {
  if (body.schema !== undefined && body.schema.name !== PROFILE_SCHEMA) {
    throw new AppError('VALIDATION', `schema.name must be ${PROFILE_SCHEMA}, got ${JSON.stringify(body.schema.name)}`);
  }
  const info = body.evaluationInfo;
  return {
    name: body.name,
    description: body.description,
    expression: body.expression,
    mergePolicyId: body.mergePolicyId,
    lifecycleState: body.lifecycleState,
    evaluationInfo: info === undefined ? undefined : { batch: info.batch?.enabled, continuous: info.continuous?.enabled, synchronous: info.synchronous?.enabled },
  };
}

/** The store query of a list request: `start` wins over `page` (SPEC §1.5). */
export function storeQueryOf(query: ListQuery): SegmentDefinitionQuery {
  const [sortField, sort] = query.sort.split(':') as [SegmentDefinitionQuery['sortField'], SegmentDefinitionQuery['sort']];
  return {
    sortField, sort, nameContains: query.name, lifecycleState: query.lifecycleState,
    offset: query.start ?? (query.page ?? 0) * query.limit, limit: query.limit,
  };
}

/**
 * The list envelope. `link.next` is `/segment/definitions?start=<n>&limit=<l>` as SPEC §1.5 shows it, followed by the
 * request's sort and filters when it had any, so following it keeps listing the same selection.
 */
export function listPage(query: ListQuery, page: { readonly items: readonly Audience[]; readonly total: number }, render: (audience: Audience) => z.infer<typeof segmentDefinitionJsonSchema>): z.infer<typeof listResponse> {
  const storeQuery = storeQueryOf(query);
  const nextStart = storeQuery.offset + storeQuery.limit;
  const carried = new URLSearchParams();
  if (query.sort !== 'creationTime:desc') carried.set('sort', query.sort);
  if (query.name !== undefined) carried.set('name', query.name);
  if (query.lifecycleState !== undefined) carried.set('lifecycleState', query.lifecycleState);
  const extra = carried.size === 0 ? '' : `&${carried.toString()}`;
  return {
    segments: page.items.map(render),
    page: {
      totalCount: page.total, totalPages: Math.ceil(page.total / storeQuery.limit), sortField: storeQuery.sortField, sort: storeQuery.sort,
      pageSize: page.items.length, limit: storeQuery.limit,
    },
    link: nextStart < page.total ? { next: `${SEGMENT_DEFINITIONS_PATH}?start=${nextStart}&limit=${storeQuery.limit}${extra}` } : {},
  };
}
