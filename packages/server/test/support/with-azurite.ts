// Azurite (npm) on loopback with a temporary directory and a random account key, behind the Shared Key checking front
// (azure-shared-key-front.ts); `startAzurite` for any test, `azuriteEnvironment` for the connector contract suite.
// Files are read back with the SDK straight from Azurite, never through the connector under test or the front.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { ConnectorEnvironment, ConnectorEnvironmentProvider } from './connector-environment.js';
import { startSharedKeyFront, type FrontRequest } from './azure-shared-key-front.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const AZURITE_BIN = path.resolve(here, '../../../../node_modules/.bin/azurite-blob');

/** A running Azurite behind the front. `connectionString` points at the front; `direct` talks to Azurite itself. */
export interface AzuriteServer {
  readonly connectionString: string;
  /** An existing container. */
  readonly container: string;
  readonly accountName: string;
  readonly accountKey: string;
  /** The front's BlobEndpoint (`http://127.0.0.1:<port>/<account>`). */
  readonly blobEndpoint: string;
  /** Requests that reached the front, in order (for counting staged blocks). */
  readonly frontRequests: readonly FrontRequest[];
  /** A client of `container` straight on Azurite, bypassing the front: the independent reader of tests. */
  readonly direct: ContainerClient;
  /** The Azurite endpoint itself (`http://127.0.0.1:<port>/<account>`), for SAS URLs built by tests. */
  readonly directEndpoint: string;
  stop(): Promise<void>;
}

/** Why Azurite cannot run here, or undefined. */
export function azuriteUnavailable(): string | undefined {
  return existsSync(AZURITE_BIN) ? undefined : `azurite is not installed (${AZURITE_BIN} is missing; run npm ci)`;
}

/** A loopback port nothing listens on (bound then released). */
export async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts Azurite (blob service only) on a free port with a fresh account and directory, and the front before it. */
export async function startAzurite(): Promise<AzuriteServer> {
  const accountName = 'activatortest';
  const accountKey = randomBytes(64).toString('base64');
  const location = await mkdtemp(path.join(os.tmpdir(), 'activator-azurite-'));
  const child = spawn(
    AZURITE_BIN,
    ['--blobHost', '127.0.0.1', '--blobPort', '0', '--location', location, '--skipApiVersionCheck', '--disableTelemetry'],
    { env: { ...process.env, AZURITE_ACCOUNTS: `${accountName}:${accountKey}` }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopChild = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(location, { recursive: true, force: true });
  };
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`azurite did not start within 30 s: ${output}`)), 30_000);
      const onData = (data: Buffer) => {
        output += data.toString();
        const listening = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (listening !== null) {
          clearTimeout(timer);
          resolve(Number(listening[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`azurite exited (${code}) before listening: ${output}`));
      });
    });
  } catch (error) {
    await stopChild();
    throw error;
  }
  // Keep draining Azurite's output so it never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();

  const front = await startSharedKeyFront(`http://127.0.0.1:${port}`, accountName, accountKey);
  const container = 'exports';
  const directEndpoint = `http://127.0.0.1:${port}/${accountName}`;
  const direct = new ContainerClient(`${directEndpoint}/${container}`, new StorageSharedKeyCredential(accountName, accountKey), { retryOptions: { maxTries: 1 } });
  await direct.create();
  const blobEndpoint = `${front.url}/${accountName}`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${accountName};AccountKey=${accountKey};BlobEndpoint=${blobEndpoint};`,
    container,
    accountName,
    accountKey,
    blobEndpoint,
    frontRequests: front.requests,
    direct,
    directEndpoint,
    stop: async () => {
      await front.close();
      await stopChild();
    },
  };
}

/** The bytes of a committed blob read straight from Azurite, or undefined when there is none. */
export async function readCommittedBlob(direct: ContainerClient, blobName: string): Promise<Buffer | undefined> {
  try {
    return await direct.getBlockBlobClient(blobName).downloadToBuffer();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** Names of blobs that hold uncommitted blocks (an upload neither committed nor aborted), via the SDK. */
export async function blobsWithUncommittedBlocks(direct: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const item of direct.listBlobsFlat({ includeUncommitedBlobs: true })) {
    const blocks = await direct.getBlockBlobClient(item.name).getBlockList('uncommitted');
    if ((blocks.uncommittedBlocks ?? []).length > 0) names.push(item.name);
  }
  return names;
}

const blobName = (folder: string, name: string) => (folder === '' ? name : `${folder}/${name}`);

export const azuriteEnvironment: ConnectorEnvironmentProvider = {
  name: 'azure-blob',
  unavailable: azuriteUnavailable,
  async start(): Promise<ConnectorEnvironment> {
    const server = await startAzurite();
    const closedPort = await closedLoopbackPort();
    const wrongKey = Buffer.from('wrong-secret-'.repeat(5)).toString('base64');
    const target = { kind: 'azure-blob', connectionString: server.connectionString, container: server.container } as const;
    return {
      target,
      badCredentials: { ...target, connectionString: server.connectionString.replace(server.accountKey, wrongKey) },
      missingLocation: { ...target, container: 'missing-container' },
      unreachable: { ...target, connectionString: server.connectionString.replace(server.blobEndpoint, `http://127.0.0.1:${closedPort}/${server.accountName}`) },
      readBack: (folder, name) => readCommittedBlob(server.direct, blobName(folder, name)),
      listAll: async () => {
        const names: string[] = [];
        for await (const item of server.direct.listBlobsFlat()) names.push(item.name);
        return names;
      },
      pendingUploads: () => blobsWithUncommittedBlocks(server.direct),
      stop: () => server.stop(),
    };
  },
};
