// The read-only destination catalog: connection specs and flow specs (SPEC §6.1), with Flow Service list semantics.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { connectionSpecToAepJson, findConnectionSpec, findFlowSpec, flowSpecToAepJson, listConnectionSpecs, listFlowSpecs } from '../../../domain/destinations/destination-catalog.js';
import { resourceNotFound } from '../../../domain/destinations/entity-documents.js';
import { listPage, type FlowServiceListQuery } from '../../aep/flow-service-list.js';
import { FLOW_SERVICE, VIEW_DESTINATIONS, wrapped } from './flow-service-context.js';

const TAGS = ['flowservice: catalog'];
const listQuery = z.looseObject({}).describe('limit, continuationToken, orderby, count, property (repeatable)');
const idParams = z.object({ id: z.string().min(1).max(100) });

/** Registers `/connectionSpecs[/{id}]` and `/flowSpecs[/{id}]`; other methods answer 405 FLOW-4050-405. */
export function registerCatalogRoutes(app: FastifyInstance, limits: { maxFileRows: number }): void {
  const config = { access: VIEW_DESTINATIONS, sandboxScoped: true };
  const connectionSpecs = () => listConnectionSpecs().map((spec) => ({ ...connectionSpecToAepJson(spec, limits), id: spec.id, name: spec.name }));
  const flowSpecs = () => listFlowSpecs().map((spec) => ({ ...flowSpecToAepJson(spec), id: spec.id, name: spec.name }));

  app.get(`${FLOW_SERVICE}/connectionSpecs`, { config, schema: { tags: TAGS, querystring: listQuery } }, (request) =>
    Promise.resolve(listPage(connectionSpecs(), request.query as FlowServiceListQuery, {
      resource: 'connectionSpecs', allowedPaths: ['id', 'name', 'providerId', 'attributes.category'], defaultOrder: '+name',
    })),
  );

  app.get(`${FLOW_SERVICE}/connectionSpecs/:id`, { config, schema: { tags: TAGS, params: idParams } }, (request) => {
    const { id } = request.params as { id: string };
    const spec = findConnectionSpec(id);
    if (spec === undefined) throw resourceNotFound('connectionSpecs', id);
    return Promise.resolve(wrapped(connectionSpecToAepJson(spec, limits)));
  });

  app.get(`${FLOW_SERVICE}/flowSpecs`, { config, schema: { tags: TAGS, querystring: listQuery } }, (request) =>
    Promise.resolve(listPage(flowSpecs(), request.query as FlowServiceListQuery, { resource: 'flowSpecs', allowedPaths: ['id', 'name'], defaultOrder: '+name' })),
  );

  app.get(`${FLOW_SERVICE}/flowSpecs/:id`, { config, schema: { tags: TAGS, params: idParams } }, (request) => {
    const { id } = request.params as { id: string };
    const spec = findFlowSpec(id);
    if (spec === undefined) throw resourceNotFound('flowSpecs', id);
    return Promise.resolve(wrapped(flowSpecToAepJson(spec)));
  });
}
