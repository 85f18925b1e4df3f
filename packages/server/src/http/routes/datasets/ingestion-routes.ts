// Batch ingestion API (SPEC §3.3): create a batch, stream files into it, complete or abort it; download error reports.
import { createReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorLabel } from '../../../domain/runtime.js';
import { AppError } from '../../../errors.js';
import { authOf } from '../../route-config.js';
import { batchJson } from './dataset-json.js';
import type { ProfilesModule } from './profiles-module.js';

const IMPORT = '/data/foundation/import/batches';
const EXPORT = '/data/foundation/export/batches';
const MANAGE_PROFILES = { kind: 'permissions', scope: 'sandbox', allOf: ['Manage Profiles'] } as const;
const READ = { kind: 'permissions', scope: 'sandbox', allOf: [], anyOf: ['View Profiles', 'Manage Datasets'] } as const;
const ERROR_FILES = ['errors.ndjson', 'rejected.ndjson'] as const;

const createBody = z.object({
  datasetId: z.string().min(1).max(100),
  inputFormat: z.object({ format: z.string().transform((f) => f.toLowerCase()).pipe(z.enum(['csv', 'json', 'parquet'])) }),
  partialIngestion: z.union([z.boolean(), z.object({ errorThreshold: z.number().min(0).max(100) })]).optional(),
});

function thresholdOf(partial: z.infer<typeof createBody>['partialIngestion']): number | undefined {
  if (partial === undefined || partial === false) return undefined;
  return partial === true ? 100 : partial.errorThreshold;
}

export function registerIngestionRoutes(app: FastifyInstance, module: ProfilesModule, orgId: string): void {
  const scopeOf = (request: FastifyRequest) => {
    const auth = authOf(request);
    if (auth.sandbox === undefined) throw new Error('ingestion routes are sandbox-scoped');
    return { scope: module.sandboxStore(auth.sandbox.id), sandboxName: auth.sandbox.name, by: actorLabel(auth.principal.actor) };
  };

  app.post(IMPORT, { config: { access: MANAGE_PROFILES, sandboxScoped: true, audit: { action: 'batch.create', objectType: 'batch' } }, schema: { tags: ['import'], body: createBody } }, async (request, reply) => {
    const { scope, sandboxName, by } = scopeOf(request);
    const body = request.body as z.infer<typeof createBody>;
    const batch = await module.batches.create(scope, { datasetId: body.datasetId, format: body.inputFormat.format, errorThreshold: thresholdOf(body.partialIngestion) }, by);
    request.auditObjectId = batch.id;
    return reply.code(201).send(batchJson(batch, { orgId, sandboxName }));
  });

  // Uploads are raw bytes of any content type, streamed to disk: this context parses no body.
  void app.register((uploads, _options, done) => {
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_request: FastifyRequest, payload: IncomingMessage, parsed: (error: Error | null, body?: unknown) => void) => parsed(null, payload));
    uploads.put(
      `${IMPORT}/:batchId/datasets/:datasetId/files/:fileName`,
      {
        config: { access: MANAGE_PROFILES, sandboxScoped: true, nonJsonBody: true, audit: { action: 'batch.upload', objectType: 'batch' } },
        schema: { tags: ['import'], params: z.object({ batchId: z.string().max(100), datasetId: z.string().max(100), fileName: z.string() }) },
      },
      async (request, reply) => {
        const { scope } = scopeOf(request);
        const { batchId, datasetId, fileName } = request.params as { batchId: string; datasetId: string; fileName: string };
        request.auditObjectId = batchId;
        request.auditDetails = { file: fileName };
        const declared = request.headers['content-length'];
        const body = (request.body as IncomingMessage | undefined) ?? (async function* empty() {})();
        await module.batches.upload(scope, batchId, datasetId, fileName, body, declared === undefined ? undefined : Number(declared));
        return reply.code(200).send();
      },
    );
    done();
  });

  app.post(
    `${IMPORT}/:batchId`,
    {
      config: { access: MANAGE_PROFILES, sandboxScoped: true, audit: { action: 'batch.action', objectType: 'batch' } },
      schema: { tags: ['import'], params: z.object({ batchId: z.string().max(100) }), querystring: z.object({ action: z.string().max(20) }) },
    },
    async (request, reply) => {
      const { scope } = scopeOf(request);
      const { batchId } = request.params as { batchId: string };
      const action = (request.query as { action: string }).action.toUpperCase();
      request.auditObjectId = batchId;
      request.auditDetails = { action };
      if (action === 'COMPLETE') await module.batches.complete(scope, batchId);
      else if (action === 'ABORT') await module.batches.abort(scope, batchId);
      else throw new AppError('BAD_REQUEST', `Unsupported action ${JSON.stringify(action)}: use COMPLETE or ABORT`);
      return reply.code(200).send();
    },
  );

  app.get(`${EXPORT}/:batchId/failed`, { config: { access: READ, sandboxScoped: true }, schema: { tags: ['export'], params: z.object({ batchId: z.string().max(100) }), querystring: z.object({ path: z.enum(ERROR_FILES).optional() }) } }, async (request, reply) => {
    const { scope } = scopeOf(request);
    const { batchId } = request.params as { batchId: string };
    await module.batches.get(scope, batchId);
    const wanted = (request.query as { path?: (typeof ERROR_FILES)[number] }).path;
    if (wanted === undefined) {
      const data = [];
      for (const name of ERROR_FILES) {
        const file = await module.lake.errorFile(batchId, name);
        if (file !== undefined) data.push({ name, length: String(file.size), _links: { self: { href: `${EXPORT}/${batchId}/failed?path=${name}` } } });
      }
      return { data };
    }
    const file = await module.lake.errorFile(batchId, wanted);
    if (file === undefined) throw new AppError('NOT_FOUND', `Batch ${batchId} has no ${wanted}`);
    return reply.type('application/x-ndjson').header('content-length', file.size).send(createReadStream(file.path));
  });
}
