// Placeholder until the azure-blob connector lands: its contract run is skipped with this reason.
import type { ConnectorEnvironmentProvider } from './connector-environment.js';

export const azuriteEnvironment: ConnectorEnvironmentProvider = {
  name: 'azure-blob',
  unavailable: () => 'the azure-blob connector is not built yet',
  start: () => Promise.reject(new Error('the azure-blob connector is not built yet')),
};
