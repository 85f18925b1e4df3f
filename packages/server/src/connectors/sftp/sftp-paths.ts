// Remote paths of the SFTP connector: the port's folder/name rules (the shared location check) applied before any I/O,
// and the remote names derived from a location, relative to the login's start directory.
import { createHash } from 'node:crypto';
import type { FileLocation } from '../connector.js';
import { checkFileLocation, checkFolder } from '../location-check.js';

/** The segments of a relative folder (`''` = the start directory); INVALID_CONFIGURATION for anything else. */
export function folderSegments(folder: string): readonly string[] {
  checkFolder(folder);
  return folder === '' ? [] : folder.split('/');
}

/** The remote paths of one upload, relative to the session's start directory. */
export interface UploadPaths {
  readonly segments: readonly string[];
  /** The folder (`.` for the start directory). */
  readonly folder: string;
  readonly final: string;
  /** `<folder>/.<name>.part`, renamed onto {@link final} when published. */
  readonly temporary: string;
}

/** Checks a location (INVALID_CONFIGURATION naming `describe(folder)`) and derives its remote paths. */
export function uploadPaths(location: FileLocation, describe: (folder: string) => string): UploadPaths {
  checkFileLocation(location, describe);
  const segments = location.folder === '' ? [] : location.folder.split('/');
  const folder = remoteFolder(segments);
  return { segments, folder, final: `${folder}/${location.name}`, temporary: `${folder}/${temporaryName(location.name)}` };
}

/** `a/b` for segments, `.` for the start directory. */
export function remoteFolder(segments: readonly string[]): string {
  return segments.length === 0 ? '.' : segments.join('/');
}

/**
 * The name an upload is written under before it is published: `.<name>.part`, or a digest of the name when that would
 * exceed the 255-byte limit of server file systems (as the landing zone does).
 */
export function temporaryName(name: string): string {
  const plain = `.${name}.part`;
  if (Buffer.byteLength(plain) <= 255) return plain;
  return `.${createHash('sha256').update(name).digest('hex').slice(0, 40)}.part`;
}

/** Whether a listed name is an upload's temporary file. */
export function isTemporaryName(name: string): boolean {
  return name.length > '..part'.length && name.startsWith('.') && name.endsWith('.part');
}
