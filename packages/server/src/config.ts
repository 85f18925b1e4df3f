// Environment → validated, frozen configuration (SPEC §13.3). Parsed once, in the composition root.
import os from 'node:os';
import path from 'node:path';
import { parseQuartzCron } from './domain/schedules/quartz-cron.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The whole runtime configuration. Every field is validated; the object is deeply frozen. */
export interface Config {
  readonly dataDir: string;
  /** `postgres://…` selects PostgreSQL; undefined selects SQLite at `<dataDir>/activator.db`. */
  readonly databaseUrl: string | undefined;
  readonly autoMigrate: boolean;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string | undefined;
  readonly trustProxy: boolean;
  readonly orgId: string;
  readonly orgName: string;
  /** 32 raw bytes from `ACTIVATOR_MASTER_KEY`, or undefined to use the key file. */
  readonly masterKey: Buffer | undefined;
  readonly masterKeyFile: string;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  readonly tokenTtlSeconds: number;
  readonly sessionTtlHours: number;
  /** undefined = decide per request (HTTPS → Secure). */
  readonly cookieSecure: boolean | undefined;
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
  readonly metricsToken: string | undefined;
  readonly auditRetentionDays: number;
  /** SPEC §5.7: snapshots beyond the latest 3 of an audience are deleted after this many days. */
  readonly snapshotRetentionDays: number;
  /** SPEC §5.5: previews and estimates evaluate this many profiles exactly, a deterministic sample of this many above. */
  readonly previewSampleSize: number;
  /** How long a worker's claim on a job lasts without a heartbeat (renewed every third of it). */
  readonly leaseSeconds: number;
  readonly maxJsonBodyBytes: number;
  readonly maxUploadBytes: number;
  /** Largest record (CSV row, NDJSON line, JSON array element) ingested; larger ones are RECORD_TOO_LARGE rows. */
  readonly maxRecordBytes: number;
  /** Hard limit of dataflows per sandbox (FLOW-1470-400). */
  readonly maxFlowsPerSandbox: number;
  /** Soft limits: saves beyond them succeed with a warning. */
  readonly warnAudiencesPerFlow: number;
  readonly warnMappedAttributes: number;
  /** Rows per exported file before splitting; also the largest `maxFileRowCount`. */
  readonly maxFileRows: number;
  /** Failed logins counted per e-mail and per client address in one window (SPEC §14). */
  readonly loginMaxFailures: number;
  readonly loginMaxFailuresPerAddress: number;
  readonly loginFailureWindowSeconds: number;
  /** Token requests with a wrong secret counted per client id and per client address in one window (SPEC §14). */
  readonly tokenMaxFailures: number;
  readonly tokenMaxFailuresPerAddress: number;
  readonly tokenFailureWindowSeconds: number;
  /** Analytical engine limits (DuckDB `memory_limit` and `threads`). */
  readonly queryMemoryMb: number;
  readonly queryThreads: number;
  /** `serve` runs the batch segmentation scheduler (leader-elected across processes). */
  readonly schedulerEnabled: boolean;
  readonly schedulerTickSeconds: number;
  /** Quartz cron of the batch segmentation schedule of new sandboxes (SPEC §5.8). */
  readonly defaultSegmentationCron: string;
  /** Data Landing Zone files older than this many days (by modification time) are deleted hourly (SPEC §6.5). */
  readonly dlzTtlDays: number;
  /** Timeout of one destination call (connect, a part upload, a rename…), seconds. */
  readonly destinationTimeoutSeconds: number;
  /** DuckDB memory of the export engine (its own instance, spilling to tmp/), so an export's memory is bounded whatever its size. */
  readonly exportMemoryMb: number;
  /** Memory the dedup sort of an export may use before spilling (SPEC §8.4). */
  readonly exportSortMemoryMb: number;
}

/** Thrown when the environment holds a value Activator cannot use; the message names the variable. */
export class ConfigError extends Error {
  constructor(readonly variable: string, expected: string, actual: string) {
    super(`${variable}: expected ${expected}, got ${JSON.stringify(actual)}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw new ConfigError(name, '"true" or "false"', raw);
}

function optionalBoolean(env: Env, name: string): boolean | undefined {
  return read(env, name) === undefined || read(env, name)?.toLowerCase() === 'auto' ? undefined : boolean(env, name, false);
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `a URL (${protocols.join(' or ')})`, redactUrl(raw));
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `a URL (${protocols.join(' or ')})`, redactUrl(raw));
  return raw;
}

/** Hides a password in a URL so that an error message never echoes it. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:********@');
}

function masterKey(env: Env): Buffer | undefined {
  const raw = read(env, 'ACTIVATOR_MASTER_KEY');
  if (raw === undefined) return undefined;
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 32) throw new ConfigError('ACTIVATOR_MASTER_KEY', '32 bytes encoded as base64 (44 characters)', '(value hidden)');
  return bytes;
}

function logLevel(env: Env): LogLevel {
  const raw = read(env, 'ACTIVATOR_LOG_LEVEL') ?? 'info';
  if (raw === 'debug' || raw === 'info' || raw === 'warn' || raw === 'error') return raw;
  throw new ConfigError('ACTIVATOR_LOG_LEVEL', 'one of debug, info, warn, error', raw);
}

function orgId(env: Env): string {
  const raw = read(env, 'ACTIVATOR_ORG_ID') ?? 'ACTIVATOR@Org';
  if (!/^[A-Za-z0-9@._-]{1,100}$/.test(raw)) throw new ConfigError('ACTIVATOR_ORG_ID', 'letters, digits, @ . _ - (at most 100)', raw);
  return raw;
}

function adminEmail(env: Env): string | undefined {
  const raw = read(env, 'ACTIVATOR_ADMIN_EMAIL');
  if (raw !== undefined && !/^[^\s@]+@[^\s@]+$/.test(raw)) throw new ConfigError('ACTIVATOR_ADMIN_EMAIL', 'an e-mail address', raw);
  return raw;
}

function adminPassword(env: Env): string | undefined {
  const raw = env['ACTIVATOR_ADMIN_PASSWORD'];
  if (raw !== undefined && raw !== '' && raw.length < 12) {
    throw new ConfigError('ACTIVATOR_ADMIN_PASSWORD', 'at least 12 characters', '(value hidden)');
  }
  return raw === '' ? undefined : raw;
}

function segmentationCron(env: Env): string {
  const raw = read(env, 'ACTIVATOR_DEFAULT_SEGMENTATION_CRON') ?? '0 0 1 * * ?';
  try {
    parseQuartzCron(raw);
  } catch (error) {
    throw new ConfigError('ACTIVATOR_DEFAULT_SEGMENTATION_CRON', `a Quartz cron expression firing at most once a day (${error instanceof Error ? error.message : String(error)})`, raw);
  }
  return raw;
}

/** Command-line values that take precedence over the environment. */
export interface ConfigOverrides {
  readonly port?: number | undefined;
  readonly dataDir?: string | undefined;
}

/**
 * Reads and validates the configuration. Throws {@link ConfigError} naming the first bad variable.
 * @example loadConfig(process.env, { port: 9090 })
 */
export function loadConfig(env: Env, overrides: ConfigOverrides = {}, cwd: string = process.cwd()): Config {
  const dataDir = path.resolve(cwd, overrides.dataDir ?? read(env, 'ACTIVATOR_DATA_DIR') ?? './data');
  const port = overrides.port ?? integer(env, 'ACTIVATOR_PORT', 8080, 0, 65535);
  const host = read(env, 'ACTIVATOR_HOST') ?? '0.0.0.0';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError('ACTIVATOR_HOST', 'a host name or IP address', host);
  const config: Config = {
    dataDir,
    databaseUrl: url(env, 'ACTIVATOR_DATABASE_URL', ['postgres:', 'postgresql:']),
    autoMigrate: boolean(env, 'ACTIVATOR_AUTO_MIGRATE', true),
    host,
    port,
    publicUrl: url(env, 'ACTIVATOR_PUBLIC_URL', ['http:', 'https:']),
    trustProxy: boolean(env, 'ACTIVATOR_TRUST_PROXY', false),
    orgId: orgId(env),
    orgName: read(env, 'ACTIVATOR_ORG_NAME') ?? 'Activator',
    masterKey: masterKey(env),
    masterKeyFile: path.resolve(cwd, read(env, 'ACTIVATOR_MASTER_KEY_FILE') ?? path.join(dataDir, 'master.key')),
    adminEmail: adminEmail(env),
    adminPassword: adminPassword(env),
    tokenTtlSeconds: integer(env, 'ACTIVATOR_TOKEN_TTL_SECONDS', 86_400, 60, 31_536_000),
    sessionTtlHours: integer(env, 'ACTIVATOR_SESSION_TTL_HOURS', 12, 1, 8_760),
    cookieSecure: optionalBoolean(env, 'ACTIVATOR_COOKIE_SECURE'),
    corsOrigins: (read(env, 'ACTIVATOR_CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter((o) => o !== ''),
    logLevel: logLevel(env),
    metricsToken: read(env, 'ACTIVATOR_METRICS_TOKEN'),
    auditRetentionDays: integer(env, 'ACTIVATOR_AUDIT_RETENTION_DAYS', 365, 1, 36_500),
    snapshotRetentionDays: integer(env, 'ACTIVATOR_SNAPSHOT_RETENTION_DAYS', 7, 0, 36_500),
    previewSampleSize: integer(env, 'ACTIVATOR_PREVIEW_SAMPLE_SIZE', 1_000_000, 1, 1_000_000_000),
    leaseSeconds: integer(env, 'ACTIVATOR_LEASE_SECONDS', 60, 3, 86_400),
    maxJsonBodyBytes: integer(env, 'ACTIVATOR_MAX_JSON_BODY_BYTES', 10_485_760, 1_024, 1_073_741_824),
    maxUploadBytes: integer(env, 'ACTIVATOR_MAX_UPLOAD_BYTES', 5_368_709_120, 1_024, Number.MAX_SAFE_INTEGER),
    // Up to 64 MiB: checking a JSON record takes DuckDB 30–60 times its size (a 15 MiB one fits in 1 GB, not in 512 MB).
    maxRecordBytes: integer(env, 'ACTIVATOR_MAX_RECORD_BYTES', 16_777_216, 1_024, 67_108_864),
    maxFlowsPerSandbox: integer(env, 'ACTIVATOR_MAX_FLOWS_PER_SANDBOX', 100, 1, 100_000),
    warnAudiencesPerFlow: integer(env, 'ACTIVATOR_WARN_AUDIENCES_PER_FLOW', 250, 1, 100_000),
    warnMappedAttributes: integer(env, 'ACTIVATOR_WARN_MAPPED_ATTRIBUTES', 50, 1, 100_000),
    maxFileRows: integer(env, 'ACTIVATOR_MAX_FILE_ROWS', 5_000_000, 1, 1_000_000_000),
    loginMaxFailures: integer(env, 'ACTIVATOR_LOGIN_MAX_FAILURES', 5, 1, 1_000_000),
    loginMaxFailuresPerAddress: integer(env, 'ACTIVATOR_LOGIN_MAX_FAILURES_PER_ADDRESS', 5, 1, 1_000_000),
    loginFailureWindowSeconds: integer(env, 'ACTIVATOR_LOGIN_FAILURE_WINDOW_SECONDS', 900, 1, 86_400),
    tokenMaxFailures: integer(env, 'ACTIVATOR_TOKEN_MAX_FAILURES', 20, 1, 1_000_000),
    tokenMaxFailuresPerAddress: integer(env, 'ACTIVATOR_TOKEN_MAX_FAILURES_PER_ADDRESS', 20, 1, 1_000_000),
    tokenFailureWindowSeconds: integer(env, 'ACTIVATOR_TOKEN_FAILURE_WINDOW_SECONDS', 60, 1, 86_400),
    queryMemoryMb: integer(env, 'ACTIVATOR_QUERY_MEMORY_MB', 2048, 64, 1_048_576),
    queryThreads: integer(env, 'ACTIVATOR_QUERY_THREADS', os.availableParallelism(), 1, 1024),
    schedulerEnabled: boolean(env, 'ACTIVATOR_SCHEDULER', true),
    schedulerTickSeconds: integer(env, 'ACTIVATOR_SCHEDULER_TICK_SECONDS', 15, 1, 3_600),
    defaultSegmentationCron: segmentationCron(env),
    dlzTtlDays: integer(env, 'ACTIVATOR_DLZ_TTL_DAYS', 7, 1, 36_500),
    destinationTimeoutSeconds: integer(env, 'ACTIVATOR_DESTINATION_TIMEOUT_SECONDS', 60, 1, 3_600),
    exportMemoryMb: integer(env, 'ACTIVATOR_EXPORT_MEMORY_MB', 384, 64, 1_048_576),
    exportSortMemoryMb: integer(env, 'ACTIVATOR_EXPORT_SORT_MEMORY_MB', 256, 16, 1_048_576),
  };
  for (const origin of config.corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new ConfigError('ACTIVATOR_CORS_ORIGINS', 'comma-separated origins such as https://ui.example.com', origin);
  }
  return Object.freeze(config);
}
