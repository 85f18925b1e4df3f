// The landing-zone environment of the connector contract suite: a fresh temporary directory as the root, read back
// with node:fs (never the connector). No credentials and no network, so no badCredentials/unreachable targets; a
// missing root is not a failure (the connector creates it), so no missingLocation either.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectorEnvironmentProvider } from './connector-environment.js';

/** Every file under `root`, recursive, `/`-separated and relative to it. */
export async function listFilesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

export const landingZoneEnvironment: ConnectorEnvironmentProvider = {
  name: 'landing-zone',
  unavailable: () => undefined,
  async start() {
    const base = await mkdtemp(path.join(tmpdir(), 'activator-dlz-'));
    const root = path.join(base, 'dlz', 'prod');
    return {
      target: { kind: 'landing-zone', root },
      async readBack(folder, name) {
        const file = path.join(root, ...(folder === '' ? [] : folder.split('/')), name);
        return readFile(file).catch(() => undefined);
      },
      listAll: () => listFilesUnder(root),
      pendingUploads: () => Promise.resolve([]),
      stop: () => rm(base, { recursive: true, force: true }),
    };
  },
};
