// Object keys of the S3 connector: `folder/name` under the bucket root, built only from names the port allows.
import { ConnectorError, type FileLocation } from '../connector.js';

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** The folder as a key prefix (`''` or `a/b/`), or INVALID_CONFIGURATION naming what is wrong. */
export function folderPrefix(folder: string): string {
  if (CONTROL_CHARACTER.test(folder)) throw invalid(`The folder ${JSON.stringify(folder)} contains a control character; remove it.`);
  if (folder.startsWith('/') || folder.startsWith('\\')) {
    throw invalid(`The folder ${JSON.stringify(folder)} is absolute; give a folder relative to the bucket root (no leading "/").`);
  }
  if (folder.includes('\\')) throw invalid(`The folder ${JSON.stringify(folder)} contains "\\"; separate folders with "/".`);
  const segments = folder.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.')) {
    throw invalid(`The folder ${JSON.stringify(folder)} contains a "." or ".." segment; give a plain relative folder.`);
  }
  return segments.length === 0 ? '' : `${segments.join('/')}/`;
}

/** The key of a file (`folder/name`), or INVALID_CONFIGURATION naming what is wrong. */
export function objectKey(location: FileLocation): string {
  const { name } = location;
  if (name === '' || name === '.' || name === '..') throw invalid(`The file name ${JSON.stringify(name)} is not a file name; give a plain name such as "audience.csv".`);
  if (name.includes('/') || name.includes('\\')) throw invalid(`The file name ${JSON.stringify(name)} contains "/" or "\\"; a file name cannot address a folder.`);
  if (CONTROL_CHARACTER.test(name)) throw invalid(`The file name ${JSON.stringify(name)} contains a control character; remove it.`);
  return `${folderPrefix(location.folder)}${name}`;
}

function invalid(message: string): ConnectorError {
  return new ConnectorError('INVALID_CONFIGURATION', message);
}
