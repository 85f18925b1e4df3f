// The port through which dataflows look up audiences, and its implementation over the sandbox's segment definitions.
import type { SegmentDefinitionRepository } from '../../storage/store.js';

/** What a dataflow needs to know about an audience. */
export interface AudienceSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

/**
 * Resolves audience ids of one sandbox. An id missing from the result is unknown or not published,
 * and a dataflow may not reference it.
 */
export interface AudienceDirectory {
  /** `requested` carries the name/description a client sent; the directory answers with the audience's own. */
  resolve(sandboxId: string, requested: readonly AudienceSummary[]): Promise<ReadonlyMap<string, AudienceSummary>>;
}

/**
 * SPEC §5.1/§7.3: only `published` audiences of the sandbox can be added to a dataflow, and a selector takes the
 * audience's name and description (whatever the client sent).
 */
export function segmentAudienceDirectory(store: { sandbox(sandboxId: string): { readonly segmentDefinitions: Pick<SegmentDefinitionRepository, 'getMany'> } }): AudienceDirectory {
  return {
    async resolve(sandboxId, requested) {
      const found = await store.sandbox(sandboxId).segmentDefinitions.getMany(requested.map((audience) => audience.id));
      return new Map(
        found
          .filter((audience) => audience.lifecycleState === 'published')
          .map((audience) => [audience.id, { id: audience.id, name: audience.name, description: audience.description ?? '' }]),
      );
    },
  };
}
