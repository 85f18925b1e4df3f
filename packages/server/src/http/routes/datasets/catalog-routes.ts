// Catalog API (SPEC §3.2–3.3): datasets and batches as objects keyed by id, in the `problem` error envelope.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorLabel } from '../../../domain/runtime.js';
import type { Clock } from '../../../domain/runtime.js';
import { AppError } from '../../../errors.js';
import { authOf } from '../../route-config.js';
import { batchJson, datasetJson, keyed, type CatalogRenderContext } from './dataset-json.js';
import type { ProfilesModule } from './profiles-module.js';

const CATALOG = '/data/foundation/catalog';
const TAGS = ['catalog'];
const READ = { kind: 'permissions', scope: 'sandbox', allOf: [], anyOf: ['View Profiles', 'Manage Datasets'] } as const;
const MANAGE = { kind: 'permissions', scope: 'sandbox', allOf: ['Manage Datasets'] } as const;
const idParams = z.object({ id: z.string().min(1).max(100) });
const datasetBody = z.object({
  name: z.string().max(200),
  description: z.string().max(2000).default(''),
  profileEnabled: z.boolean().default(true),
  schema: z.unknown(),
});
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  start: z.coerce.number().int().min(0).default(0),
  orderBy: z.enum(['created', '-created', 'updated', '-updated', 'name', '-name']).default('-created'),
  name: z.string().max(200).optional(),
  property: z.union([z.string(), z.array(z.string())]).optional(),
});
const batchListQuery = z.object({
  dataSet: z.string().max(100).optional(),
  status: z.enum(['loading', 'processing', 'success', 'failed', 'aborted']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  start: z.coerce.number().int().min(0).default(0),
});

type DatasetListQuery = z.infer<typeof listQuery>;

function sortDatasets<T extends { name: string; createdAt: number; updatedAt: number; id: string }>(items: T[], orderBy: DatasetListQuery['orderBy']): T[] {
  const field = orderBy.replace('-', '') as 'created' | 'updated' | 'name';
  const key = (item: T): string | number => (field === 'name' ? item.name : field === 'created' ? item.createdAt : item.updatedAt);
  const direction = orderBy.startsWith('-') ? -1 : 1;
  return [...items].sort((a, b) => (key(a) < key(b) ? -direction : key(a) > key(b) ? direction : a.id < b.id ? -1 : 1));
}

/** `property=schema.class==profile` is the one catalog property filter (SPEC §3.2). */
function classFilter(property: string | string[] | undefined): string | undefined {
  const filters = property === undefined ? [] : Array.isArray(property) ? property : [property];
  let wanted: string | undefined;
  for (const filter of filters) {
    const match = /^schema\.class==(profile|experienceEvent)$/.exec(filter);
    if (match === null) throw new AppError('BAD_REQUEST', `Unsupported property filter ${JSON.stringify(filter)}: use property=schema.class==profile or ==experienceEvent`);
    wanted = match[1];
  }
  return wanted;
}

export function registerCatalogDatasetRoutes(app: FastifyInstance, module: ProfilesModule, deps: { clock: Clock; orgId: string }): void {
  const contextOf = (request: FastifyRequest): { scope: ReturnType<ProfilesModule['sandboxStore']>; render: CatalogRenderContext; by: string } => {
    const auth = authOf(request);
    const sandbox = auth.sandbox;
    if (sandbox === undefined) throw new Error('catalog routes are sandbox-scoped');
    return { scope: module.sandboxStore(sandbox.id), render: { orgId: deps.orgId, sandboxName: sandbox.name }, by: actorLabel(auth.principal.actor) };
  };

  app.post(`${CATALOG}/dataSets`, { config: { access: MANAGE, sandboxScoped: true, audit: { action: 'dataset.create', objectType: 'dataset' } }, schema: { tags: TAGS, body: datasetBody } }, async (request, reply) => {
    const { scope, by } = contextOf(request);
    const body = request.body as z.infer<typeof datasetBody>;
    const dataset = await module.datasets.create(scope, body, { by, now: deps.clock.now() });
    request.auditObjectId = dataset.id;
    return reply.code(201).send([`@/dataSets/${dataset.id}`]);
  });

  app.get(`${CATALOG}/dataSets`, { config: { access: READ, sandboxScoped: true }, schema: { tags: TAGS, querystring: listQuery } }, async (request) => {
    const { scope, render } = contextOf(request);
    const query = request.query as DatasetListQuery;
    const wantedClass = classFilter(query.property);
    const datasets = (await module.datasets.list(scope)).filter((d) => (query.name === undefined || d.name === query.name) && (wantedClass === undefined || d.schema.class === wantedClass));
    const page = sortDatasets(datasets, query.orderBy).slice(query.start, query.start + query.limit);
    const batches = await module.batches.ofDatasets(scope, page.map((dataset) => dataset.id));
    return keyed(page.map((dataset) => [dataset.id, datasetJson(dataset, batches, render)] as const));
  });

  app.get(`${CATALOG}/dataSets/:id`, { config: { access: READ, sandboxScoped: true }, schema: { tags: TAGS, params: idParams } }, async (request) => {
    const { scope, render } = contextOf(request);
    const dataset = await module.datasets.get(scope, (request.params as { id: string }).id);
    return keyed([[dataset.id, datasetJson(dataset, await module.batches.ofDatasets(scope, [dataset.id]), render)]]);
  });

  app.patch(
    `${CATALOG}/dataSets/:id`,
    { config: { access: MANAGE, sandboxScoped: true, audit: { action: 'dataset.update', objectType: 'dataset' } }, schema: { tags: TAGS, params: idParams, body: z.object({ schema: z.object({ fields: z.unknown() }) }) } },
    async (request) => {
      const { scope, by } = contextOf(request);
      const { id } = request.params as { id: string };
      request.auditObjectId = id;
      await module.datasets.appendFields(scope, id, (request.body as { schema: { fields: unknown } }).schema.fields, { by, now: deps.clock.now() });
      return [`@/dataSets/${id}`];
    },
  );

  app.delete(`${CATALOG}/dataSets/:id`, { config: { access: MANAGE, sandboxScoped: true, audit: { action: 'dataset.delete', objectType: 'dataset' } }, schema: { tags: TAGS, params: idParams } }, async (request) => {
    const { scope } = contextOf(request);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    const batches = await module.batches.ofDatasets(scope, [id]);
    await module.datasets.delete(scope, id, [
      async (s, datasetId) => {
        const policies = await module.policies.policiesListing(s, datasetId);
        return policies.length > 0 ? `Dataset ${datasetId} is listed in the attributeMerge.order of merge policies ${policies.join(', ')}` : undefined;
      },
      () => Promise.resolve(batches.some((batch) => batch.status === 'processing') ? `Dataset ${id} has a batch being processed; try again when it has finished` : undefined),
    ], batches.map((batch) => batch.id));
    await module.batches.removeOfDataset(scope, id);
    return [`@/dataSets/${id}`];
  });

  app.get(`${CATALOG}/batches`, { config: { access: READ, sandboxScoped: true }, schema: { tags: TAGS, querystring: batchListQuery } }, async (request) => {
    const { scope, render } = contextOf(request);
    const query = request.query as z.infer<typeof batchListQuery>;
    const batches = await module.batches.query(scope, { datasetId: query.dataSet, status: query.status, start: query.start, limit: query.limit });
    return keyed(batches.map((batch) => [batch.id, batchJson(batch, render)] as const));
  });

  app.get(`${CATALOG}/batches/:id`, { config: { access: READ, sandboxScoped: true }, schema: { tags: TAGS, params: idParams } }, async (request) => {
    const { scope, render } = contextOf(request);
    const batch = await module.batches.get(scope, (request.params as { id: string }).id);
    return keyed([[batch.id, batchJson(batch, render)]]);
  });
}
