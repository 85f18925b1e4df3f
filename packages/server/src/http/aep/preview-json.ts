// The AEP preview and estimate shapes (SPEC §5.5): request body, 201 answer, GET /preview results and GET /estimate, with their zod schemas.
import { z } from 'zod';
import type { Preview } from '../../domain/audiences/preview-service.js';
import type { MergedProfile } from '../../engine/engine.js';

export const PREVIEW_PATH = '/preview';
export const ESTIMATE_PATH = '/estimate';

export const previewBody = z.looseObject({
  predicateExpression: z.string({ error: 'predicateExpression is required: the PQL text to preview' }),
  predicateType: z.string({ error: 'predicateType is required: pql/text' }).max(100),
  predicateModel: z.string({ error: 'predicateModel is required: _xdm.context.profile' }).max(200),
  graphType: z.enum(['pdg', 'none'], { error: 'graphType must be pdg or none' }).optional(),
  mergePolicyId: z.string().min(1).max(100).optional(),
});

const state = z.enum(['RUNNING', 'RESULT_READY', 'FAILED']);

export const previewCreatedSchema = z.object({
  previewId: z.string(), previewQueryId: z.string(), previewExecutionId: z.number(), state, previewQueryStatus: state,
});

export const previewResultsSchema = z.object({
  state,
  results: z.array(z.object({ entityId: z.string(), entity: z.record(z.string(), z.unknown()) })),
  page: z.object({ totalCount: z.number(), pageSize: z.number() }),
  link: z.string(),
  sampled: z.boolean(),
  error: z.string().optional(),
});

export const estimateSchema = z.object({
  estimatedSize: z.number(),
  profilesReadSoFar: z.number(),
  profilesMatchedSoFar: z.number(),
  totalRows: z.number(),
  numRowsToRead: z.number(),
  state,
  confidenceInterval: z.enum(['100%', '95%']),
  standardError: z.number(),
  sampled: z.boolean(),
  estimatedNamespaceDistribution: z.array(z.object({ namespaceId: z.string(), profilesMatchedSoFar: z.number() })),
  _links: z.object({ preview: z.string() }),
  error: z.string().optional(),
});

export const previewLocation = (id: string) => `${PREVIEW_PATH}/${id}`;

export function previewCreatedJson(preview: Preview): z.infer<typeof previewCreatedSchema> {
  return { previewId: preview.id, previewQueryId: preview.queryId, previewExecutionId: 1, state: preview.state, previewQueryStatus: preview.state };
}

/**
 * A member as lookups show a profile (SPEC §4.5): identities, then the merged attributes. Without View Identity
 * Graph only the identity of the member's key is listed.
 */
function entityOf(profile: MergedProfile, seesGraph: boolean): Record<string, unknown> {
  const identities = profile.identities
    .filter((identity) => seesGraph || `${identity.namespace}:${identity.id}` === profile.profileKey)
    .map((identity) => ({ id: identity.id, namespace: { code: identity.namespace }, ...(identity.primary ? { primary: true } : {}) }));
  return { identities, ...profile.attributes };
}

/** GET /preview/{id}: the first `limit` members; `totalCount` is the audience's size (scaled up when sampled). */
export function previewResultsJson(preview: Preview, limit: number, seesGraph: boolean): z.infer<typeof previewResultsSchema> {
  const result = preview.result;
  const members = result?.members.slice(0, limit) ?? [];
  return {
    state: preview.state,
    results: members.map((profile) => ({ entityId: profile.profileKey, entity: entityOf(profile, seesGraph) })),
    page: { totalCount: result?.estimatedSize ?? 0, pageSize: members.length },
    link: '',
    sampled: result?.sampled ?? false,
    ...(preview.error === undefined ? {} : { error: preview.error }),
  };
}

/**
 * GET /estimate/{id}. `profilesReadSoFar`/`profilesMatchedSoFar` are the profiles actually evaluated and matched;
 * `estimatedSize` and the namespace distribution are scaled to every profile when sampled. While RUNNING every count is 0.
 */
export function estimateJson(preview: Preview): z.infer<typeof estimateSchema> {
  const result = preview.result;
  const scale = (count: number) => (result?.sampled === true && result.profilesRead > 0 ? Math.round((count * result.totalProfiles) / result.profilesRead) : count);
  return {
    estimatedSize: result?.estimatedSize ?? 0,
    profilesReadSoFar: result?.profilesRead ?? 0,
    profilesMatchedSoFar: result?.matched ?? 0,
    totalRows: result?.totalProfiles ?? 0,
    numRowsToRead: result?.profilesRead ?? 0,
    state: preview.state,
    confidenceInterval: result?.sampled === true ? '95%' : '100%',
    standardError: result?.standardError ?? 0,
    sampled: result?.sampled ?? false,
    estimatedNamespaceDistribution: Object.entries(result?.byNamespace ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([namespaceId, count]) => ({ namespaceId, profilesMatchedSoFar: scale(count) })),
    _links: { preview: previewLocation(preview.id) },
    ...(preview.error === undefined ? {} : { error: preview.error }),
  };
}
