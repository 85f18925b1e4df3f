// Test connection (SPEC §6.7): POST answers the full report, GET (AEP's form) only `{"result": true|false}`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONNECTION_TEST_ERROR_CODES } from '../../../domain/destinations/connection-test-steps.js';
import type { ConnectionTestOptions, ConnectionTestReport, ConnectionTestRequest } from '../../../domain/destinations/connection-test-service.js';
import type { FlowServiceModule } from './flow-service-module.js';
import { FLOW_SERVICE, MANAGE_DESTINATIONS, sandboxOf } from './flow-service-context.js';

const TAGS = ['flowservice: connections'];
const PATH = `${FLOW_SERVICE}/connections/:id/test`;

const idParams = z.object({ id: z.string().min(1).max(100) });
/** Both fields optional, and the body itself too; unknown fields are ignored (SPEC §1.3, AEP families). */
const testBody = z
  .looseObject({
    targetConnectionId: z.string().min(1).max(100).optional().describe('A target connection of this base connection to test'),
    params: z.record(z.string(), z.unknown()).optional().describe('Target connection params (SPEC §6.4) to test before saving them'),
  })
  // Fastify passes null for a request without any body.
  .nullish();

const stepSchema = z.object({ step: z.enum(['connect', 'write', 'delete']), status: z.enum(['ok', 'failed']), durationMs: z.number().int().min(0) });
const reportSchema = z.object({
  result: z.boolean(),
  steps: z.array(stepSchema),
  location: z.string().describe('The folder tested, e.g. s3://acme-crm-exports/activator/'),
  error: z.object({ code: z.enum(CONNECTION_TEST_ERROR_CODES), message: z.string() }).optional(),
  hostKeyFingerprint: z.string().optional().describe('SFTP: the host key the server presented (SHA256:…)'),
});
const resultSchema = z.object({ result: z.boolean() });

export function registerConnectionTestRoutes(untyped: FastifyInstance, module: FlowServiceModule): void {
  const app = untyped.withTypeProvider<ZodTypeProvider>();
  const run = (request: FastifyRequest, connectionId: string, body: ConnectionTestRequest): Promise<ConnectionTestReport> => {
    const sandbox = sandboxOf(request);
    const options: ConnectionTestOptions = {
      onUnexpectedError: (error, step) => request.log.error({ err: error, step, connectionId }, 'connection test failed with an exception'),
    };
    return module.connectionTests.test(module.sandboxStore(sandbox.id), sandbox.name, connectionId, body, options);
  };

  app.post(PATH, {
    config: { access: MANAGE_DESTINATIONS, sandboxScoped: true, optionalBody: true, audit: { action: 'connection.test', objectType: 'connection' } },
    schema: {
      tags: TAGS, summary: 'Test a connection: connect, write and delete a probe file', params: idParams, body: testBody,
      response: { 200: reportSchema },
    },
  }, async (request) => {
    const { targetConnectionId, params } = request.body ?? {};
    request.auditObjectId = request.params.id;
    request.auditDetails = { ...(targetConnectionId === undefined ? {} : { targetConnectionId }), ...(params === undefined ? {} : { params }) };
    const report = await run(request, request.params.id, { ...(targetConnectionId === undefined ? {} : { targetConnectionId }), ...(params === undefined ? {} : { params }) });
    return { ...report, steps: [...report.steps] };
  });

  app.get(PATH, {
    config: { access: MANAGE_DESTINATIONS, sandboxScoped: true },
    schema: { tags: TAGS, summary: 'Test a connection (AEP form: the outcome only)', params: idParams, response: { 200: resultSchema } },
  }, async (request) => ({ result: (await run(request, request.params.id, {})).result }));
}
