// The port through which dataflows look up audiences; segmentation (a later capability) provides the real one.

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
  /** `proposed` carries the name/description a client sent, for directories that keep none. */
  resolve(sandboxId: string, requested: readonly AudienceSummary[]): Promise<ReadonlyMap<string, AudienceSummary>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Until audiences exist in Activator, any well-formed audience id is accepted and keeps the name the
 * client gave it (or its id). Replaced by the segmentation directory when audiences land.
 */
export const unverifiedAudienceDirectory: AudienceDirectory = {
  resolve(_sandboxId, requested) {
    return Promise.resolve(new Map(
      requested
        .filter((audience) => UUID.test(audience.id))
        .map((audience) => [audience.id, { id: audience.id, name: audience.name === '' ? audience.id : audience.name, description: audience.description }]),
    ));
  },
};
