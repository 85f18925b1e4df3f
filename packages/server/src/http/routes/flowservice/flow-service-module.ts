// The Flow Service domain services the routes call, and the sandbox scopes they work in.
import type { BaseConnectionService } from '../../../domain/destinations/base-connection-service.js';
import type { ConnectionTestService } from '../../../domain/destinations/connection-test-service.js';
import type { SourceConnectionService } from '../../../domain/destinations/source-connection-service.js';
import type { TargetConnectionService } from '../../../domain/destinations/target-connection-service.js';
import type { FlowService } from '../../../domain/flows/flow-service.js';
import type { SandboxScopedStore } from '../../../storage/store.js';

export interface FlowServiceModule {
  readonly bases: BaseConnectionService;
  readonly sources: SourceConnectionService;
  readonly targets: TargetConnectionService;
  /** `POST`/`GET /connections/{id}/test` (SPEC §6.7). */
  readonly connectionTests: ConnectionTestService;
  readonly flows: FlowService;
  /** The store seen from one sandbox. */
  sandboxStore(sandboxId: string): SandboxScopedStore;
}
