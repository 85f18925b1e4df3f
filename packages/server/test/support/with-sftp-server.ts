// Placeholder until the sftp connector lands: its contract run is skipped with this reason.
import type { ConnectorEnvironmentProvider } from './connector-environment.js';

export const sftpEnvironment: ConnectorEnvironmentProvider = {
  name: 'sftp',
  unavailable: () => 'the sftp connector is not built yet',
  start: () => Promise.reject(new Error('the sftp connector is not built yet')),
};
