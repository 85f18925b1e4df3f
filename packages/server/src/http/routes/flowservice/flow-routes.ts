// Dataflows (SPEC §7): create, read, list, JSON-Patch with If-Match, enable/disable, delete.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireIfMatch } from '../../../domain/destinations/entity-documents.js';
import type { Flow, FlowDefinition } from '../../../domain/flows/flow-types.js';
import type { Clock } from '../../../domain/runtime.js';
import { AppError } from '../../../errors.js';
import type { SandboxScopedStore } from '../../../storage/store.js';
import { requireBodyObject } from '../../aep/connection-mapper.js';
import { hasStateField, parseFlowDocument, renderFlowDocument } from '../../aep/flow-mapper.js';
import { listPage, type FlowServiceListQuery } from '../../aep/flow-service-list.js';
import { applyJsonPatch, assertPatchPathsAllowed, normalizePatchOps, type PatchOperation } from '../../aep/json-patch.js';
import type { FlowServiceModule } from './flow-service-module.js';
import { changeContextOf, FLOW_SERVICE, ifMatchOf, MANAGE_DESTINATIONS, requirePermissions, sandboxOf, VIEW_DESTINATIONS, wrapped } from './flow-service-context.js';

const TAGS = ['flowservice: flows'];
const idParams = z.object({ id: z.string().min(1).max(100) });
const actionQuery = z.object({ op: z.string().max(20) });
const PARAMS = '/transformations/0/params';
const FLOW_FILTER_PATHS = [
  'id', 'name', 'state', 'flowSpec.id', 'sourceConnectionIds[]', 'targetConnectionIds[]', 'inheritedAttributes.properties.isDestinationFlow',
  'inheritedAttributes.targetConnections[].connectionSpec.id', 'transformations[].params.segmentSelectors.selectors[].value.id',
  'lastRunDetails.startedAtUTC', 'lastRunDetails.state', 'createdAt', 'updatedAt',
];

/** Top-level paths a PATCH may touch (SPEC §7.4); everything under the transformation params too. */
function flowPatchPathAllowed(path: string): boolean {
  const top = ['/name', '/description', '/labels', '/sourceConnectionIds', '/targetConnectionIds'];
  return top.some((p) => path === p || path.startsWith(`${p}/`)) || path.startsWith(`${PARAMS}/`);
}

const identityNamespaces = (definition: FlowDefinition) => new Set(definition.columns.filter((c) => c.identity).map((c) => c.source));

/** SPEC §2.3: what a body or patch needs beyond the route's declaration. */
function requireChangePermissions(request: FastifyRequest, touches: { meta: boolean; audiences: boolean; mapping: boolean }, before: FlowDefinition | undefined, after: FlowDefinition): void {
  if (touches.meta) requirePermissions(request, ['Manage Destinations']);
  if (touches.audiences) requirePermissions(request, ['View Segments'], ['Activate Destinations', 'Activate Segment without Mapping']);
  if (touches.mapping) {
    const previous = before === undefined ? new Set<string>() : identityNamespaces(before);
    const newlyMapped = [...identityNamespaces(after)].some((ns) => !previous.has(ns));
    requirePermissions(request, ['Activate Destinations', 'View Profiles', ...(newlyMapped ? (['View Identity Graph'] as const) : [])]);
  }
}

function patchTouches(ops: readonly PatchOperation[]) {
  const paths = ops.flatMap((op) => ('from' in op ? [op.path, op.from] : [op.path]));
  return {
    meta: paths.some((p) => !p.startsWith(`${PARAMS}/`)),
    audiences: paths.some((p) => p.startsWith(`${PARAMS}/segmentSelectors`)),
    mapping: paths.some((p) => p.startsWith(`${PARAMS}/`) && !p.startsWith(`${PARAMS}/segmentSelectors`)),
  };
}

function parsedOrThrow(doc: unknown, now: number, previous?: FlowDefinition): FlowDefinition {
  const parsed = parseFlowDocument(doc, { now, previous });
  if (parsed.problems.length > 0) throw new AppError('VALIDATION', parsed.problems.join('; '), { familyCode: 'FLOW-1420-400' });
  return parsed.definition;
}

export function registerFlowRoutes(app: FastifyInstance, module: FlowServiceModule, deps: { clock: Clock; orgId: string }): void {
  const scopeOf = (request: FastifyRequest) => module.sandboxStore(sandboxOf(request).id);
  /** The connections a flow's JSON shows, read once per request (a list renders every flow with them). */
  const connectionsOf = async (scope: SandboxScopedStore) => {
    const [sources, targets] = await Promise.all([module.sources.list(scope), module.targets.list(scope)]);
    return { sources: new Map(sources.map((s) => [s.id, s])), targets: new Map(targets.map((t) => [t.id, t])) };
  };
  const renderWith = (connections: Awaited<ReturnType<typeof connectionsOf>>, request: FastifyRequest, flow: Flow) => {
    const target = connections.targets.get(flow.targetConnectionId);
    return renderFlowDocument(flow, {
      sandboxName: sandboxOf(request).name, orgId: deps.orgId,
      sourceConnection: { id: flow.sourceConnectionId, connectionSpecId: connections.sources.get(flow.sourceConnectionId)?.connectionSpecId ?? '' },
      targetConnection: {
        id: flow.targetConnectionId, connectionSpecId: target?.connectionSpecId ?? '', baseConnectionId: target?.baseConnectionId ?? '',
        baseConnectionSpecId: target?.connectionSpecId ?? '',
      },
    });
  };
  const render = async (scope: SandboxScopedStore, request: FastifyRequest, flow: Flow) => renderWith(await connectionsOf(scope), request, flow);
  const withWarnings = (flow: Flow, warnings: readonly string[]) => ({ id: flow.id, etag: flow.etag, ...(warnings.length > 0 ? { warnings } : {}) });

  app.post(`${FLOW_SERVICE}/flows`, { config: { access: MANAGE_DESTINATIONS, sandboxScoped: true, audit: { action: 'flow.create', objectType: 'flow' } }, schema: { tags: TAGS, body: z.unknown() } }, async (request, reply) => {
    const body = requireBodyObject(request.body);
    if (hasStateField(body)) throw new AppError('BAD_REQUEST', 'State is not allowed in create flow request', { familyCode: 'FLOW-1410-400' });
    const now = deps.clock.now();
    const definition = parsedOrThrow(body, now);
    requireChangePermissions(request, { meta: true, audiences: definition.audiences.length > 0, mapping: definition.columns.length + definition.mandatoryFields.length > 0 || definition.dedupKey !== undefined }, undefined, definition);
    const saved = await module.flows.create(scopeOf(request), definition, changeContextOf(request, now));
    request.auditObjectId = saved.flow.id;
    return reply.code(201).send(withWarnings(saved.flow, saved.warnings));
  });

  app.get(`${FLOW_SERVICE}/flows`, { config: { access: VIEW_DESTINATIONS, sandboxScoped: true }, schema: { tags: TAGS, querystring: z.looseObject({}) } }, async (request) => {
    const scope = scopeOf(request);
    const connections = await connectionsOf(scope);
    const items = (await module.flows.list(scope)).map((flow) => renderWith(connections, request, flow) as Record<string, unknown> & { id: string });
    return listPage(items, request.query as FlowServiceListQuery, {
      resource: 'flows', allowedPaths: FLOW_FILTER_PATHS, caseInsensitivePaths: ['state', 'lastRunDetails.state'], defaultOrder: '-updatedAt',
    });
  });

  app.get(`${FLOW_SERVICE}/flows/:id`, { config: { access: VIEW_DESTINATIONS, sandboxScoped: true }, schema: { tags: TAGS, params: idParams } }, async (request) => {
    const scope = scopeOf(request);
    return wrapped(await render(scope, request, await module.flows.get(scope, (request.params as { id: string }).id)));
  });

  app.patch(
    `${FLOW_SERVICE}/flows/:id`,
    {
      config: {
        access: { kind: 'permissions', scope: 'sandbox', allOf: [], anyOf: ['Manage Destinations', 'Activate Destinations', 'Activate Segment without Mapping'] },
        sandboxScoped: true, audit: { action: 'flow.patch', objectType: 'flow' },
      },
      schema: { tags: TAGS, params: idParams, body: z.unknown() },
    },
    async (request) => {
      const scope = scopeOf(request);
      const current = await module.flows.get(scope, (request.params as { id: string }).id);
      const supplied = requireIfMatch(ifMatchOf(request), current.etag);
      const ops = normalizePatchOps(request.body);
      assertPatchPathsAllowed(ops, flowPatchPathAllowed);
      request.auditObjectId = current.id;
      request.auditDetails = { ops };
      const now = deps.clock.now();
      const definition = parsedOrThrow(applyJsonPatch(await render(scope, request, current), ops), now, current);
      requireChangePermissions(request, patchTouches(ops), current, definition);
      const saved = await module.flows.update(scope, current, definition, ops, { ...changeContextOf(request, now), supplied });
      return withWarnings(saved.flow, saved.warnings);
    },
  );

  app.post(
    `${FLOW_SERVICE}/flows/:id/action`,
    { config: { access: MANAGE_DESTINATIONS, sandboxScoped: true, audit: { action: 'flow.action', objectType: 'flow' } }, schema: { tags: TAGS, params: idParams, querystring: actionQuery } },
    async (request) => {
      const op = (request.query as { op: string }).op.toLowerCase();
      if (op !== 'enable' && op !== 'disable') throw new AppError('BAD_REQUEST', `Unsupported action op '${op}': use enable or disable`, { familyCode: 'FLOW-1420-400' });
      const { id } = request.params as { id: string };
      request.auditObjectId = id;
      request.auditDetails = { op };
      const flow = await module.flows.setState(scopeOf(request), id, op === 'enable' ? 'enabled' : 'disabled', changeContextOf(request, deps.clock.now()));
      return { id: flow.id, etag: flow.etag };
    },
  );

  app.delete(`${FLOW_SERVICE}/flows/:id`, { config: { access: MANAGE_DESTINATIONS, sandboxScoped: true, audit: { action: 'flow.delete', objectType: 'flow' } }, schema: { tags: TAGS, params: idParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    await module.flows.delete(scopeOf(request), id);
    return reply.code(202).send();
  });
}
