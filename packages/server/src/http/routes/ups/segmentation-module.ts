// The segmentation services the `/data/core/ups/segment` routes call.
import type { AudienceService } from '../../../domain/audiences/audience-service.js';
import type { PreviewService } from '../../../domain/audiences/preview-service.js';
import type { SandboxScopedStore } from '../../../storage/store.js';

export interface SegmentationModule {
  readonly audiences: AudienceService;
  /** Previews and estimates of unsaved expressions (SPEC §5.5), kept in this process's memory. */
  readonly previews: PreviewService;
  sandboxStore(sandboxId: string): SandboxScopedStore;
}
