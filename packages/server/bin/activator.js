#!/usr/bin/env node
// The `activator` executable: a committed shim, so that `npm ci` can link the bin before anything is
// built (npm skips bins whose target file is missing). Runs the compiled CLI in dist/; in a
// development checkout without a build (or with ACTIVATOR_CLI_FROM_SOURCE=1) it runs the
// TypeScript sources through tsx instead.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);

async function runFromSource() {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write('activator: the server is not built; run `npm run build` in the repository root first\n');
    process.exit(1);
  }
  tsx.register();
  await import(source.href);
}

if (process.env['ACTIVATOR_CLI_FROM_SOURCE'] === '1' || !existsSync(compiled)) {
  await runFromSource();
} else {
  await import(compiled.href);
}
