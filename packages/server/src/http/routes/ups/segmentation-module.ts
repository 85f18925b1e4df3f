// The segmentation services the `/data/core/ups/segment` routes call.
import type { AudienceService } from '../../../domain/audiences/audience-service.js';
import type { SandboxScopedStore } from '../../../storage/store.js';

export interface SegmentationModule {
  readonly audiences: AudienceService;
  sandboxStore(sandboxId: string): SandboxScopedStore;
}
