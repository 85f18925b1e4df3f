// Composition root: config → store → services → HTTP app. Nothing here runs at import time.
import { randomUUID } from 'node:crypto';
import { constants, mkdirSync, rmSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { CredentialService } from './domain/access/credential-service.js';
import { RoleService } from './domain/access/role-service.js';
import { SessionService } from './domain/access/session-service.js';
import { UserService } from './domain/access/user-service.js';
import { AuditService } from './domain/audit/audit-service.js';
import { BaseConnectionService } from './domain/destinations/base-connection-service.js';
import { SourceConnectionService } from './domain/destinations/source-connection-service.js';
import { TargetConnectionService } from './domain/destinations/target-connection-service.js';
import { unverifiedAudienceDirectory } from './domain/flows/audience-directory.js';
import { FlowService } from './domain/flows/flow-service.js';
import type { Clock, IdGenerator, PasswordHasher, SecretCipher } from './domain/runtime.js';
import type { FlowServiceModule } from './http/routes/flowservice/flow-service-module.js';
import type { ProfilesModule } from './http/routes/datasets/profiles-module.js';
import { BatchService, type BatchObserver } from './domain/datasets/batch-service.js';
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
import { buildApp, type AppServices, type BuiltApp } from './http/app.js';
import { createIngestMetrics, createMetricsRegistry } from './http/observability.js';
import type { Registry } from 'prom-client';
import { createArgon2PasswordHasher } from './security/argon2-password-hasher.js';
import { lockDataDir } from './security/data-dir-lock.js';
import { loadMasterKey } from './security/master-key.js';
import { openStore } from './storage/open-store.js';
import type { Store } from './storage/store.js';

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
  close(): Promise<void>;
}

export interface RuntimeOptions {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly hasher?: PasswordHasher;
  /** Apply pending migrations before anything else (default: `config.autoMigrate`). */
  readonly migrate?: boolean;
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

/** Wires the Flow Service domain (connections and dataflows) over a store. */
function createFlowServiceModule(store: Store, config: Config, ids: IdGenerator, cipher: SecretCipher): FlowServiceModule {
  const sources = new SourceConnectionService({ ids });
  const targets = new TargetConnectionService({ ids, maxFileRows: config.maxFileRows, pgpKeyChecker: createOpenPgpPublicKeyChecker() });
  return {
    bases: new BaseConnectionService({ ids, cipher }),
    sources,
    targets,
    flows: new FlowService({
      ids, sources, targets, audiences: unverifiedAudienceDirectory,
      limits: { maxFlowsPerSandbox: config.maxFlowsPerSandbox, warnAudiencesPerFlow: config.warnAudiencesPerFlow, warnMappedAttributes: config.warnMappedAttributes },
    }),
    sandboxStore: (sandboxId) => store.sandbox(sandboxId),
  };
}

/** Wires datasets, ingestion, merge policies and profile lookup over a store and the analytics engine. */
function createProfilesModule(store: Store, config: Config, effects: ServiceEffects): ProfilesModule {
  const { clock, ids, engine, lake } = effects;
  const datasets = new DatasetService({ ids, lake });
  const batches = new BatchService({ ids, clock, lake, engine, datasets, maxUploadBytes: config.maxUploadBytes, observe: effects.observeBatch });
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
}

/** Wires the domain services over a store. */
export function createServices(store: Store, config: Config, effects: ServiceEffects): AppServices {
  const { clock, ids, hasher } = effects;
  const profilesModule = createProfilesModule(store, config, effects);
  /** Runs before the sandbox's documents are deleted, so its batches are still known. */
  const clearSandboxLake = async (sandboxId: string) => {
    const batches = await profilesModule.batches.list(store.sandbox(sandboxId));
    await effects.lake.removeSandboxData(sandboxId, batches.map((batch) => batch.id));
  };
  const audit = new AuditService({ store, clock, ids });
  const roles = new RoleService({ store, clock, ids });
  return {
    clock,
    flowService: createFlowServiceModule(store, config, ids, createAesGcmSecretCipher(effects.masterKey)),
    audit,
    roles,
    users: new UserService({ store, clock, ids, hasher, roles }),
    credentials: new CredentialService({ store, clock, ids, hasher, roles, tokenTtlSeconds: config.tokenTtlSeconds }),
    sessions: new SessionService({ store, clock, hasher, audit, sessionTtlHours: config.sessionTtlHours }),
    profilesModule,
    sandboxes: new SandboxService({ store, clock, ids, hooks: [{ onCleared: (sandbox) => clearSandboxLake(sandbox.id) }] }),
  };
}

/** The in-process DuckDB engine with the configured limits, spilling to `<dataDir>/tmp/duckdb`. */
export async function openAnalyticsEngine(config: Config): Promise<AnalyticsEngine> {
  const db = await DuckDbDatabase.open({ memoryLimitMb: config.queryMemoryMb, threads: config.queryThreads, tempDirectory: path.join(config.dataDir, 'tmp', 'duckdb') });
  return createDuckDbAnalyticsEngine(db, { maxRecordBytes: config.maxRecordBytes });
}

/** Opens the store (migrating when asked) and makes sure `prod` and the default roles exist. */
export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  mkdirSync(config.dataDir, { recursive: true });
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
    const services = createServices(store, config, {
      engine, lake: createLocalLakeStorage(config.dataDir), observeBatch: observeIngestion(metrics, options.logger ?? createLogger(config)),
      clock: options.clock ?? systemClock, ids: options.ids ?? randomIds, hasher: options.hasher ?? createArgon2PasswordHasher(), masterKey,
    });
    await services.sandboxes.ensureDefaultSandbox();
    await services.roles.ensureDefaultRoles();
    return {
      config, store, services, masterKey, engine, metrics,
      close: async () => {
        await services.profilesModule.batches.whenIdle();
        await engine.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The process logger: JSON lines, ISO time, secrets redacted wherever they might appear. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.password', '*.clientSecret', '*.client_secret', '*.secretHash', '*.passwordHash'],
        censor: '********',
      },
    },
    destination,
  );
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

/** A running server and how to stop it. */
export interface RunningServer {
  readonly url: string;
  readonly runtime: Runtime;
  stop(): Promise<void>;
}

/**
 * `activator serve`: locks the data dir (embedded mode), opens the runtime, bootstraps the admin,
 * listens. The bootstrap password, when generated, is logged once at warn level.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true });
  const unlock = config.databaseUrl === undefined ? lockDataDir(config.dataDir) : () => undefined;
  try {
    rmSync(path.join(config.dataDir, 'tmp'), { recursive: true, force: true });
    mkdirSync(path.join(config.dataDir, 'tmp'), { recursive: true });
    const runtime = await openRuntime(config, { logger });
    const swept = await runtime.services.profilesModule.lake.sweep();
    if (swept > 0) logger.info({ files: swept }, 'removed the temporary files of uploads cut off by the last shutdown');
    const bootstrap = await runtime.services.users.ensureBootstrapAdmin(config.adminEmail, config.adminPassword);
    if (bootstrap?.generatedPassword !== undefined) {
      logger.warn({ email: bootstrap.email, initialPassword: bootstrap.generatedPassword }, 'created the bootstrap admin user; this password is shown once');
    } else if (bootstrap !== undefined) {
      logger.info({ email: bootstrap.email }, 'created the bootstrap admin user');
    }
    await runtime.services.audit.purgeOlderThanDays(config.auditRetentionDays);
    for (const sandbox of await runtime.store.sandboxes.listLive()) {
      const interrupted = await runtime.services.profilesModule.batches.failInterrupted(runtime.store.sandbox(sandbox.id));
      if (interrupted > 0) logger.warn({ sandbox: sandbox.name, batches: interrupted }, 'batches interrupted by the last shutdown were marked failed (INGESTION_INTERRUPTED)');
    }
    const { app } = await buildRuntimeApp(runtime, logger);
    const address = await app.listen({ host: config.host, port: config.port });
    logger.info({ url: address, database: runtime.store.dialect, dataDir: config.dataDir }, 'activator is listening');
    return {
      url: address,
      runtime,
      stop: async () => {
        await app.close();
        await runtime.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}
