// Where Adobe's reference examples live: `shared/reference` beside the checkout (as on developer machines and CI).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');

/** `ACTIVATOR_REFERENCE_DIR`, else `<checkout>/../shared/reference`. */
export const REFERENCE_DIR = process.env['ACTIVATOR_REFERENCE_DIR'] ?? path.resolve(repoRoot, '..', 'shared', 'reference');

/** The folder of one spec's examples, e.g. `destinations`. */
export function examplesDir(spec: string): string {
  return path.join(REFERENCE_DIR, 'examples', spec);
}

/** Whether the examples are present (tests that need them skip, saying so, when not). */
export function hasExamples(spec: string): boolean {
  return existsSync(examplesDir(spec));
}

/** One example file parsed as JSON. */
export function readExample(spec: string, file: string): unknown {
  return JSON.parse(readFileSync(path.join(examplesDir(spec), file), 'utf8'));
}
