// buildApp(deps): the whole HTTP surface as a Fastify instance, built without listening.
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { CredentialService } from '../domain/access/credential-service.js';
import type { RoleService } from '../domain/access/role-service.js';
import type { SessionService } from '../domain/access/session-service.js';
import type { SegmentScheduleService } from '../domain/schedules/schedule-service.js';
import type { UserService } from '../domain/access/user-service.js';
import type { AuditService } from '../domain/audit/audit-service.js';
import { boundText } from '../domain/audit/bounded-values.js';
import type { Clock } from '../domain/runtime.js';
import type { SandboxService } from '../domain/sandboxes/sandbox-service.js';
import { AppError } from '../errors.js';
import { installAuditHook } from './audit-hook.js';
import { installCors } from './cors.js';
import { installErrorHandling } from './error-handler.js';
import { installGateway } from './gateway.js';
import { installMissingBodyCheck } from './missing-body.js';
import { installObservability, requestIdFrom } from './observability.js';
import { RouteCatalog } from './route-catalog.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerCatalogRoutes } from './routes/flowservice/catalog-routes.js';
import { registerConnectionRoutes } from './routes/flowservice/connection-routes.js';
import { registerConnectionTestRoutes } from './routes/flowservice/connection-test-routes.js';
import type { FlowServiceModule } from './routes/flowservice/flow-service-module.js';
import { registerFlowRoutes } from './routes/flowservice/flow-routes.js';
import { registerRunRoutes } from './routes/flowservice/run-routes.js';
import { registerCatalogDatasetRoutes } from './routes/datasets/catalog-routes.js';
import { registerIngestionRoutes } from './routes/datasets/ingestion-routes.js';
import type { ProfilesModule } from './routes/datasets/profiles-module.js';
import { registerEntityRoutes } from './routes/ups/entity-routes.js';
import { registerMergePolicyRoutes } from './routes/ups/merge-policy-routes.js';
import { registerSegmentDefinitionRoutes } from './routes/ups/segment-definition-routes.js';
import { registerPreviewRoutes } from './routes/ups/preview-routes.js';
import type { SegmentationModule } from './routes/ups/segmentation-module.js';
import type { SegmentJobsModule } from './routes/ups/segment-jobs-module.js';
import { registerSegmentJobRoutes } from './routes/ups/segment-job-routes.js';
import { registerOpsRoutes, type ReadinessCheck } from './routes/ops-routes.js';
import { registerScheduleRoutes } from './routes/ups/schedule-routes.js';
import { registerExportJobRoutes, type ExportsModule } from './routes/ups/export-job-routes.js';
import { registerSandboxRoutes } from './routes/sandbox-routes.js';
import { registerSessionRoutes } from './routes/session-routes.js';
import { registerTokenRoutes } from './routes/token-routes.js';

/** The domain services the HTTP layer calls. */
export interface AppServices {
  readonly roles: RoleService;
  readonly users: UserService;
  readonly credentials: CredentialService;
  readonly sessions: SessionService;
  readonly sandboxes: SandboxService;
  readonly audit: AuditService;
  readonly flowService: FlowServiceModule;
  readonly profilesModule: ProfilesModule;
  readonly segmentSchedules: SegmentScheduleService;
  readonly exports: ExportsModule;
  readonly segmentation: SegmentationModule;
  readonly segmentJobs: SegmentJobsModule;
  readonly clock: Clock;
}

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly services: AppServices;
  readonly metrics: Registry;
  /** Named readiness checks for `/readyz`; each resolves when healthy and throws otherwise. */
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
}

export interface BuiltApp {
  readonly app: FastifyInstance;
  readonly routes: RouteCatalog;
}

/** SPEC §1.2 row 10: the message is exactly this; the parser's detail goes to the log only. */
const MALFORMED_JSON_MESSAGE = 'Malformed JSON request body';

function malformedJson(request: FastifyRequest, detail: string): AppError {
  request.log.info({ detail: boundText(detail) }, MALFORMED_JSON_MESSAGE);
  return new AppError('MALFORMED_JSON', MALFORMED_JSON_MESSAGE);
}

/** Builds the app; call `app.ready()` (or `listen`) afterwards. */
export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    bodyLimit: deps.config.maxJsonBodyBytes,
    trustProxy: deps.config.trustProxy,
    // A path parameter longer than the router's limit would answer 414 in Fastify's own shape; Node's 16 KiB
    // header limit bounds the URL anyway, so parameters reach the routes, whose rules answer in the family envelope.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16_384 },
  }) as unknown as FastifyInstance;
  const routes = new RouteCatalog();
  routes.attach(app);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
  app.addContentTypeParser(['application/json', 'application/json-patch+json'], { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = typeof body === 'string' ? body : strictUtf8.decode(body);
    } catch {
      return done(malformedJson(request, 'the body is not valid UTF-8'), undefined);
    }
    // Clients send `Content-Type: application/json` on every request (Adobe's Postman collections do, even
    // on DELETE): an empty body is only an error where the route needs a body (not where it is optional).
    const bodyOptional = request.routeOptions.schema?.body === undefined || request.routeOptions.config.optionalBody === true;
    if (text.trim() === '' && bodyOptional) return done(null, undefined);
    if (text.trim() === '') return done(new AppError('BAD_REQUEST', 'Request body is empty', { familyCode: 'FLOW-1405-400' }), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(malformedJson(request, (error as Error).message), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Activator API', version: '0.1.0', description: 'AEP-compatible batch audience activation' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  installObservability(app, deps.metrics);
  installCors(app, deps.config.corsOrigins);
  installErrorHandling(app, (path) => routes.methodsForPath(path));
  installMissingBodyCheck(app);
  installGateway(app, {
    orgId: deps.config.orgId,
    credentials: deps.services.credentials,
    sessions: deps.services.sessions,
    sandboxes: deps.services.sandboxes,
  });
  installAuditHook(app, deps.services.audit);

  registerOpsRoutes(app, { metrics: deps.metrics, metricsToken: deps.config.metricsToken, readiness: deps.readiness });
  registerTokenRoutes(app, deps.services);
  registerSessionRoutes(app, deps.services, deps.config);
  registerAdminRoutes(app, deps.services);
  registerSandboxRoutes(app, deps.services);
  const flowServiceDeps = { clock: deps.services.clock, orgId: deps.config.orgId };
  registerCatalogRoutes(app, { maxFileRows: deps.config.maxFileRows });
  registerConnectionRoutes(app, deps.services.flowService, flowServiceDeps);
  registerConnectionTestRoutes(app, deps.services.flowService);
  registerFlowRoutes(app, deps.services.flowService, flowServiceDeps);
  registerRunRoutes(app);
  registerCatalogDatasetRoutes(app, deps.services.profilesModule, flowServiceDeps);
  registerIngestionRoutes(app, deps.services.profilesModule, deps.config.orgId);
  registerMergePolicyRoutes(app, deps.services.profilesModule, deps.config.orgId);
  registerEntityRoutes(app, deps.services.profilesModule, deps.services.segmentJobs);
  registerSegmentJobRoutes(app, deps.services.segmentJobs, deps.config.orgId);
  registerExportJobRoutes(app, deps.services.exports, deps.config.orgId);
  registerScheduleRoutes(app, { schedules: deps.services.segmentSchedules, sandboxStore: (sandboxId) => deps.services.profilesModule.sandboxStore(sandboxId) });
  registerSegmentDefinitionRoutes(app, deps.services.segmentation, deps.config.orgId);
  registerPreviewRoutes(app, deps.services.segmentation);
  return { app, routes };
}
