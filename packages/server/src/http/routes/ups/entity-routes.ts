// Profile lookup (SPEC §4.5): `GET /data/core/ups/access/entities` for a merged profile or, with relatedSchema, its events.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { permissionsInSandbox } from '../../../domain/access/effective-permissions.js';
import type { MergedProfile } from '../../../engine/engine.js';
import { AppError } from '../../../errors.js';
import { authOf } from '../../route-config.js';
import type { ProfilesModule } from '../datasets/profiles-module.js';
import type { SegmentJobsModule } from './segment-jobs-module.js';

const PROFILE = '_xdm.context.profile';
const EVENT = '_xdm.context.experienceevent';

const entityQuery = z.looseObject({
  'schema.name': z.enum([PROFILE, EVENT]),
  'relatedSchema.name': z.literal(PROFILE).optional(),
  entityId: z.string().min(1).max(1000).optional(),
  entityIdNS: z.string().min(1).max(50).optional(),
  relatedEntityId: z.string().min(1).max(1000).optional(),
  relatedEntityIdNS: z.string().min(1).max(50).optional(),
  mergePolicyId: z.string().max(100).optional(),
  fields: z.string().max(10_000).optional(),
  startTime: z.coerce.number().int().min(0).optional(),
  endTime: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  orderby: z.enum(['-timestamp', 'timestamp']).default('-timestamp'),
});

/**
 * Keeps only the listed dot paths of a nested attribute object. Own properties only, read and written as data:
 * a segment such as `__proto__` or `constructor` is an attribute name, never a way to an object's prototype.
 */
function pickFields(attributes: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> {
  const own = (value: unknown, key: string): unknown => (value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined);
  const define = (target: Record<string, unknown>, key: string, value: unknown) => Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  const result: Record<string, unknown> = {};
  for (const field of fields) {
    const parts = field.split('.');
    let source: unknown = attributes;
    for (const part of parts) source = own(source, part);
    if (source === undefined) continue;
    let target = result;
    parts.slice(0, -1).forEach((part) => {
      if (own(target, part) === undefined) define(target, part, {});
      target = target[part] as Record<string, unknown>;
    });
    define(target, parts.at(-1) ?? field, source);
  }
  return result;
}

export function registerEntityRoutes(app: FastifyInstance, module: ProfilesModule, segmentJobs: Pick<SegmentJobsModule, 'membership'>): void {
  app.get('/data/core/ups/access/entities', { config: { access: { kind: 'permissions', scope: 'sandbox', allOf: ['View Profiles'] }, sandboxScoped: true }, schema: { tags: ['profiles'], querystring: entityQuery } }, async (request) => {
    const auth = authOf(request);
    if (auth.sandbox === undefined) throw new Error('entity routes are sandbox-scoped');
    const scope = module.sandboxStore(auth.sandbox.id);
    const query = request.query as z.infer<typeof entityQuery>;
    if (query['schema.name'] === EVENT) {
      if (query['relatedSchema.name'] !== PROFILE || query.relatedEntityId === undefined || query.relatedEntityIdNS === undefined) {
        throw new AppError('VALIDATION', `Events need relatedSchema.name=${PROFILE}, relatedEntityId and relatedEntityIdNS`);
      }
      const events = await module.profiles.events(scope, query.mergePolicyId, { namespace: query.relatedEntityIdNS, id: query.relatedEntityId }, {
        limit: query.limit, ...(query.startTime === undefined ? {} : { startTime: query.startTime }), ...(query.endTime === undefined ? {} : { endTime: query.endTime }),
      });
      const ordered = query.orderby === 'timestamp' ? [...events].reverse() : events;
      return {
        _page: { orderby: query.orderby, count: ordered.length, next: '' },
        children: ordered.map((event) => ({ entityId: event.eventId, timestamp: event.timestamp, entity: event.attributes })),
        _links: { next: { href: '' } },
      };
    }
    if (query.entityId === undefined || query.entityIdNS === undefined) throw new AppError('VALIDATION', 'entityId and entityIdNS are required');
    const profile: MergedProfile = await module.profiles.lookup(scope, query.mergePolicyId, { namespace: query.entityIdNS, id: query.entityId });
    const seesGraph = permissionsInSandbox(auth.principal, auth.sandbox.name).has('View Identity Graph');
    const asked = query.entityIdNS.toUpperCase();
    const identities = profile.identities
      .filter((identity) => seesGraph || (identity.namespace.toUpperCase() === asked && identity.id.toLowerCase() === query.entityId?.trim().toLowerCase()))
      .map((identity) => ({ id: identity.id, namespace: { code: identity.namespace }, ...(identity.primary ? { primary: true } : {}) }));
    const fields = query.fields?.split(',').map((f) => f.trim()).filter((f) => f !== '');
    const attributes = fields === undefined ? profile.attributes : pickFields(profile.attributes, fields);
    const segmentMembership = fields === undefined || fields.some((field) => field === 'segmentMembership' || field.startsWith('segmentMembership.'))
      ? await segmentJobs.membership(scope, query.mergePolicyId ?? (await module.policies.defaultPolicy(scope)).id, profile.identities.map((identity) => `${identity.namespace}:${identity.id}`))
      : {};
    return {
      [profile.profileKey]: {
        entityId: profile.profileKey, sources: profile.sources,
        entity: { identities, ...attributes, ...(Object.keys(segmentMembership).length > 0 ? { segmentMembership: { ups: segmentMembership } } : {}) },
        lastModifiedAt: new Date(profile.lastModifiedAt).toISOString(),
      },
    };
  });
}
