// What segment jobs need from their neighbours (audiences, the PQL compiler, profile scopes), as minimal structural interfaces.
import type { ProfileScope } from '../../engine/engine.js';
import type { SandboxScopedStore } from '../../storage/store.js';

/** An audience as a segment job sees it. */
export interface JobAudience {
  readonly id: string;
  /** PQL text. */
  readonly expression: string;
  readonly mergePolicyId: string;
  readonly lifecycleState: string;
  /** inSegment ids, as stored with the audience. */
  readonly dependencies: readonly string[];
  readonly name?: string;
}

/** The union schema of a sandbox (contract §1 `FieldCatalogue`, structurally). */
export interface JobFieldCatalogue {
  readonly profile: readonly { readonly path: string; readonly type: string; readonly items?: string }[];
  readonly event: readonly { readonly path: string; readonly type: string; readonly items?: string }[];
}

/** The audiences of a sandbox and its field catalogue (the audiences domain). */
export interface AudienceSource {
  /** Every audience of the sandbox, whatever its lifecycle state. */
  list(scope: SandboxScopedStore): Promise<readonly JobAudience[]>;
  catalogue(scope: SandboxScopedStore): Promise<JobFieldCatalogue>;
}

/** What the checker knows of an audience referenced by inSegment (contract §1 `SegmentInfo`). */
export interface ReferencedAudience {
  readonly id: string;
  readonly mergePolicyId: string;
  readonly dependencies: readonly string[];
}

export interface CompileContext {
  readonly catalogue: JobFieldCatalogue;
  readonly segment: (id: string) => ReferencedAudience | undefined;
  readonly selfId: string;
  readonly mergePolicyId: string;
  /** The job's start: `now` and `today` of the expression. */
  readonly now: Date;
}

export type AudienceCompilation =
  | { readonly ok: true; readonly sql: string; readonly parameters: readonly (string | number | boolean | bigint)[]; readonly fields: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** Checks an audience's PQL against the current catalogue and compiles it for the engine (`checkPql` + `compilePql`). */
export interface AudienceCompiler {
  compile(expression: string, context: CompileContext): AudienceCompilation;
}

/** The engine's view of a sandbox under a merge policy, and that policy's current version. */
export interface ProfileScopes {
  /** The current version of a merge policy of the sandbox; rejects when it does not exist. */
  policyVersion(scope: SandboxScopedStore, policyId: string): Promise<number>;
  profileScope(scope: SandboxScopedStore, policyId: string | undefined): Promise<{ policy: { readonly id: string; readonly version: number }; profileScope: ProfileScope }>;
}
