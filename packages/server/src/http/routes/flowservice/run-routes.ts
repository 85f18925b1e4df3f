// Dataflow runs (SPEC §9): the list and read endpoints exist (with their filters validated) before runs are executed.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { resourceNotFound } from '../../../domain/destinations/entity-documents.js';
import { listPage, type FlowServiceListQuery } from '../../aep/flow-service-list.js';
import { FLOW_SERVICE, VIEW_DESTINATIONS } from './flow-service-context.js';

/** Filterable run paths (SPEC §9.4). */
export const RUN_FILTER_PATHS = [
  'id', 'flowId', 'providerRefId', 'metrics.statusSummary.status', 'state', 'metrics.durationSummary.startedAtUTC', 'createdAt',
  'metrics.recordSummary.targetSummaries[].entitySummaries[].id', 'activator.trigger',
];

/**
 * `GET /runs` and `GET /runs/{id}`. Until the export worker lands no run exists: lists are empty
 * (filters are still validated, so clients learn about mistakes now) and every id is not found.
 */
export function registerRunRoutes(app: FastifyInstance): void {
  const config = { access: VIEW_DESTINATIONS, sandboxScoped: true };
  app.get(`${FLOW_SERVICE}/runs`, { config, schema: { tags: ['flowservice: runs'], querystring: z.looseObject({}) } }, (request) =>
    Promise.resolve(listPage<{ id: string }>([], request.query as FlowServiceListQuery, {
      resource: 'runs', allowedPaths: RUN_FILTER_PATHS, caseInsensitivePaths: ['metrics.statusSummary.status', 'state'], defaultOrder: '-createdAt',
    })),
  );
  app.get(`${FLOW_SERVICE}/runs/:id`, { config, schema: { tags: ['flowservice: runs'], params: z.object({ id: z.string().min(1).max(100) }) } }, (request) => {
    throw resourceNotFound('runs', (request.params as { id: string }).id);
  });
}
