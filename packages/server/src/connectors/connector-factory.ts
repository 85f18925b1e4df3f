// Opens the connector of a target: one opener per transport (the composition root's single dispatch on the kind).
import { openAzureBlobConnector } from './azure-blob/azure-blob-connector.js';
import type { Connector, ConnectorFactory, ConnectorSettings, ConnectorTarget } from './connector.js';
import { openLandingZoneConnector } from './landing-zone/landing-zone-connector.js';
import { openS3Connector } from './s3/s3-connector.js';
import { openSftpConnector } from './sftp/sftp-connector.js';

type Opener<K extends ConnectorTarget['kind']> = (target: Extract<ConnectorTarget, { kind: K }>, settings: ConnectorSettings) => Connector;

const OPENERS: { readonly [K in ConnectorTarget['kind']]: Opener<K> } = {
  'landing-zone': openLandingZoneConnector,
  sftp: openSftpConnector,
  s3: openS3Connector,
  'azure-blob': openAzureBlobConnector,
};

/** A factory for every transport with the given settings. */
export function createConnectorFactory(settings: ConnectorSettings): ConnectorFactory {
  return {
    open(target: ConnectorTarget): Connector {
      // TypeScript cannot correlate the opener with the target's own kind; the mapped type above guarantees it.
      const open = OPENERS[target.kind] as (target: ConnectorTarget, settings: ConnectorSettings) => Connector;
      return open(target, settings);
    },
  };
}
