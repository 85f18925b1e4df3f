import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the SPEC §13.3 defaults to an empty environment', () => {
    const config = loadConfig({}, {}, '/srv/app');
    expect(config).toMatchObject({
      dataDir: '/srv/app/data', databaseUrl: undefined, autoMigrate: true, host: '0.0.0.0', port: 8080, orgId: 'ACTIVATOR@Org',
      orgName: 'Activator', masterKey: undefined, masterKeyFile: '/srv/app/data/master.key', tokenTtlSeconds: 86_400,
      sessionTtlHours: 12, cookieSecure: undefined, corsOrigins: [], logLevel: 'info', maxJsonBodyBytes: 10_485_760,
      maxUploadBytes: 5_368_709_120, maxRecordBytes: 16_777_216, auditRetentionDays: 365, leaseSeconds: 60,
    });
  });

  it('applies the SPEC §14 login and token limits by default and reads them from the environment', () => {
    expect(loadConfig({})).toMatchObject({
      loginMaxFailures: 5, loginMaxFailuresPerAddress: 5, loginFailureWindowSeconds: 900,
      tokenMaxFailures: 20, tokenMaxFailuresPerAddress: 20, tokenFailureWindowSeconds: 60,
    });
    expect(loadConfig({
      ACTIVATOR_LOGIN_MAX_FAILURES: '3', ACTIVATOR_LOGIN_MAX_FAILURES_PER_ADDRESS: '50', ACTIVATOR_LOGIN_FAILURE_WINDOW_SECONDS: '600',
      ACTIVATOR_TOKEN_MAX_FAILURES: '10', ACTIVATOR_TOKEN_MAX_FAILURES_PER_ADDRESS: '100', ACTIVATOR_TOKEN_FAILURE_WINDOW_SECONDS: '120',
    })).toMatchObject({
      loginMaxFailures: 3, loginMaxFailuresPerAddress: 50, loginFailureWindowSeconds: 600,
      tokenMaxFailures: 10, tokenMaxFailuresPerAddress: 100, tokenFailureWindowSeconds: 120,
    });
    expect(() => loadConfig({ ACTIVATOR_TOKEN_FAILURE_WINDOW_SECONDS: '90000' })).toThrow(/ACTIVATOR_TOKEN_FAILURE_WINDOW_SECONDS/);
    expect(() => loadConfig({ ACTIVATOR_LOGIN_MAX_FAILURES: '0' })).toThrow(/ACTIVATOR_LOGIN_MAX_FAILURES/);
  });

  it('reads ACTIVATOR_SNAPSHOT_RETENTION_DAYS (default 7, 0 allowed, refused when negative or not a number)', () => {
    expect(loadConfig({}).snapshotRetentionDays).toBe(7);
    expect(loadConfig({ ACTIVATOR_SNAPSHOT_RETENTION_DAYS: '0' }).snapshotRetentionDays).toBe(0);
    expect(loadConfig({ ACTIVATOR_SNAPSHOT_RETENTION_DAYS: '30' }).snapshotRetentionDays).toBe(30);
    expect(() => loadConfig({ ACTIVATOR_SNAPSHOT_RETENTION_DAYS: '-1' })).toThrow(/ACTIVATOR_SNAPSHOT_RETENTION_DAYS/);
    expect(() => loadConfig({ ACTIVATOR_SNAPSHOT_RETENTION_DAYS: 'week' })).toThrow(/ACTIVATOR_SNAPSHOT_RETENTION_DAYS/);
  });

  it('reads ACTIVATOR_PREVIEW_SAMPLE_SIZE (default 1,000,000; at least 1)', () => {
    expect(loadConfig({}).previewSampleSize).toBe(1_000_000);
    expect(loadConfig({ ACTIVATOR_PREVIEW_SAMPLE_SIZE: '5' }).previewSampleSize).toBe(5);
    expect(() => loadConfig({ ACTIVATOR_PREVIEW_SAMPLE_SIZE: '0' })).toThrow(/ACTIVATOR_PREVIEW_SAMPLE_SIZE/);
    expect(() => loadConfig({ ACTIVATOR_PREVIEW_SAMPLE_SIZE: 'many' })).toThrow(/ACTIVATOR_PREVIEW_SAMPLE_SIZE/);
  });

  it('reads ACTIVATOR_MAX_RECORD_BYTES', () => {
    expect(loadConfig({ ACTIVATOR_MAX_RECORD_BYTES: '1048576' }).maxRecordBytes).toBe(1_048_576);
  });

  it('reads the export settings with SPEC defaults and refuses values out of range', () => {
    expect(loadConfig({})).toMatchObject({ dlzTtlDays: 7, destinationTimeoutSeconds: 60, exportMemoryMb: 384, exportSortMemoryMb: 256 });
    expect(loadConfig({ ACTIVATOR_DLZ_TTL_DAYS: '2', ACTIVATOR_DESTINATION_TIMEOUT_SECONDS: '5', ACTIVATOR_EXPORT_MEMORY_MB: '256', ACTIVATOR_EXPORT_SORT_MEMORY_MB: '64' }))
      .toMatchObject({ dlzTtlDays: 2, destinationTimeoutSeconds: 5, exportMemoryMb: 256, exportSortMemoryMb: 64 });
    expect(() => loadConfig({ ACTIVATOR_DLZ_TTL_DAYS: '0' })).toThrow(/ACTIVATOR_DLZ_TTL_DAYS/);
    expect(() => loadConfig({ ACTIVATOR_EXPORT_MEMORY_MB: '10' })).toThrow(/ACTIVATOR_EXPORT_MEMORY_MB/);
  });

  it('reads the scheduler settings and validates the default segmentation cron at start', () => {
    expect(loadConfig({})).toMatchObject({ schedulerEnabled: true, schedulerTickSeconds: 15, defaultSegmentationCron: '0 0 1 * * ?' });
    expect(loadConfig({ ACTIVATOR_SCHEDULER: 'false', ACTIVATOR_SCHEDULER_TICK_SECONDS: '5', ACTIVATOR_DEFAULT_SEGMENTATION_CRON: '0 30 2 ? * MON' }))
      .toMatchObject({ schedulerEnabled: false, schedulerTickSeconds: 5, defaultSegmentationCron: '0 30 2 ? * MON' });
    expect(() => loadConfig({ ACTIVATOR_DEFAULT_SEGMENTATION_CRON: '0 */5 * * * ?' }))
      .toThrow('ACTIVATOR_DEFAULT_SEGMENTATION_CRON: expected a Quartz cron expression firing at most once a day (Jobs can only be scheduled once per 24 hours), got "0 */5 * * * ?"');
    expect(() => loadConfig({ ACTIVATOR_DEFAULT_SEGMENTATION_CRON: '0 0 1 * *' })).toThrow(/^ACTIVATOR_DEFAULT_SEGMENTATION_CRON: .*expected 6 or 7 space-separated fields/);
    expect(() => loadConfig({ ACTIVATOR_SCHEDULER_TICK_SECONDS: '0' })).toThrow(/ACTIVATOR_SCHEDULER_TICK_SECONDS/);
    expect(() => loadConfig({ ACTIVATOR_SCHEDULER: 'sometimes' })).toThrow(/ACTIVATOR_SCHEDULER: expected "true" or "false"/);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets command-line overrides win over the environment', () => {
    const config = loadConfig({ ACTIVATOR_PORT: '9000', ACTIVATOR_DATA_DIR: '/env/dir' }, { port: 9100, dataDir: '/flag/dir' });
    expect(config.port).toBe(9100);
    expect(config.dataDir).toBe('/flag/dir');
    expect(config.masterKeyFile).toBe(path.join('/flag/dir', 'master.key'));
  });

  it.each([
    ['ACTIVATOR_PORT', 'abc', /ACTIVATOR_PORT: expected an integer from 0 to 65535, got "abc"/],
    ['ACTIVATOR_PORT', '70000', /ACTIVATOR_PORT/],
    ['ACTIVATOR_LOG_LEVEL', 'verbose', /ACTIVATOR_LOG_LEVEL: expected one of debug, info, warn, error/],
    ['ACTIVATOR_AUTO_MIGRATE', 'maybe', /ACTIVATOR_AUTO_MIGRATE: expected "true" or "false"/],
    ['ACTIVATOR_DATABASE_URL', 'mysql://x', /ACTIVATOR_DATABASE_URL: expected a URL \(postgres: or postgresql:\)/],
    ['ACTIVATOR_MASTER_KEY', 'c2hvcnQ=', /ACTIVATOR_MASTER_KEY: expected 32 bytes/],
    ['ACTIVATOR_TOKEN_TTL_SECONDS', '-5', /ACTIVATOR_TOKEN_TTL_SECONDS/],
    ['ACTIVATOR_ADMIN_EMAIL', 'not-an-email', /ACTIVATOR_ADMIN_EMAIL: expected an e-mail address/],
    ['ACTIVATOR_ADMIN_PASSWORD', 'short', /ACTIVATOR_ADMIN_PASSWORD: expected at least 12 characters/],
    ['ACTIVATOR_CORS_ORIGINS', 'ftp://x', /ACTIVATOR_CORS_ORIGINS/],
    ['ACTIVATOR_MAX_RECORD_BYTES', '16MiB', /ACTIVATOR_MAX_RECORD_BYTES: expected an integer from 1024 to 67108864/],
    ['ACTIVATOR_MAX_RECORD_BYTES', '1023', /ACTIVATOR_MAX_RECORD_BYTES/],
    ['ACTIVATOR_MAX_RECORD_BYTES', '67108865', /ACTIVATOR_MAX_RECORD_BYTES/],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never echoes a database password or a master key in an error', () => {
    expect(() => loadConfig({ ACTIVATOR_DATABASE_URL: 'mysql://user:hunter2@db/x' })).toThrow(/user:\*\*\*\*\*\*\*\*@db/);
    expect(() => loadConfig({ ACTIVATOR_DATABASE_URL: 'mysql://user:hunter2@db/x' })).not.toThrow(/hunter2/);
    expect(() => loadConfig({ ACTIVATOR_MASTER_KEY: 'c2hvcnQ=' })).not.toThrow(/c2hvcnQ/);
  });

  it('accepts a 32-byte base64 master key and PostgreSQL URLs', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({ ACTIVATOR_MASTER_KEY: key, ACTIVATOR_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/test' });
    expect(config.masterKey?.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(config.databaseUrl).toBe('postgres://u:p@127.0.0.1:5432/test');
  });
});
