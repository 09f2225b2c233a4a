// ESLint with typescript-eslint's parser. Its job here is the layering the code review cannot keep by
// hand: src/core does no I/O, channels and desks never import each other, and the SDK and the emulators
// never reach into src/ (the SDK ships to browsers; an emulator must be written from the vendor's docs, not
// from our adapter). A few cheap correctness rules ride along; style is left to the formatter.
import tseslint from 'typescript-eslint';

const IO_MODULES = ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:https', 'node:child_process', 'node:dgram', 'node:tls', 'fs', 'net', 'http', 'https', 'child_process'];
const IO_PACKAGES = ['kysely', 'pg', 'better-sqlite3', 'fastify', '@fastify/*', 'ws', 'pino', 'prom-client', 'jose'];

/**
 * A sibling folder of the importing adapter (`../other/x.js` from src/desks/genesys/): `*` also matches `..`,
 * so imports that climb two levels (into core, hub, vendor…) are let through by the negation.
 */
const SIBLING = ['../*/**', '!../../**'];

/** `no-restricted-imports` patterns, each with the reason shown to whoever breaks the rule. */
const forbid = (group, message) => ({ group, message });

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'sdk/dist/**', 'node_modules/**', 'test-results/**', 'bench/results/**', '.ci/cache/**', 'coverage/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-debugger': 'error',
      'no-dupe-keys': 'error',
      'no-self-assign': 'error',
      'no-unsafe-finally': 'error',
      'no-fallthrough': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({ name, message: 'src/core does no I/O: take what you need through a port (core/ports.ts).' })),
          patterns: [
            forbid(IO_PACKAGES, 'src/core does no I/O: drivers, servers and loggers belong in store/, http/, hub/.'),
            forbid(['../*', '!../core/*'], 'src/core imports only src/core (and pure libraries such as zod).'),
          ],
        },
      ],
    },
  },
  {
    files: ['src/channels/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(['**/desks/**'], 'A channel never imports a desk: any channel must work with any desk, through the core and the hub.'),
            forbid(SIBLING, 'A channel never imports another channel: shared logic goes into src/vendor, src/media or the hub.'),
          ],
        },
      ],
    },
  },
  {
    files: ['src/desks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(['**/channels/**'], 'A desk never imports a channel: any channel must work with any desk, through the core and the hub.'),
            forbid(SIBLING, 'A desk never imports another desk: shared logic goes into src/vendor, src/media or the hub.'),
          ],
        },
      ],
    },
  },
  {
    files: ['sdk/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [forbid(['**/src/**'], 'The SDK is its own package for browsers and Node: it never imports the server (src/).')] }] },
  },
  {
    files: ['watson/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [forbid(['../../src/**'], 'The web chat bundle runs in the customer\'s browser: it talks to Parley through the SDK (sdk/src), never imports the server (src/).')] },
      ],
    },
  },
  {
    files: ['emulators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(['**/src/**', '**/sdk/**'], "An emulator is written from the vendor's documentation and imports nothing from Parley (src/, sdk/)."),
            forbid([...SIBLING, '!../kit/**'], 'An emulator imports only the kit (emulators/kit), never another vendor\'s emulator.'),
          ],
        },
      ],
    },
  },
);
