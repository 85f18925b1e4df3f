// `activator serve --demo`: fills an empty `prod` with generated datasets and profiles, and a credential to explore them.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../domain/runtime.js';
import type { Runtime } from '../main.js';
import { generateDemoData, todayUtc } from './demo-data.js';

/** SPEC §12: the demo set of `serve --demo`. */
export const DEMO_SIZE = { profiles: 10_000, events: 100_000, seed: 42 } as const;

/** What the demo created, for the start-up banner. */
export interface DemoSummary {
  readonly datasets: readonly { readonly id: string; readonly name: string; readonly rows: number; readonly status: string }[];
  readonly clientId: string;
  readonly clientSecret: string;
  /** An identity that resolves to a demo profile. */
  readonly sampleIdentity: { readonly namespace: string; readonly id: string };
}

/**
 * Generates the demo files, creates the three demo datasets and ingests them as batches, then creates an
 * API credential with the production role. Does nothing (returns undefined) when `prod` already has datasets.
 */
export async function seedDemo(runtime: Runtime, logger: Logger, now: Date = new Date()): Promise<DemoSummary | undefined> {
  const prod = await runtime.store.sandboxes.getByName('prod');
  if (prod === undefined) return undefined;
  const scope = runtime.store.sandbox(prod.id);
  const { datasets, batches } = runtime.services.profilesModule;
  if ((await datasets.list(scope)).length > 0) return undefined;
  const outDir = path.join(runtime.config.dataDir, 'tmp', `demo-${Date.now()}`);
  try {
    logger.info(DEMO_SIZE, 'generating demo data');
    const report = await generateDemoData({ ...DEMO_SIZE, asOf: todayUtc(now), format: 'csv', outDir });
    const created: DemoSummary['datasets'][number][] = [];
    for (const file of report.files) {
      const dataset = await datasets.create(scope, { name: file.dataset.name, description: file.dataset.description, profileEnabled: true, schema: file.dataset.schema }, { by: 'system', now: Date.now() });
      const batch = await batches.create(scope, { datasetId: dataset.id, format: 'csv', errorThreshold: undefined }, 'system');
      await batches.upload(scope, batch.id, dataset.id, file.fileName, createReadStream(file.path), file.bytes);
      await batches.complete(scope, batch.id);
      await batches.whenIdle();
      const done = await batches.get(scope, batch.id);
      created.push({ id: dataset.id, name: dataset.name, rows: done.metrics?.outputRecordCount ?? 0, status: done.status });
      logger.info({ dataset: dataset.name, batchId: batch.id, status: done.status, rows: done.metrics?.outputRecordCount }, 'ingested demo file');
    }
    const role = await runtime.services.roles.find('Default production all access');
    const credential = await runtime.services.credentials.create({ name: 'demo', roleIds: role === undefined ? [] : [role.id] });
    await runtime.services.audit.record({ actor: SYSTEM_ACTOR, sandbox: 'prod', action: 'credential.create', objectType: 'credential', objectId: credential.id, outcome: 'success', details: { name: 'demo', via: 'serve --demo' } });
    return { datasets: created, clientId: credential.clientId, clientSecret: credential.clientSecret, sampleIdentity: { namespace: 'CRMID', id: 'CRM-00000000' } };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
