// DLZ retention: files of chosen modification times (utimes), swept against a fixed "now".
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFilesUnder } from '../../../test/support/with-landing-zone.js';
import { sweepLandingZones } from './dlz-sweeper.js';

const DAY = 86_400_000;
const now = Date.UTC(2025, 0, 20, 12, 0, 0);
let base: string;
let dlz: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'activator-dlz-sweep-'));
  dlz = path.join(base, 'dlz');
});
afterEach(async () => rm(base, { recursive: true, force: true }));

/** Writes a file under the dlz root modified `ageDays` before `now`. */
async function fileAged(relative: string, ageDays: number): Promise<void> {
  const file = path.join(dlz, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, relative);
  const time = new Date(now - ageDays * DAY);
  await utimes(file, time, time);
}

describe('sweepLandingZones', () => {
  it('deletes files older than the TTL in every sandbox, keeps younger ones, and removes the folders left empty', async () => {
    await fileAged('prod/old.csv', 8);
    await fileAged('prod/new.csv', 6.9);
    await fileAged('prod/a/b/old.csv.gz', 30);
    await fileAged('prod/a/keep/new.json', 1);
    await fileAged('prod/a/keep/old.json', 7.01);
    await fileAged('dev/x/.old.csv.part', 9);
    await mkdir(path.join(dlz, 'dev', 'already-empty', 'deeper'), { recursive: true });
    await mkdir(path.join(dlz, 'empty-sandbox'), { recursive: true });

    const result = await sweepLandingZones(dlz, { ttlMs: 7 * DAY, now });

    expect(await listFilesUnder(dlz)).toEqual(['prod/a/keep/new.json', 'prod/new.csv']);
    // Removed: prod/a/b, dev/x, dev/already-empty/deeper, dev/already-empty.
    expect(result).toEqual({ filesDeleted: 4, foldersRemoved: 4 });
    // The sandboxes' own folders stay, even empty.
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dlz)).sort()).toEqual(['dev', 'empty-sandbox', 'prod']);
    expect(await readdir(path.join(dlz, 'dev'))).toEqual([]);
    expect((await readdir(path.join(dlz, 'prod', 'a'))).sort()).toEqual(['keep']);
  });

  it('keeps a file modified exactly at the cutoff', async () => {
    await fileAged('prod/edge.csv', 7);
    expect(await sweepLandingZones(dlz, { ttlMs: 7 * DAY, now })).toEqual({ filesDeleted: 0, foldersRemoved: 0 });
  });

  it('never follows a symbolic link out of the landing zone', async () => {
    const outside = path.join(base, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'precious.txt'), 'keep me');
    const old = new Date(now - 100 * DAY);
    await utimes(path.join(outside, 'precious.txt'), old, old);
    await mkdir(path.join(dlz, 'prod'), { recursive: true });
    await symlink(outside, path.join(dlz, 'prod', 'link'));
    await sweepLandingZones(dlz, { ttlMs: 7 * DAY, now });
    expect(await listFilesUnder(outside)).toEqual(['precious.txt']);
  });

  it('sweeps a missing landing zone as empty', async () => {
    expect(await sweepLandingZones(path.join(base, 'nope'), { ttlMs: DAY, now })).toEqual({ filesDeleted: 0, foldersRemoved: 0 });
  });
});
