#!/usr/bin/env node
// The `activator` command line: serve, migrate, admin (SPEC §12).
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.js';
import { seedDemo, type DemoSummary } from '../demo/demo-bootstrap.js';
import { createLogger, startServer } from '../main.js';
import { secureDataDir } from '../security/data-dir-permissions.js';
import { openStore } from '../storage/open-store.js';
import { registerAdminCommand } from './admin-command.js';
import { registerFlowServiceCommands } from './flow-service-commands.js';
import { registerIngestCommand } from './ingest-command.js';
import { registerDemoDataCommand } from './demo-data-command.js';
import { registerSegmentCommands } from './segment-commands.js';
import { CliError, printJson, printTable } from './output.js';

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return Number(value);
}

const program = new Command()
  .name('activator')
  .description('Activator: self-hosted audience activation with AEP-compatible APIs.\nServer commands read ACTIVATOR_* environment variables (see the README).')
  .showHelpAfterError('(run with --help for usage)')
  .version('0.1.0');

program
  .command('serve')
  .description('run the API (and, in later releases, the UI, scheduler and worker) in one process')
  .option('--port <n>', 'listen port (overrides ACTIVATOR_PORT, default 8080)', parsePort)
  .option('--data-dir <dir>', 'data directory (overrides ACTIVATOR_DATA_DIR, default ./data)')
  .option('--demo', 'when sandbox prod has no datasets: generate and ingest demo profiles and events, and create an API credential')
  .action(async (options: { port?: number; dataDir?: string; demo?: boolean }) => {
    const config = loadConfig(process.env, { port: options.port, dataDir: options.dataDir });
    const logger = createLogger(config);
    const server = await startServer(config, logger);
    if (options.demo === true) printDemoBanner(server.url, config.orgId, await seedDemo(server.runtime, logger));
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      server.stop().then(() => process.exit(0), (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .option('--status', 'list migrations and whether each is applied, without applying')
  .option('--json', 'machine-readable output')
  .action(async (options: { status?: boolean; json?: boolean }) => {
    const config = loadConfig(process.env);
    secureDataDir(config.dataDir);
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      if (options.status === true) {
        const status = await store.migrationStatus();
        if (options.json === true) return printJson(status);
        printTable(['Migration', 'Applied at'], status.map((m) => [m.name, m.executedAt === null ? 'pending' : new Date(m.executedAt).toISOString()]));
        return;
      }
      const applied = await store.migrate();
      if (options.json === true) return printJson({ applied });
      process.stdout.write(applied.length === 0 ? 'Database is up to date.\n' : `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`);
    } finally {
      await store.close();
    }
  });

/** What `serve --demo` tells the user: where to look and with which credential. */
function printDemoBanner(url: string, orgId: string, summary: DemoSummary | undefined): void {
  if (summary === undefined) {
    process.stdout.write('Demo: sandbox prod already has datasets; nothing was generated.\n');
    return;
  }
  const lines = [
    '', `Activator demo is ready at ${url}`, '',
    ...summary.datasets.map((d) => `  dataset ${d.name} (${d.id}): ${d.rows} rows, batch ${d.status}`),
    '', `  API credential (shown once): client id ${summary.clientId}`, `                               client secret ${summary.clientSecret}`, '',
    '  Look up a demo profile:',
    `    TOKEN=$(curl -s ${url}/ims/token/v3 -d grant_type=client_credentials -d client_id=${summary.clientId} -d client_secret=${summary.clientSecret} | node -p 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `    curl -s "${url}/data/core/ups/access/entities?schema.name=_xdm.context.profile&entityIdNS=${summary.sampleIdentity.namespace}&entityId=${summary.sampleIdentity.id}" \\`,
    `      -H "Authorization: Bearer $TOKEN" -H "x-api-key: ${summary.clientId}" -H "x-gw-ims-org-id: ${orgId}"`, '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

registerAdminCommand(program);
registerFlowServiceCommands(program);
registerIngestCommand(program);
registerDemoDataCommand(program);
registerSegmentCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  // Users get the message; the stack only helps developers (ACTIVATOR_LOG_LEVEL=debug).
  const message = error instanceof Error ? error.message : String(error);
  const detail = process.env['ACTIVATOR_LOG_LEVEL'] === 'debug' && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  process.stderr.write(`activator: ${message}${detail}\n`);
  process.exit(error instanceof CliError ? error.exitCode : 1);
});
