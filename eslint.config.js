// Lint rules that also guard the architecture: which code may import what.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'crypto', 'net', 'worker_threads'];

// Engine, CLI and shared code: never Electron, never the shell or the windows.
const noElectron = {
  paths: [
    {
      name: 'electron',
      message: 'Only the shell in src/main (and the preload) may import electron.',
    },
  ],
  patterns: [
    {
      group: ['**/main/**', '**/renderer/**', '**/preload/**'],
      message: 'The engine never depends on the app shell or the windows.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'release/',
      'test-results/',
      'test/fixtures/',
      '.scratch-*/',
      'bench/.cache/',
      // AssemblyScript, checked by its compiler (scripts/build-wasm.ts), and what it compiles to.
      'src/**/*.as.ts',
      'src/**/*.wasm.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    // The engine, the CLI and the shared contract run in plain Node or the browser: never Electron.
    files: ['src/engine/**', 'src/cli/**', 'src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', noElectron],
    },
  },
  {
    // The engine prints nothing itself: the CLI writes to its streams, the engine logs (src/engine/log.ts).
    files: ['src/engine/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        ...['stdout', 'stderr'].map((property) => ({
          object: 'process',
          property,
          message: 'The engine has no terminal: log through src/engine/log.ts, or let the CLI write.',
        })),
      ],
    },
  },
  {
    // Notifications decide (policy.ts) and phrase (src/shared/wording.ts) without the mail module.
    files: ['src/engine/notify/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noElectron,
          patterns: [
            ...noElectron.patterns,
            {
              group: ['**/mail/**'],
              message: 'notify never imports mail; shared wording is src/shared/wording.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // src/shared is loaded by the renderer too: no Node built-ins, no engine code.
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'src/shared is browser-safe.' }],
          patterns: [
            { group: nodeBuiltins, message: 'src/shared is loaded by the renderer: no Node built-ins.' },
            {
              group: ['**/engine/**', '**/main/**', '**/cli/**', '**/renderer/**', '**/preload/**'],
              message: 'src/shared depends on nothing but itself.',
            },
          ],
        },
      ],
    },
  },
  {
    // The windows see only the preload's API and the shared contract.
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer talks to main only through window.portwatch (the preload).',
            },
          ],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer is sandboxed: no Node built-ins.' },
            {
              group: ['**/engine/**', '**/main/**', '**/cli/**', '**/preload/**'],
              message: 'The renderer imports only src/shared and its own files.',
            },
          ],
        },
      ],
    },
  },
  {
    // The browser UI's server (src/web): plain Node over the engine's handlers. Never Electron, never the
    // windows' code (that runs in the browser: src/web/client, below).
    files: ['src/web/**'],
    ignores: ['src/web/client/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The browser UI server is plain Node: never electron.' }],
          patterns: [
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**', '**/client/**'],
              message: 'The web server uses the engine and the shared contract only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The browser UI's pages: the renderer's windows plus the HTTP transport for createApi (src/preload/api.ts,
    // which imports no electron). Browser code: no Node built-ins, no engine, no shell.
    files: ['src/web/client/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The browser UI runs in a browser: no electron.' }],
          patterns: [
            { group: nodeBuiltins, message: 'The browser UI runs in a browser: no Node built-ins.' },
            {
              group: ['**/engine/**', '**/main/**', '**/cli/**', '**/preload/preload*', '../*.ts'],
              message: 'The browser pages import only src/shared, the renderer and createApi.',
            },
          ],
        },
      ],
    },
  },
);
