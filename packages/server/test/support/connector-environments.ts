// Every transport the connector contract suite runs against (one provider each, on a real server on loopback).
import type { ConnectorEnvironmentProvider } from './connector-environment.js';
import { azuriteEnvironment } from './with-azurite.js';
import { landingZoneEnvironment } from './with-landing-zone.js';
import { s3Environment } from './with-s3-server.js';
import { sftpEnvironment } from './with-sftp-server.js';

export const CONNECTOR_ENVIRONMENTS: readonly ConnectorEnvironmentProvider[] = [landingZoneEnvironment, sftpEnvironment, s3Environment, azuriteEnvironment];
