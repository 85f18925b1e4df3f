// Plain domain types of destination connections: base (credentials), source (Profile Store) and target (location + format).

/** Values of auth parameters as the domain sees them: decrypted plain values. */
export type AuthParams = Readonly<Record<string, string | number | boolean>>;

/** Who created or last changed an object, and when (epoch ms). */
export interface AuditStamp {
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly updatedBy: string;
  /** The API client (client id) or `activator-ui` that made the change. */
  readonly createdClient: string;
  readonly updatedClient: string;
}

/** Credentials for one destination. Secret params are encrypted at rest and never returned. */
export interface BaseConnection extends AuditStamp {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly description: string;
  readonly connectionSpecId: string;
  /** The auth spec chosen (`Access Key`, …); undefined for destinations without auth (DLZ). */
  readonly authSpecName: string | undefined;
  readonly authParams: AuthParams;
  readonly state: 'enabled' | 'disabled';
  readonly etag: string;
}

/** The Profile Store source of dataflows. */
export interface SourceConnection extends AuditStamp {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly description: string;
  readonly connectionSpecId: string;
  readonly state: 'enabled' | 'disabled';
  readonly etag: string;
}

export type FileType = 'CSV' | 'JSON' | 'PARQUET';
export type Compression = 'NONE' | 'GZIP';

/** CSV writing options (SPEC §6.4), always complete (defaults applied). */
export interface CsvOptions {
  readonly delimiter: ',' | '\t' | '|' | ';' | ':';
  /** `''` = never quote. */
  readonly quote: '"' | "'" | '';
  readonly escape: '\\' | "'";
  readonly nullValue: string;
  readonly emptyValue: string;
  readonly header: boolean;
  readonly quoteAll: boolean;
}

/** Where and how files are written (SPEC §6.4), with defaults applied. */
export interface TargetParams {
  /** S3, GCS, Campaign over S3. */
  readonly bucketName?: string;
  /** Azure Blob, Campaign over Blob. */
  readonly container?: string;
  /** Folder, possibly empty, possibly ending with folder macros. */
  readonly path: string;
  readonly fileType: FileType;
  readonly compression: Compression;
  readonly csvOptions: CsvOptions;
  readonly includeFileManifest: boolean;
  readonly pgpPublicKey?: string;
  readonly maxFileRowCount?: number;
}

export interface TargetConnection extends AuditStamp {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly description: string;
  readonly connectionSpecId: string;
  readonly baseConnectionId: string;
  readonly params: TargetParams;
  readonly state: 'enabled' | 'disabled';
  readonly etag: string;
}
