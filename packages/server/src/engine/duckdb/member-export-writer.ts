// Turns the export query's streamed rows into NDJSON lines (member-export.ts) and writes them to size-bounded files.
//
// Values go through `jsonValueOf` as a lookup's attributes do; paths are nested with own properties only, so any
// name of the grammar (`__proto__` included) is data.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { JS } from '@duckdb/node-api';
import type { MemberExport, MemberExportSource } from '../engine.js';
import type { SchemaField } from '../lake-schema.js';
import { getOwn, jsonValueOf, setOwn } from './profile-values.js';

/** The one membership namespace (SPEC §3.1, limitation 16). */
const MEMBERSHIP_NAMESPACE = 'ups';

/** What the columns after `"$profile", "$identities", "$memberships"` hold, and where memberships go. */
export interface ExportColumns {
  readonly leaves: readonly SchemaField[];
  readonly sources: readonly MemberExportSource[];
}

interface GraphIdentity {
  readonly node: bigint;
  readonly ns: string;
  readonly id: string;
}

interface MembershipCell {
  readonly s: number;
  readonly status: string;
  readonly at: bigint | number;
}

/** Sets `value` at a dotted path of nested own-property objects. */
function setAt(row: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  const leaf = keys.pop() ?? dotted;
  let node = row;
  for (const key of keys) {
    const child = getOwn(node, key);
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) node = child as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      setOwn(node, key, created);
      node = created;
    }
  }
  setOwn(node, leaf, value);
}

/** One NDJSON row and the namespaces of its identities. */
export function exportLine(cells: readonly JS[], columns: ExportColumns): { line: string; namespaces: Set<string> } {
  const profile = cells[0];
  // Node order, as a lookup lists them (sorted here: an ordered aggregate in SQL costs far more).
  const listed = (cells[1] ?? []) as unknown as GraphIdentity[];
  const identities = listed.length < 2 ? listed : [...listed].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  const memberships = (cells[2] ?? []) as unknown as MembershipCell[];
  const row: Record<string, unknown> = {};
  columns.leaves.forEach((field, index) => {
    const value = jsonValueOf(cells[3 + index], field);
    if (value !== null) setAt(row, field.path, value);
  });
  const key = identities.find((identity) => identity.node === profile);
  const keyText = key === undefined ? undefined : `${key.ns}:${key.id}`;
  const identityMap: Record<string, { id: string; primary: boolean }[]> = {};
  const namespaces = new Set<string>();
  for (const identity of identities) {
    namespaces.add(identity.ns);
    const list = getOwn(identityMap, identity.ns) as { id: string; primary: boolean }[] | undefined;
    const entry = { id: identity.id, primary: `${identity.ns}:${identity.id}` === keyText };
    if (list === undefined) setOwn(identityMap, identity.ns, [entry]);
    else list.push(entry);
  }
  setOwn(row, 'identityMap', identityMap);
  const audiences: Record<string, { status: string; lastQualificationTime: string }> = {};
  for (const membership of memberships) {
    const source = columns.sources[membership.s];
    if (source !== undefined) setOwn(audiences, source.audienceId, { status: membership.status, lastQualificationTime: new Date(Number(membership.at)).toISOString() });
  }
  if (memberships.length > 0) setOwn(row, 'segmentMembership', { [MEMBERSHIP_NAMESPACE]: audiences });
  return { line: `${JSON.stringify(row)}\n`, namespaces };
}

/** Writes rows to `part-<n>.ndjson` files of `dir`, starting a new file before one would pass `maxFileBytes`. */
export class ExportFileWriter {
  private readonly files: { path: string; bytes: number }[] = [];
  private readonly byNamespace: Record<string, number> = {};
  private rows = 0;
  private out: WriteStream | undefined;

  constructor(
    private readonly columns: ExportColumns,
    private readonly dir: string,
    private readonly maxFileBytes: number,
  ) {}

  async write(chunks: AsyncIterable<JS[][]>): Promise<void> {
    for await (const chunk of chunks) {
      let pending = '';
      for (const cells of chunk) {
        const { line, namespaces } = exportLine(cells, this.columns);
        const size = Buffer.byteLength(line);
        if (size > this.maxFileBytes) throw new Error(`An exported row takes ${size} bytes, more than one file may hold (${this.maxFileBytes}): export fewer fields`);
        let current = this.files.at(-1);
        if (this.out === undefined || current === undefined || current.bytes + size > this.maxFileBytes) {
          await this.flush(pending);
          pending = '';
          await this.close();
          current = { path: path.join(this.dir, `part-${this.files.length + 1}.ndjson`), bytes: 0 };
          this.files.push(current);
          this.out = createWriteStream(current.path);
        }
        pending += line;
        current.bytes += size;
        this.rows += 1;
        for (const namespace of namespaces) this.byNamespace[namespace] = (this.byNamespace[namespace] ?? 0) + 1;
      }
      await this.flush(pending);
    }
  }

  /** Writes one chunk's lines to the current file, waiting for the disk when its buffer is full. */
  private async flush(text: string): Promise<void> {
    if (text === '' || this.out === undefined) return;
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  /** Closes the current file (the writer may go on with a new one). */
  async close(): Promise<void> {
    const out = this.out;
    if (out === undefined) return;
    this.out = undefined;
    out.end();
    await once(out, 'close');
  }

  result(): Pick<MemberExport, 'rows' | 'byNamespace' | 'files'> {
    return { rows: this.rows, byNamespace: { ...this.byNamespace }, files: this.files.map((file) => ({ bytes: file.bytes, read: () => createReadStream(file.path) })) };
  }
}
