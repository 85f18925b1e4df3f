// Remote paths of the SFTP connector: the port's folder/name rules checked before any I/O, and the names derived from them.
import { ConnectorError, type FileLocation } from '../connector.js';

// C0 controls and DEL: never part of a name a user could mean, and a classic way to confuse servers and logs.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Readable form of a user-supplied string for messages (control characters escaped, so logs stay one line). */
function shown(value: string): string {
  return JSON.stringify(value);
}

/**
 * The segments of a relative folder (`''` = the user's home, i.e. the SFTP session's start directory). Refuses an
 * absolute folder, a `..` segment, a backslash or a control character with INVALID_CONFIGURATION; empty and `.`
 * segments (`a//b`, `./a`, trailing `/`) are dropped.
 */
export function folderSegments(folder: string): readonly string[] {
  const refuse = (why: string) =>
    new ConnectorError('INVALID_CONFIGURATION', `The folder ${shown(folder)} is not usable: ${why}. Use a relative folder such as "exports/crm".`);
  if (folder.startsWith('/')) throw refuse('it is absolute');
  if (folder.includes('\\')) throw refuse('it contains a backslash');
  if (CONTROL_CHARACTER.test(folder)) throw refuse('it contains a control character');
  const segments = folder.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw refuse('it contains a ".." segment');
  return segments;
}

/** Refuses a file name that is empty, `.`/`..`, or contains `/`, `\` or a control character (INVALID_CONFIGURATION). */
export function checkFileName(name: string): void {
  const refuse = (why: string) =>
    new ConnectorError('INVALID_CONFIGURATION', `The file name ${shown(name)} is not usable: ${why}. Use a plain file name such as "audience.csv".`);
  if (name === '' || name === '.' || name === '..') throw refuse('it is empty or a dot name');
  if (name.includes('/') || name.includes('\\')) throw refuse('it contains a path separator');
  if (CONTROL_CHARACTER.test(name)) throw refuse('it contains a control character');
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

/** Checks a location and derives its remote paths. */
export function uploadPaths(location: FileLocation): UploadPaths {
  const segments = folderSegments(location.folder);
  checkFileName(location.name);
  const folder = remoteFolder(segments);
  return { segments, folder, final: `${folder}/${location.name}`, temporary: `${folder}/${temporaryName(location.name)}` };
}

/** `a/b` for segments, `.` for the start directory. */
export function remoteFolder(segments: readonly string[]): string {
  return segments.length === 0 ? '.' : segments.join('/');
}

/** The name an upload is written under before it is published. */
export function temporaryName(name: string): string {
  return `.${name}.part`;
}

/** Whether a listed name is an upload's temporary file. */
export function isTemporaryName(name: string): boolean {
  return name.length > '..part'.length && name.startsWith('.') && name.endsWith('.part');
}
