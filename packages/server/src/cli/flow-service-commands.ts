// `activator destinations list` and `activator flows list|show`: the Flow Service as readable tables (SPEC §12).
import type { Command } from 'commander';
import { ApiClient, clientOptionsOf, withClientOptions } from './api-client.js';
import { printJson, printTable } from './output.js';

const FS = '/data/foundation/flowservice';

type Json = Record<string, unknown>;
interface ListFlags { url: string; clientId?: string; clientSecret?: string; sandbox: string; json?: boolean }

/** Every item of a Flow Service list, following `_links.next` to the end. */
async function listAll(client: ApiClient, resource: string): Promise<Json[]> {
  const items: Json[] = [];
  let next: string | undefined = `/${resource}?limit=100`;
  while (next !== undefined) {
    const page: { items: Json[]; _links: { next?: { href: string } } } = await client.get(`${FS}${next}`);
    items.push(...page.items);
    next = page._links.next?.href;
  }
  return items;
}

const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((current, key) => (current !== null && typeof current === 'object' ? (current as Json)[key] : undefined), value);
const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));
const date = (value: unknown): string => (typeof value === 'number' ? new Date(value).toISOString().replace('.000Z', 'Z') : '');

async function destinationsList(flags: ListFlags): Promise<void> {
  const client = new ApiClient(clientOptionsOf(flags));
  const [specs, connections] = await Promise.all([listAll(client, 'connectionSpecs'), listAll(client, 'connections')]);
  if (flags.json === true) return printJson({ connectionSpecs: specs, connections });
  const specName = new Map(specs.map((spec) => [spec['id'], spec['name']]));
  process.stdout.write('Destination catalog\n');
  printTable(['Destination', 'Category', 'File types', 'Connection spec id'], specs
    .filter((spec) => at(spec, 'attributes', 'isDestination') === true)
    .map((spec) => [spec['name'], at(spec, 'attributes', 'category'), (at(spec, 'attributes', 'fileTypes') as string[] | undefined)?.join(', '), spec['id']]));
  process.stdout.write(`\nConnections in sandbox ${flags.sandbox}\n`);
  printTable(['Name', 'Destination', 'Auth', 'State', 'Updated', 'Id'], connections.map((c) => [
    c['name'], specName.get(at(c, 'connectionSpec', 'id')) ?? at(c, 'connectionSpec', 'id'), at(c, 'auth', 'specName') ?? '—', c['state'], date(c['updatedAt']), c['id'],
  ]));
}

async function flowsList(flags: ListFlags): Promise<void> {
  const client = new ApiClient(clientOptionsOf(flags));
  const flows = await listAll(client, 'flows');
  if (flags.json === true) return printJson(flows);
  printTable(['Name', 'State', 'Audiences', 'Last run', 'Updated', 'Id'], flows.map((flow) => [
    flow['name'], flow['state'], (at(flow, 'transformations', '0', 'params', 'segmentSelectors', 'selectors') as unknown[] | undefined)?.length ?? 0,
    at(flow, 'lastRunDetails', 'state') ?? 'never', date(flow['updatedAt']), flow['id'],
  ]));
}

async function flowsShow(id: string, flags: ListFlags): Promise<void> {
  const client = new ApiClient(clientOptionsOf(flags));
  const flow = (await client.get<{ items: Json[] }>(`${FS}/flows/${encodeURIComponent(id)}`)).items[0] ?? {};
  if (flags.json === true) return printJson(flow);
  const params = at(flow, 'transformations', '0', 'params') as Json | undefined;
  process.stdout.write(`${str(flow['name'])} (${str(flow['id'])})\n  state: ${str(flow['state'])}   updated: ${date(flow['updatedAt'])} by ${str(flow['updatedBy'])}\n`);
  process.stdout.write(`  source: ${str(at(flow, 'sourceConnectionIds', '0'))}   target: ${str(at(flow, 'targetConnectionIds', '0'))}\n\nAudiences\n`);
  const selectors = (at(params, 'segmentSelectors', 'selectors') as Json[] | undefined) ?? [];
  printTable(['Audience', 'Id', 'Export mode', 'Frequency', 'Trigger', 'Start', 'End', 'Time', 'File name template'], selectors.map((s) => {
    const value = (s['value'] ?? {}) as Json;
    const schedule = (value['schedule'] ?? {}) as Json;
    return [value['name'], value['id'], value['exportMode'], schedule['frequency'], schedule['triggerType'], schedule['startDate'], schedule['endDate'], schedule['startTime'], value['filenameTemplate'] ?? '(default)'];
  }));
  process.stdout.write('\nMapping (columns in file order)\n');
  const columns = (at(params, 'profileSelectors', 'selectors') as Json[] | undefined) ?? [];
  printTable(['Source', 'Column', 'Identity'], columns.map((c) => [at(c, 'value', 'path'), str(at(c, 'value', 'mapping', 'destination')).replaceAll('.', '_'), at(c, 'value', 'mapping', 'identity') === true ? 'yes' : '']));
  const mandatory = (params?.['mandatoryFields'] as string[] | undefined) ?? [];
  const primary = (params?.['primaryFields'] as Json[] | undefined) ?? [];
  process.stdout.write(`\nMandatory fields: ${mandatory.length === 0 ? '(none)' : mandatory.join(', ')}\n`);
  process.stdout.write(`Deduplication key: ${primary.length === 0 ? '(none)' : primary.map((p) => str(p['identityNamespace'] ?? p['attributePath'])).join(' + ')}\n`);
}

/** Adds `destinations` and `flows` to the program. */
export function registerFlowServiceCommands(program: Command): void {
  const destinations = program.command('destinations').description('the destination catalog and connections');
  withClientOptions(destinations.command('list').description('list destinations and the sandbox\'s connections')).action(destinationsList);
  const flows = program.command('flows').description('dataflows (destination connections)');
  withClientOptions(flows.command('list').description('list dataflows')).action(flowsList);
  withClientOptions(flows.command('show <id>').description('one dataflow with its audiences, schedules and mapping')).action(flowsShow);
}
