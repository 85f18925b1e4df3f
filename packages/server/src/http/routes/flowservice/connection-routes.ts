// Base, source and target connections (SPEC §6.2–6.4): create, read, list, JSON-Patch with If-Match, delete.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireIfMatch } from '../../../domain/destinations/entity-documents.js';
import type { Clock } from '../../../domain/runtime.js';
import { AppError } from '../../../errors.js';
import {
  baseConnectionPatchPathAllowed, parseBaseConnectionBody, parseSourceConnectionBody, parseTargetConnectionBody, renderBaseConnection,
  renderSourceConnection, renderTargetConnection, sourceConnectionPatchPathAllowed, targetConnectionPatchPathAllowed, type EntityRenderContext,
} from '../../aep/connection-mapper.js';
import { listPage, type FlowServiceListQuery } from '../../aep/flow-service-list.js';
import { applyJsonPatch, assertPatchPathsAllowed, normalizePatchOps } from '../../aep/json-patch.js';
import type { FlowServiceModule } from './flow-service-module.js';
import { changeContextOf, FLOW_SERVICE, ifMatchOf, MANAGE_DESTINATIONS, sandboxOf, VIEW_DESTINATIONS, wrapped } from './flow-service-context.js';

const TAGS = ['flowservice: connections'];
const idParams = z.object({ id: z.string().min(1).max(100) });
const listQuery = z.looseObject({});
const anyBody = z.unknown();

/** The sandbox scope and render context of a request. */
function contextOf(request: FastifyRequest, module: FlowServiceModule, orgId: string) {
  const sandbox = sandboxOf(request);
  return { scope: module.sandboxStore(sandbox.id), render: { sandboxName: sandbox.name, orgId } satisfies EntityRenderContext };
}

/** Applies a JSON Patch to the rendered document after checking its paths. */
function patched(document: unknown, body: unknown, isAllowed: (path: string) => boolean): { doc: unknown; ops: unknown[] } {
  const ops = normalizePatchOps(body);
  assertPatchPathsAllowed(ops, isAllowed);
  const specNameOnly = ops.some((op) => op.path === '/auth/specName') && !ops.some((op) => op.path.startsWith('/auth/params'));
  if (specNameOnly) throw new AppError('BAD_REQUEST', 'Invalid patch path: /auth/specName', { familyCode: 'FLOW-1455-400' });
  return { doc: applyJsonPatch(document, ops), ops };
}

export function registerConnectionRoutes(app: FastifyInstance, module: FlowServiceModule, deps: { clock: Clock; orgId: string }): void {
  const read = { access: VIEW_DESTINATIONS, sandboxScoped: true };
  const write = (action: string, objectType: string) => ({ access: MANAGE_DESTINATIONS, sandboxScoped: true, audit: { action, objectType } });

  // Base connections
  app.post(`${FLOW_SERVICE}/connections`, { config: write('connection.create', 'connection'), schema: { tags: TAGS, body: anyBody } }, async (request, reply) => {
    const { scope } = contextOf(request, module, deps.orgId);
    const created = await module.bases.create(scope, parseBaseConnectionBody(request.body), changeContextOf(request, deps.clock.now()));
    request.auditObjectId = created.id;
    return reply.code(201).send({ id: created.id, etag: created.etag });
  });
  app.get(`${FLOW_SERVICE}/connections`, { config: read, schema: { tags: TAGS, querystring: listQuery } }, async (request) => {
    const { scope, render } = contextOf(request, module, deps.orgId);
    const items = (await module.bases.list(scope)).map((c) => renderBaseConnection(c, render) as Record<string, unknown> & { id: string });
    return listPage(items, request.query as FlowServiceListQuery, {
      resource: 'connections', allowedPaths: ['id', 'name', 'connectionSpec.id', 'state', 'createdAt', 'updatedAt'], caseInsensitivePaths: ['state'], defaultOrder: '-updatedAt',
    });
  });
  app.get(`${FLOW_SERVICE}/connections/:id`, { config: read, schema: { tags: TAGS, params: idParams } }, async (request) => {
    const { scope, render } = contextOf(request, module, deps.orgId);
    return wrapped(renderBaseConnection(await module.bases.get(scope, (request.params as { id: string }).id), render));
  });
  app.patch(`${FLOW_SERVICE}/connections/:id`, { config: write('connection.patch', 'connection'), schema: { tags: TAGS, params: idParams, body: anyBody } }, async (request) => {
    const { scope, render } = contextOf(request, module, deps.orgId);
    const current = await module.bases.get(scope, (request.params as { id: string }).id);
    const supplied = requireIfMatch(ifMatchOf(request), current.etag);
    const { doc, ops } = patched(renderBaseConnection(current, render), request.body, baseConnectionPatchPathAllowed);
    request.auditObjectId = current.id;
    request.auditDetails = { ops };
    const updated = await module.bases.update(scope, current, parseBaseConnectionBody(doc), { ...changeContextOf(request, deps.clock.now()), supplied });
    return { id: updated.id, etag: updated.etag };
  });
  app.delete(`${FLOW_SERVICE}/connections/:id`, { config: write('connection.delete', 'connection'), schema: { tags: TAGS, params: idParams } }, async (request, reply) => {
    const { scope } = contextOf(request, module, deps.orgId);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    const usedBy = (await module.targets.list(scope)).filter((t) => t.baseConnectionId === id).map((t) => t.id);
    await module.bases.delete(scope, id, usedBy);
    return reply.code(202).send();
  });

  // Source connections
  app.post(`${FLOW_SERVICE}/sourceConnections`, { config: write('sourceConnection.create', 'sourceConnection'), schema: { tags: TAGS, body: anyBody } }, async (request, reply) => {
    const { scope } = contextOf(request, module, deps.orgId);
    const created = await module.sources.create(scope, parseSourceConnectionBody(request.body), changeContextOf(request, deps.clock.now()));
    request.auditObjectId = created.id;
    return reply.code(201).send({ id: created.id, etag: created.etag });
  });
  app.get(`${FLOW_SERVICE}/sourceConnections`, { config: read, schema: { tags: TAGS, querystring: listQuery } }, async (request) => {
    const { scope, render } = contextOf(request, module, deps.orgId);
    const items = (await module.sources.list(scope)).map((s) => renderSourceConnection(s, render) as Record<string, unknown> & { id: string });
    return listPage(items, request.query as FlowServiceListQuery, {
      resource: 'sourceConnections', allowedPaths: ['id', 'name', 'connectionSpec.id', 'baseConnectionId'], defaultOrder: '-updatedAt',
    });
  });
  app.get(`${FLOW_SERVICE}/sourceConnections/:id`, { config: read, schema: { tags: TAGS, params: idParams } }, async (request) => {
    const { scope, render } = contextOf(request, module, deps.orgId);
    return wrapped(renderSourceConnection(await module.sources.get(scope, (request.params as { id: string }).id), render));
  });
  app.patch(`${FLOW_SERVICE}/sourceConnections/:id`, { config: write('sourceConnection.patch', 'sourceConnection'), schema: { tags: TAGS, params: idParams, body: anyBody } }, async (request) => {
    const { scope, render } = contextOf(request, module, deps.orgId);
    const current = await module.sources.get(scope, (request.params as { id: string }).id);
    const supplied = requireIfMatch(ifMatchOf(request), current.etag);
    const { doc, ops } = patched(renderSourceConnection(current, render), request.body, sourceConnectionPatchPathAllowed);
    request.auditObjectId = current.id;
    request.auditDetails = { ops };
    const updated = await module.sources.update(scope, current, parseSourceConnectionBody(doc), { ...changeContextOf(request, deps.clock.now()), supplied });
    return { id: updated.id, etag: updated.etag };
  });
  app.delete(`${FLOW_SERVICE}/sourceConnections/:id`, { config: write('sourceConnection.delete', 'sourceConnection'), schema: { tags: TAGS, params: idParams } }, async (request, reply) => {
    const { scope } = contextOf(request, module, deps.orgId);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    await module.sources.delete(scope, id, await module.flows.flowsUsing(scope, id));
    return reply.code(202).send();
  });

  // Target connections
  app.post(`${FLOW_SERVICE}/targetConnections`, { config: write('targetConnection.create', 'targetConnection'), schema: { tags: TAGS, body: anyBody } }, async (request, reply) => {
    const { scope } = contextOf(request, module, deps.orgId);
    const input = parseTargetConnectionBody(request.body);
    const created = await module.targets.create(scope, input, await module.bases.find(scope, input.baseConnectionId), changeContextOf(request, deps.clock.now()));
    request.auditObjectId = created.id;
    return reply.code(201).send({ id: created.id, etag: created.etag });
  });
  app.get(`${FLOW_SERVICE}/targetConnections`, { config: read, schema: { tags: TAGS, querystring: listQuery } }, async (request) => {
    const { scope, render } = contextOf(request, module, deps.orgId);
    const items = (await module.targets.list(scope)).map((t) => renderTargetConnection(t, render) as Record<string, unknown> & { id: string });
    return listPage(items, request.query as FlowServiceListQuery, {
      resource: 'targetConnections', allowedPaths: ['id', 'name', 'connectionSpec.id', 'baseConnectionId'], defaultOrder: '-updatedAt',
    });
  });
  app.get(`${FLOW_SERVICE}/targetConnections/:id`, { config: read, schema: { tags: TAGS, params: idParams } }, async (request) => {
    const { scope, render } = contextOf(request, module, deps.orgId);
    return wrapped(renderTargetConnection(await module.targets.get(scope, (request.params as { id: string }).id), render));
  });
  app.patch(`${FLOW_SERVICE}/targetConnections/:id`, { config: write('targetConnection.patch', 'targetConnection'), schema: { tags: TAGS, params: idParams, body: anyBody } }, async (request) => {
    const { scope, render } = contextOf(request, module, deps.orgId);
    const current = await module.targets.get(scope, (request.params as { id: string }).id);
    const supplied = requireIfMatch(ifMatchOf(request), current.etag);
    const { doc, ops } = patched(renderTargetConnection(current, render), request.body, targetConnectionPatchPathAllowed);
    request.auditObjectId = current.id;
    request.auditDetails = { ops };
    const input = parseTargetConnectionBody(doc);
    const updated = await module.targets.update(scope, current, input, await module.bases.find(scope, input.baseConnectionId), { ...changeContextOf(request, deps.clock.now()), supplied });
    return { id: updated.id, etag: updated.etag };
  });
  app.delete(`${FLOW_SERVICE}/targetConnections/:id`, { config: write('targetConnection.delete', 'targetConnection'), schema: { tags: TAGS, params: idParams } }, async (request, reply) => {
    const { scope } = contextOf(request, module, deps.orgId);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    await module.targets.delete(scope, id, await module.flows.flowsUsing(scope, id));
    return reply.code(202).send();
  });
}
