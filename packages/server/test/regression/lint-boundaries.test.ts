// The import boundaries of DESIGN.md are enforced by eslint.config.js: prove the rules fire (and stay quiet) on fixtures.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');

// Only the boundary rule, and without type information: the fixture files do not exist on disk,
// so the TypeScript project service could not place them in a program.
const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfigFile: path.join(repoRoot, 'eslint.config.js'),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

async function boundaryMessages(relativePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, relativePath), warnIgnored: true });
  if (result === undefined) throw new Error('ESLint returned no result');
  const fatal = result.messages.filter((m) => m.fatal === true);
  if (fatal.length > 0) throw new Error(`fixture did not parse: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.map((m) => `${m.ruleId ?? '?'}: ${m.message}`);
}

const DOMAIN_FILE = 'packages/server/src/domain/fixtures/boundary-fixture.ts';

describe('lint boundaries', () => {
  it('reports a domain file that imports the HTTP layer', async () => {
    const messages = await boundaryMessages(DOMAIN_FILE, "import { buildApp } from '../../http/app.js';\nexport const app = buildApp;\n");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^no-restricted-imports: .*http/);
  });

  it('reports a domain file that imports an SDK such as kysely, even for types only', async () => {
    const messages = await boundaryMessages(DOMAIN_FILE, "import type { Kysely } from 'kysely';\nexport type Db = Kysely<object>;\n");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^no-restricted-imports: .*SDK/);
  });

  it('reports a domain file that imports a storage implementation rather than the port', async () => {
    const messages = await boundaryMessages(DOMAIN_FILE, "export { openSqliteStore } from '../../storage/sqlite/sqlite-store.js';\n");
    expect(messages).toHaveLength(1);
  });

  it('accepts a domain file that imports only ports, errors and its own modules', async () => {
    const code = [
      "import type { Store } from '../../storage/store.js';",
      "import { AppError } from '../../errors.js';",
      "import type { Clock } from '../runtime.js';",
      "import { randomUUID } from 'node:crypto';",
      'export const parts: unknown[] = [AppError, randomUUID];',
      'export type Deps = { store: Store; clock: Clock };',
      '',
    ].join('\n');
    expect(await boundaryMessages(DOMAIN_FILE, code)).toEqual([]);
  });

  it.each([
    ['a storage implementation importing the domain', 'packages/server/src/storage/sqlite/fixture-store.ts', "import type { Clock } from '../../domain/runtime.js';\nexport type C = Clock;\n"],
    ['the job queue importing the domain', 'packages/server/src/jobs/fixture-worker.ts', "import { BatchService } from '../domain/datasets/batch-service.js';\nexport const b = BatchService;\n"],
    ['a security implementation importing the HTTP layer', 'packages/server/src/security/fixture.ts', "import { buildApp } from '../http/app.js';\nexport const b = buildApp;\n"],
    ['pql importing the server package', 'packages/pql/src/fixture.ts', "import { loadConfig } from '@activator/server';\nexport const c = loadConfig;\n"],
    ['the web UI importing server files by path', 'packages/web/src/fixture.ts', "import { loadConfig } from '../../server/src/config.js';\nexport const c = loadConfig;\n"],
  ])('reports %s', async (_name, file, code) => {
    expect(await boundaryMessages(file, code)).toHaveLength(1);
  });
});
