// Operations endpoints (SPEC §13.1–13.2): liveness, readiness, Prometheus metrics, the OpenAPI document.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** Resolves when the dependency is healthy; throws otherwise. */
export type ReadinessCheck = () => Promise<void>;

const PUBLIC = { access: { kind: 'public' } } as const;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerOpsRoutes(
  app: FastifyInstance,
  deps: { metrics: Registry; metricsToken: string | undefined; readiness: Readonly<Record<string, ReadinessCheck>> },
): void {
  app.get('/healthz', { config: PUBLIC, schema: { hide: true } }, () => Promise.resolve({ status: 'ok' }));

  app.get('/readyz', { config: PUBLIC, schema: { hide: true } }, async (request, reply) => {
    const checks: Record<string, string> = {};
    for (const [name, check] of Object.entries(deps.readiness)) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (error) {
        request.log.warn({ check: name, err: error }, 'readiness check failed');
        checks[name] = 'failed';
      }
    }
    const ready = Object.values(checks).every((value) => value === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });

  app.get('/metrics', { config: PUBLIC, schema: { hide: true } }, async (request, reply) => {
    if (deps.metricsToken !== undefined) {
      const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!sameSecret(given, deps.metricsToken)) {
        return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'A valid metrics bearer token is required (ACTIVATOR_METRICS_TOKEN)' } });
      }
    }
    return reply.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });

  app.get('/openapi.json', { config: PUBLIC, schema: { hide: true } }, () => Promise.resolve(app.swagger()));
}
