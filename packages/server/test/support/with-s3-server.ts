// Placeholder until the s3 connector lands: its contract run is skipped with this reason.
import type { ConnectorEnvironmentProvider } from './connector-environment.js';

export const s3Environment: ConnectorEnvironmentProvider = {
  name: 's3',
  unavailable: () => 'the s3 connector is not built yet',
  start: () => Promise.reject(new Error('the s3 connector is not built yet')),
};
