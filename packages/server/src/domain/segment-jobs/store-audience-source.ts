// The AudienceSource over the store's segment definitions and the sandbox's datasets (the audiences domain's field catalogue).
import type { SandboxScopedStore } from '../../storage/store.js';
import { fieldCatalogueOf } from '../audiences/field-catalogue.js';
import type { DatasetService } from '../datasets/dataset-service.js';
import type { AudienceSource, JobAudience } from './segment-job-ports.js';

const PAGE = 500;

export function storeAudienceSource(datasets: DatasetService): AudienceSource {
  return {
    async list(scope: SandboxScopedStore): Promise<readonly JobAudience[]> {
      const all: JobAudience[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const { items } = await scope.segmentDefinitions.list({ sortField: 'creationTime', sort: 'asc', offset, limit: PAGE });
        all.push(...items.map((audience) => ({
          id: audience.id, name: audience.name, expression: audience.expression, mergePolicyId: audience.mergePolicyId,
          lifecycleState: audience.lifecycleState, dependencies: audience.dependencies,
        })));
        if (items.length < PAGE) return all;
      }
    },
    async catalogue(scope: SandboxScopedStore) {
      return fieldCatalogueOf(await datasets.list(scope));
    },
  };
}
