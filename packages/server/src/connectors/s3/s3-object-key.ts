// Object keys of the S3 connector: `folder/name` under the bucket root, built only from locations the port allows.
import type { FileLocation } from '../connector.js';
import { checkFileLocation, checkFolder } from '../location-check.js';

/** The folder as a key prefix (`''` or `a/b/`); INVALID_CONFIGURATION when it is not a plain relative folder. */
export function folderPrefix(folder: string): string {
  checkFolder(folder);
  return folder === '' ? '' : `${folder}/`;
}

/** The key of a file (`folder/name`); INVALID_CONFIGURATION naming what is wrong. `describe` renders the folder. */
export function objectKey(location: FileLocation, describe: (folder: string) => string): string {
  checkFileLocation(location, describe);
  return `${folderPrefix(location.folder)}${location.name}`;
}
