// Plain domain types of dataflows: audiences with schedules, the column mapping, mandatory fields and dedup keys.

export type ExportMode = 'DAILY_FULL_EXPORT' | 'FIRST_FULL_THEN_INCREMENTAL';
export type Frequency = 'ONCE' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'EVERY_3_HOURS' | 'EVERY_6_HOURS' | 'EVERY_8_HOURS' | 'EVERY_12_HOURS';
export type TriggerType = 'SCHEDULED' | 'AFTER_SEGMENT_EVAL';

/** When an audience is exported (SPEC §8.1). Dates are `YYYY-MM-DD`, time `HH:mm`, all UTC. */
export interface AudienceSchedule {
  readonly frequency: Frequency;
  readonly triggerType: TriggerType;
  readonly startDate: string;
  readonly endDate?: string;
  /** Absent for AFTER_SEGMENT_EVAL. */
  readonly startTime?: string;
}

/** One audience of a dataflow (a segment selector in AEP terms). */
export interface FlowAudience {
  readonly segmentId: string;
  /** The audience's name and description as last resolved. */
  readonly name: string;
  readonly description: string;
  /** Undefined = the default file name (SPEC §8.3). */
  readonly filenameTemplate?: string;
  readonly exportMode: ExportMode;
  readonly schedule: AudienceSchedule;
  /** Epoch ms when the audience was added to / last changed in the flow. */
  readonly addedAt: number;
  readonly updatedAt: number;
}

/** One file column: where its value comes from and its name (SPEC §7.5). */
export interface ColumnMapping {
  /** Source path: a profile attribute path, `identityMap.<NS>`, `segmentMembership.status`, … */
  readonly source: string;
  /** Target field name (dots allowed); the column name replaces `.` with `_`. */
  readonly destination: string;
  /** True when the source is an identity namespace (`identityMap.<NS>`). */
  readonly identity: boolean;
}

/** Deduplication key of a flow (SPEC §7.5). */
export type DedupKey =
  | { readonly kind: 'identity'; readonly namespace: string }
  | { readonly kind: 'attributes'; readonly paths: readonly [string] | readonly [string, string] };

/** What the user decides about a flow (the validated input of create and update). */
export interface FlowDefinition {
  readonly name: string;
  readonly description: string;
  readonly flowSpecId: string;
  readonly sourceConnectionId: string;
  readonly targetConnectionId: string;
  readonly labels: readonly string[];
  readonly audiences: readonly FlowAudience[];
  readonly columns: readonly ColumnMapping[];
  /** Source paths or mapped namespace codes whose value must be present. */
  readonly mandatoryFields: readonly string[];
  readonly dedupKey: DedupKey | undefined;
}

/** The last successful change of a flow (AEP `lastOperation`). */
export interface FlowOperation {
  readonly operation: 'create' | 'update' | 'enable' | 'disable';
  readonly started: number;
  readonly updated: number;
  /** The JSON Patch ops of the last PATCH (secrets never appear in flows). */
  readonly ops: readonly unknown[];
}

/** A stored dataflow. */
export interface Flow extends FlowDefinition {
  readonly id: string;
  readonly sandboxId: string;
  readonly state: 'enabled' | 'disabled';
  readonly etag: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly updatedBy: string;
  readonly createdClient: string;
  readonly updatedClient: string;
  readonly lastOperation: FlowOperation;
}
