// Builds the blob name `folder/name` from a FileLocation, refusing anything that could address another blob than the
// one meant (port header of connector.ts): names are data, never paths.
import { ConnectorError } from '../connector.js';

/** Azure's limit on a blob name, in characters. */
const MAX_BLOB_NAME_LENGTH = 1024;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

function refuse(what: string): never {
  throw new ConnectorError('INVALID_CONFIGURATION', `${what}; use a relative folder of plain segments and a plain file name.`);
}

/** The blob-name prefix of a folder: `''` for the root, else `a/b/` (a single trailing `/` on input is accepted). */
export function folderPrefix(folder: string): string {
  if (folder === '') return '';
  if (CONTROL.test(folder)) refuse('The folder contains a control character');
  if (folder.includes('\\')) refuse('The folder contains a backslash');
  if (folder.startsWith('/')) refuse(`The folder "${folder}" is absolute`);
  const trimmed = folder.endsWith('/') ? folder.slice(0, -1) : folder;
  for (const segment of trimmed.split('/')) {
    if (segment === '') refuse(`The folder "${folder}" has an empty segment`);
    if (segment === '.' || segment === '..') refuse(`The folder "${folder}" has a "${segment}" segment`);
  }
  return `${trimmed}/`;
}

/** The full blob name of a file; throws INVALID_CONFIGURATION for a hostile or impossible folder or name. */
export function blobNameOf(folder: string, name: string): string {
  if (name === '') refuse('The file name is empty');
  if (CONTROL.test(name)) refuse('The file name contains a control character');
  if (name.includes('/') || name.includes('\\')) refuse(`The file name "${name}" contains a slash or backslash`);
  if (name === '.' || name === '..') refuse(`The file name "${name}" is not a file name`);
  const blobName = folderPrefix(folder) + name;
  if (blobName.length > MAX_BLOB_NAME_LENGTH) refuse(`The blob name is longer than ${MAX_BLOB_NAME_LENGTH} characters`);
  return blobName;
}
