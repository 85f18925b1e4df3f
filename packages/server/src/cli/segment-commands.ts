// `activator segment check|list|run` (SPEC §12): PQL diagnostics with carets, audiences as a table, segment jobs with their counts.
import type { Command } from 'commander';
import { ApiClient, clientOptionsOf, withClientOptions } from './api-client.js';
import { renderDiagnostic, type CliDiagnostic } from './diagnostic-caret.js';
import { CliError, printJson, printTable } from './output.js';

const UPS = '/data/core/ups';
/** SPEC §12: the operation completed but failed (invalid PQL, a FAILED job). */
const EXIT_FAILED = 2;
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

interface Flags { url: string; clientId?: string; clientSecret?: string; sandbox: string; json?: boolean }
interface Audience { id: string; name: string; lifecycleState: string; mergePolicyId: string }
interface Job {
  id: string;
  status: string;
  segments: { segmentId: string }[];
  errors: { code: string; msg: string }[];
  metrics: { segmentedProfileCounter: Record<string, number>; segmentedProfileByStatusCounter: Record<string, { realized: number; existing: number; exited: number }> };
}

/** Every audience of the sandbox, following the list's `start`/`limit` paging. */
async function allAudiences(client: ApiClient): Promise<Audience[]> {
  const audiences: Audience[] = [];
  for (let start = 0; ; start += 100) {
    const page = await client.get<{ segments: Audience[]; page: { totalCount: number } }>(`${UPS}/segment/definitions?start=${start}&limit=100&sort=name:asc`);
    audiences.push(...page.segments);
    if (page.segments.length < 100 || audiences.length >= page.page.totalCount) return audiences;
  }
}

async function check(pql: string, flags: Flags & { mergePolicy?: string }): Promise<void> {
  const client = new ApiClient(clientOptionsOf(flags));
  const result = await client.send<{ valid: boolean; diagnostics: CliDiagnostic[]; dependencies: string[]; fields: string[] }>('POST', `${UPS}/segment/validate`, {
    expression: { type: 'PQL', format: 'pql/text', value: pql }, ...(flags.mergePolicy === undefined ? {} : { mergePolicyId: flags.mergePolicy }),
  });
  if (flags.json === true) printJson(result);
  else {
    for (const diagnostic of result.diagnostics) process.stdout.write(`${renderDiagnostic(pql, diagnostic)}\n`);
    if (result.valid) {
      process.stdout.write(`valid PQL; fields: ${result.fields.join(', ') || '(none)'}${result.dependencies.length > 0 ? `; audiences: ${result.dependencies.join(', ')}` : ''}\n`);
    }
  }
  if (!result.valid) process.exitCode = EXIT_FAILED;
}

async function list(flags: Flags): Promise<void> {
  const client = new ApiClient(clientOptionsOf(flags));
  const audiences = await allAudiences(client);
  const rows = [];
  for (const audience of audiences) {
    const jobs = await client.get<{ children: Job[] }>(`${UPS}/segment/jobs?limit=1&property=${encodeURIComponent(`segments~segmentId==${audience.id}`)}`);
    const last = jobs.children[0];
    rows.push({ ...audience, lastJob: last?.status ?? 'never', members: last?.metrics.segmentedProfileCounter[audience.id] });
  }
  if (flags.json === true) return printJson(rows);
  printTable(['Name', 'Id', 'Lifecycle', 'Merge policy', 'Last job', 'Members'], rows.map((row) => [row.name, row.id, row.lifecycleState, row.mergePolicyId, row.lastJob, row.members ?? '']));
}

/** Audience arguments are ids or exact names (ignoring case). */
function resolveAudiences(wanted: readonly string[], audiences: readonly Audience[]): string[] {
  return wanted.map((value) => {
    const byId = audiences.find((audience) => audience.id === value);
    if (byId !== undefined) return byId.id;
    const byName = audiences.filter((audience) => audience.name.toLowerCase() === value.toLowerCase());
    if (byName.length === 1 && byName[0] !== undefined) return byName[0].id;
    throw new CliError(`No audience with the id or name ${JSON.stringify(value)} in this sandbox (list them with: activator segment list)`);
  });
}

async function run(wanted: string[], flags: Flags & { all?: boolean; wait?: boolean }): Promise<void> {
  if (wanted.length === 0 && flags.all !== true) throw new CliError('Name the audiences to evaluate (ids or names), or pass --all for every published audience');
  const client = new ApiClient(clientOptionsOf(flags));
  const audiences = await allAudiences(client);
  const ids = flags.all === true ? ['*'] : resolveAudiences(wanted, audiences);
  let job = await client.send<Job>('POST', `${UPS}/segment/jobs`, ids.map((segmentId) => ({ segmentId })));
  if (flags.json !== true) process.stderr.write(`segment job ${job.id}: ${job.status}\n`);
  if (flags.wait === true) {
    const pollMs = Number(process.env['ACTIVATOR_POLL_MS'] ?? 1000);
    let shown = job.status;
    while (!FINAL.has(job.status)) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      job = await client.get<Job>(`${UPS}/segment/jobs/${job.id}`);
      if (job.status !== shown && flags.json !== true) process.stderr.write(`segment job ${job.id}: ${job.status}\n`);
      shown = job.status;
    }
  }
  if (flags.json === true) printJson(job);
  else if (flags.wait === true) printJobCounts(job, audiences);
  else process.stdout.write(`${job.id}\n`);
  if (job.status === 'FAILED') process.exitCode = EXIT_FAILED;
}

function printJobCounts(job: Job, audiences: readonly Audience[]): void {
  const names = new Map(audiences.map((audience) => [audience.id, audience.name]));
  const failed = new Map(job.errors.map((error) => [error.msg.slice(0, error.msg.indexOf(':')), error.msg.slice(error.msg.indexOf(':') + 2)]));
  printTable(['Audience', 'Id', 'Realized', 'Existing', 'Exited', 'Members'], job.segments.map(({ segmentId }) => {
    const counts = job.metrics.segmentedProfileByStatusCounter[segmentId];
    if (counts === undefined) return [names.get(segmentId) ?? '', segmentId, 'failed', '', '', failed.get(segmentId) ?? ''];
    return [names.get(segmentId) ?? '', segmentId, counts.realized, counts.existing, counts.exited, counts.realized + counts.existing];
  }));
  process.stdout.write(`job ${job.id} ${job.status}\n`);
}

/** Adds `segment check|list|run` to the program. */
export function registerSegmentCommands(program: Command): void {
  const segment = program.command('segment').description('audiences and segment jobs');
  withClientOptions(segment.command('check <pql>').description('check a PQL expression against the sandbox\'s schema (exit 2 when invalid)'))
    .option('--merge-policy <id>', 'merge policy the expression is checked for (inSegment references)').action(check);
  withClientOptions(segment.command('list').description('audiences with their last segment job and members')).action(list);
  withClientOptions(segment.command('run [audiences...]').description('evaluate audiences (ids or names) in a segment job'))
    .option('--all', 'every published audience').option('--wait', 'wait for the job to end and print its counts (exit 2 when it FAILED)').action(run);
}
