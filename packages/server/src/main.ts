// Composition root: config → store → services → HTTP app. Nothing here runs at import time.
import { randomUUID } from 'node:crypto';
import { constants, mkdirSync, rmSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { checkPql } from '@activator/pql';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
export { createLogger };
import { AttemptLimiter } from './domain/access/attempt-limiter.js';
import { CredentialService } from './domain/access/credential-service.js';
import { RoleService } from './domain/access/role-service.js';
import { SessionService } from './domain/access/session-service.js';
import { UserService } from './domain/access/user-service.js';
import { AuditService } from './domain/audit/audit-service.js';
import { BaseConnectionService } from './domain/destinations/base-connection-service.js';
import { SourceConnectionService } from './domain/destinations/source-connection-service.js';
import { TargetConnectionService } from './domain/destinations/target-connection-service.js';
import { AudienceService } from './domain/audiences/audience-service.js';
import { PreviewService } from './domain/audiences/preview-service.js';
import { pqlAudienceCompiler } from './domain/segment-jobs/pql-audience-compiler.js';
import { SegmentJobRunner } from './domain/segment-jobs/segment-job-runner.js';
import { SEGMENT_JOB, SegmentJobService } from './domain/segment-jobs/segment-job-service.js';
import { segmentMembershipOf } from './domain/segment-jobs/segment-membership.js';
import { storeAudienceSource } from './domain/segment-jobs/store-audience-source.js';
import type { SegmentJobsModule } from './http/routes/ups/segment-jobs-module.js';
import { segmentAudienceDirectory } from './domain/flows/audience-directory.js';
import { FlowService } from './domain/flows/flow-service.js';
import { SYSTEM_ACTOR, type Clock, type IdGenerator, type PasswordHasher, type SecretCipher } from './domain/runtime.js';
import type { FlowServiceModule } from './http/routes/flowservice/flow-service-module.js';
import type { ProfilesModule } from './http/routes/datasets/profiles-module.js';
import { BatchService, INGEST_BATCH_JOB, type BatchObserver } from './domain/datasets/batch-service.js';
import { DatasetService } from './domain/datasets/dataset-service.js';
import { MergePolicyService } from './domain/profiles/merge-policy-service.js';
import { ProfileService } from './domain/profiles/profile-service.js';
import type { AnalyticsEngine, LakeStorage } from './engine/engine.js';
import { createDuckDbAnalyticsEngine } from './engine/duckdb/duckdb-engine.js';
import { DuckDbDatabase } from './engine/duckdb/duckdb-database.js';
import { createLocalLakeStorage } from './engine/local-lake-storage.js';
import { createAesGcmSecretCipher } from './security/aes-gcm-secret-cipher.js';
import { createOpenPgpPublicKeyChecker } from './security/openpgp-public-key-checker.js';
import { SandboxService } from './domain/sandboxes/sandbox-service.js';
import { SegmentScheduleService } from './domain/schedules/schedule-service.js';
import { ExportJobRunner } from './domain/exports/export-job-runner.js';
import { EXPORT_JOB, ExportJobService } from './domain/exports/export-job-service.js';
import type { ExportsModule } from './http/routes/ups/export-job-routes.js';
import { SegmentationScheduler, type SchedulerEvent } from './domain/schedules/segmentation-scheduler.js';
import { IntervalTicker } from './jobs/interval-ticker.js';
import { buildApp, type AppServices, type BuiltApp } from './http/app.js';
import { createDlzSweepMetrics, createIngestMetrics, createMetricsRegistry } from './http/observability.js';
import { sweepLandingZones } from './connectors/landing-zone/dlz-sweeper.js';
import type { Registry } from 'prom-client';
import { createArgon2PasswordHasher } from './security/argon2-password-hasher.js';
import { createHmacSecretDigest } from './security/hmac-secret-digest.js';
import { lockDataDir } from './security/data-dir-lock.js';
import { secureDataDir } from './security/data-dir-permissions.js';
import { loadMasterKey } from './security/master-key.js';
import { isTakeover } from './jobs/job-state.js';
import { JobWorker, type JobWorkerEvent } from './jobs/job-worker.js';
import { openStore } from './storage/open-store.js';
import type { SandboxScopedStore, Store } from './storage/store.js';

export const systemClock: Clock = { now: () => Date.now() };
export const randomIds: IdGenerator = { uuid: () => randomUUID() };

/** Everything a process needs to work on the control plane. */
export interface Runtime {
  readonly config: Config;
  readonly store: Store;
  readonly services: AppServices;
  readonly masterKey: Buffer;
  readonly engine: AnalyticsEngine;
  /** The Prometheus registry of this process (`/metrics`). */
  readonly metrics: Registry;
  /**
   * This process's worker on the durable job queue (batch ingestion). Jobs enqueued here run at once;
   * `start()` adds the background loop that also picks up other processes' jobs and expired leases.
   */
  readonly worker: JobWorker;
  /** The batch segmentation scheduler (SPEC §5.8); `tick()` fires the due schedules now. */
  readonly scheduler: SegmentationScheduler;
  /** Ticks the scheduler every `ACTIVATOR_SCHEDULER_TICK_SECONDS`; started by `serve` when `ACTIVATOR_SCHEDULER` is true. */
  readonly schedulerTicker: IntervalTicker;
  /** The hourly Data Landing Zone retention sweep (SPEC §6.5), started with the background work. */
  readonly dlzSweepTicker: IntervalTicker;
  /** Stops the scheduler ticker and the worker (letting its current job finish), then closes the engine and the store. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly hasher?: PasswordHasher;
  /** Apply pending migrations before anything else (default: `config.autoMigrate`). */
  readonly migrate?: boolean;
  /** Told about the job worker's lifecycle events (logs). */
  readonly onJobEvent?: (event: JobWorkerEvent) => void;
  /** Where background work (batch ingestion) logs; default: a logger of `config` on stdout. */
  readonly logger?: Logger;
}

/** Feeds the ingestion metrics, and logs every batch that ended in an exception with its batch id (never row data). */
function observeIngestion(metrics: Registry, logger: Logger): BatchObserver {
  const count = createIngestMetrics(metrics);
  return (event) => {
    count(event);
    if (event.error !== undefined) logger.error({ err: event.error, batchId: event.batchId, sandboxId: event.sandboxId }, 'batch ingestion failed with an exception');
  };
}

/** How long the background job loop sleeps when nothing was due (jobs enqueued in this process run at once). */
export const JOB_POLL_INTERVAL_MS = 1000;
/** How often the Data Landing Zone retention sweep runs (SPEC §6.5: hourly). */
const DLZ_SWEEP_INTERVAL_MS = 3_600_000;

/** Wires the Flow Service domain (connections and dataflows) over a store. */
function createFlowServiceModule(store: Store, config: Config, ids: IdGenerator, cipher: SecretCipher): FlowServiceModule {
  const sources = new SourceConnectionService({ ids });
  const targets = new TargetConnectionService({ ids, maxFileRows: config.maxFileRows, pgpKeyChecker: createOpenPgpPublicKeyChecker() });
  return {
    bases: new BaseConnectionService({ ids, cipher }),
    sources,
    targets,
    flows: new FlowService({
      ids, sources, targets, audiences: segmentAudienceDirectory(store),
      limits: { maxFlowsPerSandbox: config.maxFlowsPerSandbox, warnAudiencesPerFlow: config.warnAudiencesPerFlow, warnMappedAttributes: config.warnMappedAttributes },
    }),
    sandboxStore: (sandboxId) => store.sandbox(sandboxId),
  };
}

/** Wires datasets, ingestion, merge policies and profile lookup over a store and the analytics engine. */
function createProfilesModule(store: Store, config: Config, effects: ServiceEffects): ProfilesModule {
  const { clock, ids, engine, lake } = effects;
  const datasets = new DatasetService({ ids, lake });
  const batches = new BatchService({
    ids, clock, lake, engine, datasets, maxUploadBytes: config.maxUploadBytes, observe: effects.observeBatch, jobs: store.jobs, runDueJobs: effects.runDueJobs,
  });
  const policies = new MergePolicyService({ ids, clock, datasets });
  return {
    datasets, batches, policies, lake,
    profiles: new ProfileService({ engine, datasets, batches, policies, lake }),
    sandboxStore: (sandboxId) => store.sandbox(sandboxId),
  };
}

/** The effects and engines services are built with. */
export interface ServiceEffects {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly hasher: PasswordHasher;
  readonly masterKey: Buffer;
  readonly engine: AnalyticsEngine;
  readonly lake: LakeStorage;
  /** Told about every finished batch (metrics). */
  readonly observeBatch?: BatchObserver;
  /** Runs the durable jobs this process can claim now (the job worker's drain). */
  readonly runDueJobs: () => Promise<unknown>;
}

/** SPEC §5.7: the latest snapshots of an audience that retention always keeps. */
const SNAPSHOTS_KEPT_PER_AUDIENCE = 3;

/** Wires segment jobs (SPEC §5.6–5.7) over the store, the engine and the lake. */
function createSegmentJobsModule(store: Store, config: Config, effects: ServiceEffects, profiles: ProfilesModule): SegmentJobsModule {
  const { clock, ids, engine, lake } = effects;
  const audiences = storeAudienceSource(profiles.datasets);
  const scopes = {
    policyVersion: async (scope: SandboxScopedStore, policyId: string) => (await profiles.policies.get(scope, policyId)).version,
    profileScope: (scope: SandboxScopedStore, policyId: string | undefined) => profiles.profiles.profileScope(scope, policyId),
  };
  const jobs = new SegmentJobService({ ids, clock, jobs: store.jobs, audiences, scopes, runDueJobs: effects.runDueJobs });
  const runner = new SegmentJobRunner({
    ids, clock, engine, lake, audiences, compiler: pqlAudienceCompiler, scopes, finished: (job, scope) => jobs.notifyFinished(job, scope),
    retention: { keepLatest: SNAPSHOTS_KEPT_PER_AUDIENCE, retentionMs: config.snapshotRetentionDays * 86_400_000 },
  });
  return {
    jobs, runner,
    membership: (scope, policyId, keys) => segmentMembershipOf(engine, scope, policyId, keys),
    sandboxStore: (sandboxId) => store.sandbox(sandboxId),
  };
}

/** Wires export jobs (SPEC §5.9): they read snapshots and merged profiles and write through the batch pipeline. */
function createExportsModule(store: Store, config: Config, effects: ServiceEffects, profiles: ProfilesModule, segmentJobs: SegmentJobsModule): ExportsModule {
  const { clock, ids, engine } = effects;
  const service = new ExportJobService({
    clock, ids, jobs: store.jobs, datasets: profiles.datasets, batches: profiles.batches, policies: profiles.policies,
    segmentJobs: { create: (scope, requested) => segmentJobs.jobs.create(scope, requested) }, runDueJobs: effects.runDueJobs,
  });
  segmentJobs.jobs.onJobFinished((job, scope) => service.segmentJobFinished(job, scope));
  const runner = new ExportJobRunner({
    clock, engine, datasets: profiles.datasets, batches: profiles.batches, service,
    profileScope: (scope, policyId) => profiles.profiles.profileScope(scope, policyId),
    workDir: path.join(config.dataDir, 'tmp', 'exports'), maxFileBytes: config.maxUploadBytes,
  });
  return { service, runner, sandboxStore: (sandboxId) => store.sandbox(sandboxId) };
}

/** Wires the domain services over a store. */
export function createServices(store: Store, config: Config, effects: ServiceEffects): AppServices {
  const { clock, ids, hasher } = effects;
  const profilesModule = createProfilesModule(store, config, effects);
  /** Runs before the sandbox's documents are deleted: removes its lake files, then forgets its batches and their jobs. */
  const clearSandboxLake = async (sandboxId: string) => {
    const batches = await profilesModule.batches.list(store.sandbox(sandboxId));
    await effects.lake.removeSandboxData(sandboxId, batches.map((batch) => batch.id));
    await profilesModule.batches.removeAll(store.sandbox(sandboxId));
  };
  const flowService = createFlowServiceModule(store, config, ids, createAesGcmSecretCipher(effects.masterKey));
  const audiences = new AudienceService({
    ids, clock, checker: checkPql, datasets: profilesModule.datasets, policies: profilesModule.policies, flows: flowService.flows,
  });
  const audit = new AuditService({ store, clock, ids });
  const roles = new RoleService({ store, clock, ids });
  const limiter = new AttemptLimiter({ store, clock });
  const window = (seconds: number) => seconds * 1000;
  const segmentSchedules = new SegmentScheduleService({ clock, ids, defaultCron: config.defaultSegmentationCron });
  const segmentJobs = createSegmentJobsModule(store, config, effects, profilesModule);
  const exports = createExportsModule(store, config, effects, profilesModule, segmentJobs);
  return {
    clock,
    flowService,
    segmentation: {
      audiences, sandboxStore: (sandboxId) => store.sandbox(sandboxId),
      previews: new PreviewService({
        clock, ids, engine: effects.engine, sampleSize: config.previewSampleSize, datasets: profilesModule.datasets, policies: profilesModule.policies,
        profileScope: (scope, policyId) => profilesModule.profiles.profileScope(scope, policyId),
      }),
    },
    segmentJobs,
    exports,
    audit,
    roles,
    users: new UserService({ store, clock, ids, hasher, roles }),
    credentials: new CredentialService({
      store, clock, ids, roles, tokenTtlSeconds: config.tokenTtlSeconds, digest: createHmacSecretDigest(effects.masterKey), legacyHasher: hasher, limiter,
      tokenLimits: {
        perClient: { max: config.tokenMaxFailures, windowMs: window(config.tokenFailureWindowSeconds) },
        perAddress: { max: config.tokenMaxFailuresPerAddress, windowMs: window(config.tokenFailureWindowSeconds) },
      },
    }),
    sessions: new SessionService({
      store, clock, hasher, audit, sessionTtlHours: config.sessionTtlHours, limiter,
      loginLimits: {
        perEmail: { max: config.loginMaxFailures, windowMs: window(config.loginFailureWindowSeconds) },
        perAddress: { max: config.loginMaxFailuresPerAddress, windowMs: window(config.loginFailureWindowSeconds) },
      },
    }),
    profilesModule,
    segmentSchedules,
    sandboxes: new SandboxService({
      store, clock, ids,
      hooks: [
        { onCleared: (sandbox) => clearSandboxLake(sandbox.id) },
        { onCreated: (sandbox) => segmentSchedules.ensureDefault(store.sandbox(sandbox.id)), onCleared: (sandbox) => segmentSchedules.clear(store.sandbox(sandbox.id)) },
        { onCleared: (sandbox) => exports.service.clear(store.sandbox(sandbox.id)) },
      ],
    }),
  };
}

/** The job worker of this process: `ingest-batch` jobs run the batch's ingestion (SPEC §3.4). */
function createJobWorker(store: Store, config: Config, services: AppServices, effects: { clock: Clock; ids: IdGenerator; onEvent?: ((event: JobWorkerEvent) => void) | undefined }): JobWorker {
  const { batches } = services.profilesModule;
  return new JobWorker({
    jobs: store.jobs, workerId: `${hostname()}:${process.pid}:${effects.ids.uuid()}`, clock: effects.clock,
    leaseMs: config.leaseSeconds * 1000, pollIntervalMs: JOB_POLL_INTERVAL_MS, onEvent: effects.onEvent,
    handlers: {
      [INGEST_BATCH_JOB]: (job) => batches.runIngestJob(store.sandbox(job.sandboxId ?? ''), job.subjectId, isTakeover(job)),
      [SEGMENT_JOB]: (job, context) => services.segmentJobs.runner.run(store.sandbox(job.sandboxId ?? ''), job.subjectId, context.signal),
      [EXPORT_JOB]: (job) => services.exports.runner.run(store.sandbox(job.sandboxId ?? ''), job.subjectId),
    },
  });
}

/** Logs what the job worker reports: claims at debug, everything that went wrong at warn/error, with the job and its subject. */
export function logJobEvent(logger: Logger, event: JobWorkerEvent): void {
  const job = event.job === undefined ? {} : { jobId: event.job.id, kind: event.job.kind, subject: event.job.subjectId, attempt: event.job.attempts };
  if (event.type === 'error' || event.type === 'failed') logger.error({ ...job, err: event.error }, `job ${event.type === 'error' ? 'worker error' : 'failed'}`);
  else if (event.type === 'lease-lost') logger.warn(job, 'job lease lost: another worker took the job over');
  else logger.debug(job, `job ${event.type}`);
}

/**
 * The in-process DuckDB engine with the configured limits, spilling to `<dataDir>/tmp/duckdb`; audience exports get their
 * own instance limited to `exportMemoryMb`, spilling to `<dataDir>/tmp/duckdb-export` (DESIGN.md).
 */
export async function openAnalyticsEngine(config: Config): Promise<AnalyticsEngine> {
  const db = await DuckDbDatabase.open({ memoryLimitMb: config.queryMemoryMb, threads: config.queryThreads, tempDirectory: path.join(config.dataDir, 'tmp', 'duckdb') });
  try {
    const exportDb = await DuckDbDatabase.open({ memoryLimitMb: config.exportMemoryMb, threads: config.queryThreads, tempDirectory: path.join(config.dataDir, 'tmp', 'duckdb-export'), parquetMetadataCache: false });
    return createDuckDbAnalyticsEngine(db, { maxRecordBytes: config.maxRecordBytes }, exportDb);
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Opens the store (migrating when asked) and makes sure `prod` and the default roles exist. */
export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  secureDataDir(config.dataDir);
  const masterKey = loadMasterKey(config.masterKey, config.masterKeyFile);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (options.migrate ?? config.autoMigrate) {
      await store.migrate();
    } else {
      const pending = (await store.migrationStatus()).filter((migration) => migration.executedAt === null);
      if (pending.length > 0) {
        throw new Error(`The database has ${pending.length} pending migration(s) (${pending.map((m) => m.name).join(', ')}): run 'activator migrate' or set ACTIVATOR_AUTO_MIGRATE=true`);
      }
    }
    const engine = await openAnalyticsEngine(config);
    const metrics = createMetricsRegistry();
    const clock = options.clock ?? systemClock;
    const ids = options.ids ?? randomIds;
    // The worker runs the services' jobs and the services wake the worker: it is created right after them.
    const late: { worker?: JobWorker } = {};
    const services = createServices(store, config, {
      engine, lake: createLocalLakeStorage(config.dataDir), observeBatch: observeIngestion(metrics, options.logger ?? createLogger(config)),
      clock, ids, hasher: options.hasher ?? createArgon2PasswordHasher(), masterKey, runDueJobs: () => late.worker?.drain() ?? Promise.resolve(0),
    });
    const worker = createJobWorker(store, config, services, { clock, ids, onEvent: options.onJobEvent });
    late.worker = worker;
    await services.sandboxes.ensureDefaultSandbox();
    await services.roles.ensureDefaultRoles();
    const logger = options.logger ?? createLogger(config);
    const scheduler = new SegmentationScheduler({
      store, clock, ids, launcher: services.segmentJobs.jobs, onEvent: (event) => logSchedulerEvent(logger, event),
    });
    const schedulerTicker = new IntervalTicker({
      intervalMs: config.schedulerTickSeconds * 1000, tick: () => scheduler.tick(),
      onError: (error) => logger.error({ err: error }, 'segmentation scheduler tick failed'),
    });
    const dlzSweepTicker = createDlzSweepTicker(config, clock, metrics, logger);
    return {
      config, store, services, masterKey, engine, metrics, worker, scheduler, schedulerTicker, dlzSweepTicker,
      close: async () => {
        await dlzSweepTicker.stop();
        await schedulerTicker.stop();
        await worker.stop();
        await engine.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Once an hour: deletes Data Landing Zone files older than `dlzTtlDays` and the folders left empty. */
function createDlzSweepTicker(config: Config, clock: Clock, metrics: Registry, logger: Logger): IntervalTicker {
  const countDeleted = createDlzSweepMetrics(metrics);
  return new IntervalTicker({
    intervalMs: DLZ_SWEEP_INTERVAL_MS,
    tick: async () => {
      const result = await sweepLandingZones(path.join(config.dataDir, 'dlz'), { ttlMs: config.dlzTtlDays * 86_400_000, now: clock.now() });
      countDeleted(result.filesDeleted);
      if (result.filesDeleted > 0 || result.foldersRemoved > 0) logger.info(result, 'data landing zone files past their retention were deleted');
    },
    onError: (error) => logger.error({ err: error }, 'data landing zone retention sweep failed; retrying in an hour'),
  });
}

/** The readiness checks of `/readyz`. */
export function readinessChecks(runtime: Runtime): Record<string, () => Promise<void>> {
  return {
    database: () => runtime.store.ping(),
    migrations: async () => {
      const pending = (await runtime.store.migrationStatus()).filter((m) => m.executedAt === null);
      if (pending.length > 0) throw new Error(`pending migrations: ${pending.map((m) => m.name).join(', ')}`);
    },
    dataDir: () => access(runtime.config.dataDir, constants.W_OK),
    queryEngine: () => runtime.engine.ping(),
  };
}

/** Builds the HTTP app over a runtime. */
export function buildRuntimeApp(runtime: Runtime, logger: Logger): Promise<BuiltApp> {
  return buildApp({ config: runtime.config, logger, services: runtime.services, metrics: runtime.metrics, readiness: readinessChecks(runtime) });
}

/**
 * Start-up recovery, then the background job loop. Work another live process holds (an unexpired lease) is
 * never touched: a job is taken over only once its lease expired, and the batch it was ingesting then fails
 * with INGESTION_INTERRUPTED. Embedded (SQLite, behind the data-dir lock) no other process can hold a lease,
 * so every lease left running belonged to a process that died, and ends now.
 */
export async function resumeBackgroundWork(runtime: Runtime, logger: Logger, options: { embedded: boolean }): Promise<void> {
  const now = runtime.services.clock.now();
  if (options.embedded) {
    const ended = await runtime.store.jobs.expireAllLeases(now);
    if (ended > 0) logger.warn({ jobs: ended }, 'jobs left running by the last shutdown are taken over');
  } else {
    const expired = await runtime.store.jobs.findExpired(now);
    if (expired.length > 0) logger.warn({ jobs: expired.map((job) => job.id) }, 'jobs whose worker stopped heartbeating are taken over');
  }
  for (const sandbox of await runtime.store.sandboxes.listLive()) {
    const resumed = await runtime.services.profilesModule.batches.resumeOrphans(runtime.store.sandbox(sandbox.id));
    if (resumed > 0) logger.warn({ sandbox: sandbox.name, batches: resumed }, 'completed batches without an ingestion job were queued again');
    const segmentJobs = await runtime.services.segmentJobs.jobs.resumeOrphans(runtime.store.sandbox(sandbox.id));
    if (segmentJobs > 0) logger.warn({ sandbox: sandbox.name, segmentJobs }, 'segment jobs without a durable job were queued again');
    const exportJobs = await runtime.services.exports.service.resumeOrphans(runtime.store.sandbox(sandbox.id));
    if (exportJobs > 0) logger.warn({ sandbox: sandbox.name, exportJobs }, 'export jobs left NEW were queued again');
  }
  runtime.worker.start();
  if (runtime.config.schedulerEnabled) runtime.schedulerTicker.start();
  runtime.dlzSweepTicker.start();
}

/** Logs what the segmentation scheduler did: firings at info, refusals at warn, failures at error. */
export function logSchedulerEvent(logger: Logger, event: SchedulerEvent): void {
  const where = { sandboxId: event.sandboxId, scheduleId: event.scheduleId };
  switch (event.type) {
    case 'fired':
      logger.info({ ...where, runId: event.runId, segmentJobId: event.jobId, occurrence: new Date(event.occurrence).toISOString() }, 'batch segmentation schedule fired');
      return;
    case 'refused':
      logger.warn({ ...where, runId: event.runId, reason: event.error.message }, 'batch segmentation schedule fired but its segment job was refused');
      return;
    case 'error':
      logger.error({ ...where, err: event.error }, 'batch segmentation schedule could not create its segment job; retrying at the next tick');
      return;
    case 'invalid-cron':
      logger.error({ ...where, err: event.error }, 'batch segmentation schedule has an invalid cron and is skipped');
      return;
  }
}

/** A running server and how to stop it. */
export interface RunningServer {
  readonly url: string;
  readonly runtime: Runtime;
  stop(): Promise<void>;
}

/** Creates the bootstrap admin when there are no users, audits it, and logs a generated password once. */
async function bootstrapAdmin(runtime: Runtime, logger: Logger): Promise<void> {
  const { config, services } = runtime;
  const bootstrap = await services.users.ensureBootstrapAdmin(config.adminEmail, config.adminPassword);
  if (bootstrap === undefined) return;
  await services.audit.record({
    actor: SYSTEM_ACTOR, sandbox: null, action: 'user.create', objectType: 'user', objectId: bootstrap.id, outcome: 'success',
    details: { email: bootstrap.email, admin: true, bootstrap: true },
  });
  if (bootstrap.generatedPassword !== undefined) {
    logger.warn({ email: bootstrap.email, initialPassword: bootstrap.generatedPassword }, 'created the bootstrap admin user; this password is shown once');
  } else {
    logger.info({ email: bootstrap.email }, 'created the bootstrap admin user');
  }
}

/**
 * `activator serve`: makes the data dir owner-only and locks it (embedded mode), opens the runtime and
 * listens; only once the port is bound does it bootstrap the admin (so a busy port never loses a
 * one-time password) and finish start-up, while requests that arrive meanwhile wait. The bootstrap
 * password, when generated, is logged once at warn level.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  secureDataDir(config.dataDir, { existingContents: true });
  const unlock = config.databaseUrl === undefined ? lockDataDir(config.dataDir) : () => undefined;
  let runtime: Runtime | undefined;
  let app: BuiltApp['app'] | undefined;
  try {
    rmSync(path.join(config.dataDir, 'tmp'), { recursive: true, force: true });
    mkdirSync(path.join(config.dataDir, 'tmp'), { recursive: true });
    runtime = await openRuntime(config, { logger, onJobEvent: (event) => logJobEvent(logger, event) });
    app = (await buildRuntimeApp(runtime, logger)).app;
    let startedUp: () => void = () => undefined;
    const startup = new Promise<void>((resolve) => { startedUp = resolve; });
    app.addHook('onRequest', async () => { await startup; });
    const swept = await runtime.services.profilesModule.lake.sweep();
    if (swept > 0) logger.info({ files: swept }, 'removed the temporary files of uploads cut off by the last shutdown');
    const address = await app.listen({ host: config.host, port: config.port });
    try {
      await bootstrapAdmin(runtime, logger);
      await runtime.services.audit.purgeOlderThanDays(config.auditRetentionDays);
      await resumeBackgroundWork(runtime, logger, { embedded: config.databaseUrl === undefined });
    } finally {
      startedUp();
    }
    logger.info({ url: address, database: runtime.store.dialect, dataDir: config.dataDir }, 'activator is listening');
    const [started, server] = [runtime, app];
    return {
      url: address,
      runtime: started,
      stop: async () => {
        await server.close();
        await started.close();
        unlock();
      },
    };
  } catch (error) {
    await app?.close();
    await runtime?.close();
    unlock();
    throw error;
  }
}
