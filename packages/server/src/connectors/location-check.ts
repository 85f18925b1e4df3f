// The re-check every connector makes of a FileLocation before touching its destination (connector.ts header): a
// user-supplied folder or name is data and can never address a file outside the destination's root.
import { ConnectorError, type FileLocation } from './connector.js';

/** Control characters (C0, DEL, C1): never part of a folder or file name we write. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `name` cannot be a plain file name, or undefined when it can. */
function fileNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return `is "${name}"`;
  if (name.includes('/') || name.includes('\\')) return 'contains "/" or "\\"';
  if (CONTROL_CHARACTER.test(name)) return 'contains a control character';
  if (Buffer.byteLength(name) > 255) return 'is longer than 255 bytes';
  return undefined;
}

/** Why `folder` cannot be a relative folder, or undefined when it can (`''` is the root). */
function folderProblem(folder: string): string | undefined {
  if (folder === '') return undefined;
  if (folder.startsWith('/')) return 'is absolute (starts with "/")';
  for (const segment of folder.split('/')) {
    if (segment === '') return 'has an empty segment ("//" or a trailing "/")';
    if (segment === '..' || segment === '.') return `has a "${segment}" segment`;
    const problem = fileNameProblem(segment);
    if (problem !== undefined) return `has a segment that ${problem}`;
  }
  return undefined;
}

/**
 * Throws INVALID_CONFIGURATION when `location` is not a relative folder of plain segments plus a plain file name.
 * `describe` renders the folder for the message (the connector's display form).
 */
export function checkFileLocation(location: FileLocation, describe: (folder: string) => string): void {
  const folder = folderProblem(location.folder);
  if (folder !== undefined) {
    throw new ConnectorError('INVALID_CONFIGURATION', `The folder ${JSON.stringify(location.folder)} ${folder}; use a relative path of plain folder names separated by "/".`);
  }
  const name = fileNameProblem(location.name);
  if (name !== undefined) {
    throw new ConnectorError('INVALID_CONFIGURATION', `The file name ${JSON.stringify(location.name)} in ${describe(location.folder)} ${name}; use a plain file name.`);
  }
}

/** Like {@link checkFileLocation} for a folder alone (list). */
export function checkFolder(folder: string): void {
  const problem = folderProblem(folder);
  if (problem !== undefined) {
    throw new ConnectorError('INVALID_CONFIGURATION', `The folder ${JSON.stringify(folder)} ${problem}; use a relative path of plain folder names separated by "/".`);
  }
}
