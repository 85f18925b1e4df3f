// ESLint flat config: typescript-eslint (type-aware for the packages' TypeScript) plus the import
// boundaries of DESIGN.md ("Lint enforces the arrows"), as no-restricted-imports per folder.
// Flat config does not merge the options of one rule across objects, so the boundary objects
// below must stay disjoint: each file gets at most one `no-restricted-imports` setting.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Relative paths that climb to a sibling folder of src/ named `name` (http/, cli/, …). */
const upTo = (name) => `^(?:\\.\\./)+(?:[\\w.-]+/)*${name}(?:/|\\.[jt]s$|$)`;

/** SDKs the domain must never see: it works through ports and structural interfaces. */
const THIRD_PARTY_SDKS = [
  'kysely', 'kysely/*',
  'better-sqlite3', 'better-sqlite3/*',
  'pg', 'pg/*', 'pg-*',
  'fastify', 'fastify/*', 'fastify-*', '@fastify/*',
  'pino', 'pino/*', 'pino-*',
  'commander', 'commander/*',
  '@node-rs/argon2', '@node-rs/argon2/*',
  'prom-client', 'cli-table3', 'cli-progress',
  // Named in DESIGN.md's dependency table; restricted before they arrive.
  '@duckdb/*', '@aws-sdk/*', '@azure/*', 'ssh2', 'ssh2/*', 'ssh2-sftp-client', 'openpgp', 'openpgp/*',
];

const domainBoundary = {
  patterns: [
    { regex: upTo('(?:http|cli|security)'), message: 'domain/ depends on ports only (DESIGN.md): no http/, cli/ or security/ implementations.' },
    { regex: upTo('storage/(?:sqlite|postgres|kysely|migrations|open-store)'), message: 'domain/ uses the store port (storage/store.ts), never a storage implementation.' },
    { regex: '^(?:\\.\\./)+main(?:\\.[jt]s)?$', message: 'domain/ must not import the composition root (main.ts); take dependencies as constructor arguments.' },
    { group: THIRD_PARTY_SDKS, message: 'domain/ never imports an SDK: receive a port or a minimal structural interface instead (CONVENTIONS.md #3).' },
  ],
};

const implementationBoundary = {
  patterns: [
    { regex: upTo('(?:domain|http|cli)'), message: 'Implementations (storage/, security/, engine/, connectors/, jobs/) must not import domain/, http/ or cli/: the arrows point the other way.' },
    { regex: '^(?:\\.\\./)+main(?:\\.[jt]s)?$', message: 'Implementations must not import the composition root (main.ts).' },
  ],
};

/** export/ is the pipeline between ports: the engine and connector ports, errors.ts and pure domain modules only. */
const exportBoundary = {
  patterns: [
    { regex: upTo('(?:http|cli|security|storage|jobs)'), message: 'export/ uses ports only (DESIGN.md): no http/, cli/, security/, storage/ or jobs/ (take an implementation as an argument).' },
    { regex: '^(?:\\.\\./)+engine/(?!engine\\.[jt]s$)', message: 'export/ uses the engine port (engine/engine.ts), never an engine implementation.' },
    { regex: '^(?:\\.\\./)+connectors/(?!connector\\.[jt]s$)', message: 'export/ uses the connector port (connectors/connector.ts), never a connector implementation.' },
    { regex: '^(?:\\.\\./)+domain/(?!(?:flows/(?:filename-template|flow-rules|flow-types|schedule-rules)|destinations/connection-types)\\.[jt]s$)', message: 'export/ may use the pure domain modules it needs (file names, flow rules and types, connection types), never a domain service.' },
    { regex: '^(?:\\.\\./)+main(?:\\.[jt]s)?$', message: 'export/ must not import the composition root (main.ts).' },
    { group: THIRD_PARTY_SDKS, message: 'export/ never imports an SDK: it receives ports and small structural interfaces (FileEncryptor).' },
  ],
};

const notTheServer = (who) => ({
  paths: [{ name: '@activator/server', message: `${who} must not import the server.` }],
  patterns: [
    { group: ['@activator/server/*'], message: `${who} must not import the server.` },
    { regex: '^(?:\\.\\./)+(?:packages/)?server(?:/|$)', message: `${who} must not import the server's files.` },
  ],
});

const TYPED_FILES = ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'];

export default defineConfig([
  globalIgnores(['**/node_modules/', '**/dist/', '**/coverage/', 'data/', 'benchmarks/out/', '**/.activator-test/', 'demo-data/']),

  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },

  // Type-aware rules for the packages' TypeScript (each package's tsconfig.json covers src/ and test/).
  {
    files: TYPED_FILES,
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Tests poke at parsed JSON (`response.json()` is `any`) on purpose; the assertions are the types.
    files: ['packages/*/test/**/*.ts', 'packages/*/src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  {
    // Kysely's documented style destructures the expression builder (`({ eb, refTuple }) => …`);
    // its functions do not depend on `this`, but are typed as methods.
    files: ['packages/server/src/storage/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },

  // ── Boundaries (DESIGN.md "Packages") ────────────────────────────────────────────────────────
  { files: ['packages/server/src/domain/**'], rules: { 'no-restricted-imports': ['error', domainBoundary] } },
  {
    files: ['packages/server/src/storage/**', 'packages/server/src/security/**', 'packages/server/src/engine/**', 'packages/server/src/connectors/**', 'packages/server/src/jobs/**'],
    rules: { 'no-restricted-imports': ['error', implementationBoundary] },
  },
  {
    files: ['packages/server/src/export/**'],
    ignores: ['packages/server/src/export/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', exportBoundary] },
  },
  { files: ['packages/pql/**'], rules: { 'no-restricted-imports': ['error', notTheServer('packages/pql (pure, also runs in the browser)')] } },
  { files: ['packages/web/**'], rules: { 'no-restricted-imports': ['error', notTheServer('The web UI (it talks to the API only)')] } },
]);
