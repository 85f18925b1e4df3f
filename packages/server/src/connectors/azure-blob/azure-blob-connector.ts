// The Azure Blob Storage connector (SPEC §6.3 ConnectionString, §6.4 container, §8.4 block blobs): files are block
// blobs named `folder/name` in one container, published by committing their block list.
import { AnonymousCredential, ContainerClient, StorageSharedKeyCredential, type StoragePipelineOptions } from '@azure/storage-blob';
import {
  ConnectorError,
  type AzureBlobTarget,
  type CallOptions,
  type Connector,
  type ConnectorSettings,
  type FileLocation,
  type ListedFile,
  type PendingUpload,
} from '../connector.js';
import { toConnectorError } from './azure-blob-errors.js';
import { AzureBlockUpload, type AzureCall } from './azure-block-upload.js';
import { AzureConnectionStringError, parseAzureConnectionString, type AzureBlobConnection } from './azure-connection-string.js';
import { blobNameOf, folderPrefix } from './blob-name.js';

/** SPEC §6.4 `container`. */
const CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * Few, quick SDK retries: the run layer retries whole exports on transient failures (SPEC §9.5), and a connection
 * test must answer within its 30-second step timeout.
 */
const PIPELINE_OPTIONS: StoragePipelineOptions = { retryOptions: { maxTries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 } };

function containerClientOf(connection: AzureBlobConnection, container: string): ContainerClient {
  const url = `${connection.blobEndpoint}/${container}`;
  const { credentials } = connection;
  return credentials.type === 'shared-key'
    ? new ContainerClient(url, new StorageSharedKeyCredential(credentials.accountName, credentials.accountKey), PIPELINE_OPTIONS)
    : new ContainerClient(`${url}?${credentials.sasToken}`, new AnonymousCredential(), PIPELINE_OPTIONS);
}

/** Opens a connector on one container; a malformed connection string or container name fails every call with INVALID_CONFIGURATION. */
export function openAzureBlobConnector(target: AzureBlobTarget, settings: ConnectorSettings): Connector {
  let opened: { readonly client: ContainerClient; readonly endpoint: string } | ConnectorError;
  if (!CONTAINER_NAME.test(target.container)) {
    opened = new ConnectorError(
      'INVALID_CONFIGURATION',
      `The container name "${target.container}" is not valid: 3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.`,
    );
  } else {
    try {
      const connection = parseAzureConnectionString(target.connectionString);
      opened = { client: containerClientOf(connection, target.container), endpoint: connection.blobEndpoint };
    } catch (error) {
      if (!(error instanceof AzureConnectionStringError)) throw error;
      opened = new ConnectorError('INVALID_CONFIGURATION', error.message);
    }
  }
  return new AzureBlobConnector(opened, target.container, settings);
}

class AzureBlobConnector implements Connector {
  readonly capabilities = { supportsRename: false, supportsMultipart: true } as const;
  private closed = false;

  constructor(
    private readonly opened: { readonly client: ContainerClient; readonly endpoint: string } | ConnectorError,
    private readonly container: string,
    private readonly settings: ConnectorSettings,
  ) {}

  describe(folder: string): string {
    const endpoint = this.opened instanceof ConnectorError ? 'azure-blob:/' : this.opened.endpoint;
    const prefix = folder === '' ? '' : `${folder.replace(/\/+$/, '')}/`;
    return `${endpoint}/${this.container}/${prefix}`;
  }

  async checkConnection(options?: CallOptions): Promise<{ readonly hostKeyFingerprint?: string }> {
    const client = this.client();
    await this.callerFor(options?.signal, this.describe(''))('reading the properties of container', (signal) => client.getProperties({ abortSignal: signal }));
    return {};
  }

  beginUpload(location: FileLocation, options?: CallOptions): Promise<PendingUpload> {
    const client = this.client();
    const blobName = blobNameOf(location.folder, location.name);
    const call = this.callerFor(options?.signal, this.locationOf(blobName));
    return Promise.resolve(new AzureBlockUpload(client.getBlockBlobClient(blobName), call, location));
  }

  async delete(location: FileLocation, options?: CallOptions): Promise<void> {
    const client = this.client();
    const blobName = blobNameOf(location.folder, location.name);
    await this.callerFor(options?.signal, this.locationOf(blobName))('deleting', (signal) =>
      client.getBlockBlobClient(blobName).deleteIfExists({ abortSignal: signal, deleteSnapshots: 'include' }),
    );
  }

  async list(folder: string, options?: CallOptions): Promise<readonly ListedFile[]> {
    const client = this.client();
    const prefix = folderPrefix(folder);
    return this.callerFor(options?.signal, this.describe(folder))('listing', async (signal) => {
      const files: ListedFile[] = [];
      // Only committed blobs: uncommitted blocks are invisible to readers and are reported by no listing here.
      for await (const item of client.listBlobsByHierarchy('/', { prefix, abortSignal: signal })) {
        if (item.kind !== 'blob') continue;
        files.push({
          name: item.name.slice(prefix.length),
          size: item.properties.contentLength ?? 0,
          modifiedAt: item.properties.lastModified.getTime(),
          temporary: false,
        });
      }
      return files;
    });
  }

  close(): Promise<void> {
    // The SDK keeps no connection of its own beyond Node's shared keep-alive agent; nothing to release.
    this.closed = true;
    return Promise.resolve();
  }

  private client(): ContainerClient {
    if (this.closed) throw new Error('The Azure Blob connector is closed');
    if (this.opened instanceof ConnectorError) throw this.opened;
    return this.opened.client;
  }

  private locationOf(blobName: string): string {
    return this.describe('') + blobName;
  }

  /** Wraps SDK calls: per-call timeout, the caller's cancellation passed through, everything else a ConnectorError. */
  private callerFor(callerSignal: AbortSignal | undefined, location: string): AzureCall {
    const timeoutMs = this.settings.callTimeoutMs;
    return async (action, run) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        return await run(callerSignal === undefined ? timeout : AbortSignal.any([callerSignal, timeout]));
      } catch (error) {
        if (callerSignal?.aborted) throw callerSignal.reason;
        throw toConnectorError(error, { action, location, timedOut: timeout.aborted });
      }
    };
  }
}
