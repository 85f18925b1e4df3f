// Request ids, one access log line per request, and HTTP metrics (SPEC §13.2, §13.6).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id: the client's `x-request-id` when it is safe to echo, else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && REQUEST_ID.test(value) ? value : randomUUID();
}

/** A metrics registry of one app (never the global one, so tests can build many apps). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Echoes the request id, writes the access line and counts requests by route template. */
export function installObservability(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'activator_http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'activator_http_request_duration_seconds',
    help: 'HTTP request duration by method and route template',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    // Route templates (never concrete paths) keep label cardinality bounded and ids out of labels.
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, seconds);
    request.log.info(
      {
        method: request.method,
        route,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
        sandbox: request.auth?.sandbox?.name,
        actor: request.auth?.principal.actor.name,
      },
      'request completed',
    );
  });
}

/** What ingestion reports per finished batch (SPEC §13.2 `activator_ingest_*`). */
export interface IngestOutcome {
  readonly status: string;
  readonly rows?: number | undefined;
  readonly rejected?: number | undefined;
}

/** Registers the ingestion counters and returns the observer that feeds them. */
export function createIngestMetrics(registry: Registry): (outcome: IngestOutcome) => void {
  const batches = new Counter({ name: 'activator_ingest_batches_total', help: 'Finished ingestion batches by final status', labelNames: ['status'], registers: [registry] });
  const rows = new Counter({ name: 'activator_ingest_rows_total', help: 'Ingested rows by outcome', labelNames: ['outcome'], registers: [registry] });
  return (outcome) => {
    batches.inc({ status: outcome.status });
    if (outcome.rows !== undefined) rows.inc({ outcome: 'accepted' }, outcome.rows);
    if (outcome.rejected !== undefined) rows.inc({ outcome: 'rejected' }, outcome.rejected);
  };
}

/** Registers the Data Landing Zone retention counter (SPEC §13.2) and returns what feeds it. */
export function createDlzSweepMetrics(registry: Registry): (filesDeleted: number) => void {
  const deleted = new Counter({ name: 'activator_dlz_files_deleted_total', help: 'Data Landing Zone files deleted by the retention sweep', registers: [registry] });
  return (filesDeleted) => deleted.inc(filesDeleted);
}
