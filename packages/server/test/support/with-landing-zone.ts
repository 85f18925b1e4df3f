// Placeholder until the landing-zone connector lands: its contract run is skipped with this reason.
import type { ConnectorEnvironmentProvider } from './connector-environment.js';

export const landingZoneEnvironment: ConnectorEnvironmentProvider = {
  name: 'landing-zone',
  unavailable: () => 'the landing-zone connector is not built yet',
  start: () => Promise.reject(new Error('the landing-zone connector is not built yet')),
};
