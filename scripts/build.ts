// Builds everything that runs outside the tests: the CLI for Node, and the Electron app
// (main, preload, windows). esbuild bundles each entry (the CLI split per command) so start-up reads a few files, not dozens.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildWasm } from './build-wasm.ts';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist');

const common: BuildOptions = {
  bundle: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
};

/** Node-side bundles (CLI, workers): npm packages stay in node_modules, our code is bundled. */
const nodeEntries: BuildOptions = {
  ...common,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outExtension: { '.js': '.mjs' },
};

/**
 * The cron libraries (cron-parser with luxon, cronstrue) take ~40 ms to load, a fifth of what a one-shot
 * command spends on start-up, and most commands (scan, history, reference, diff) never call them. In the CLI
 * they are loaded on first call instead: each import is replaced by a stand-in with the same named functions
 * that requires the real package then. An export used without a stand-in fails the build, not a user.
 */
const lazyCronLibraries: Plugin = {
  name: 'lazy-cron-libraries',
  setup(b) {
    const standIns: Record<string, string> = {
      'cron-parser': `
        let real;
        const load = () => (real ??= require('cron-parser'));
        export const CronExpressionParser = { parse: (...args) => load().CronExpressionParser.parse(...args) };`,
      cronstrue: `
        let real;
        const load = () => (real ??= require('cronstrue'));
        export default { toString: (...args) => load().toString(...args) };`,
    };
    b.onResolve({ filter: /^(cron-parser|cronstrue)$/ }, (args) => ({ path: args.path, namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${standIns[args.path]}`,
      loader: 'js',
    }));
  },
};

/**
 * Our code's `import ... from 'node:fs'` as CommonJS reads it: node:fs's ESM facade reads every export once it
 * loads, getters too, and its `promises` getter loads fs/promises with streams and readline, ~6 ms of every
 * command's start-up (and of each worker's) before any code of ours runs. Through process.getBuiltinModule
 * (Node >= 20.16), an export is read where it is used, and the rest never loads.
 */
const fsWithoutFacade: Plugin = {
  name: 'fs-without-esm-facade',
  setup(b) {
    b.onResolve({ filter: /^node:fs$/ }, () => ({ path: 'node:fs', namespace: 'builtin-cjs' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin-cjs' }, () => ({
      contents: "module.exports = process.getBuiltinModule('node:fs');",
      loader: 'js',
    }));
  },
};

// The engine's WebAssembly first: its bytes are a module the bundles below import.
buildWasm();
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  ...nodeEntries,
  // diff-worker.mjs: a name the CLI knows, to start a diff's worker before the diff's code is loaded
  // (src/engine/diff/pairs-worker-start.ts).
  entryPoints: { cli: 'src/cli/main.ts', 'diff-worker': 'src/engine/diff/pair-blocks.ts' },
  outdir: out,
  plugins: [lazyCronLibraries, fsWithoutFacade],
  // Each command is its own chunk, loaded when it runs (src/cli/registry.ts).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

// The Electron app's bundles (main, preload, windows) are added below this line.

const appEntries: BuildOptions = { ...common, target: 'chrome140' };

// Main process and preload: CommonJS for Electron, `electron` provided by the runtime. npm packages are bundled
// too, so the packaged app starts from one file (electron-store is ESM-only; bundling settles that).
await build({
  ...appEntries,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['electron'],
  entryPoints: { main: 'src/main/main.ts' },
  outdir: path.join(out, 'main'),
  outExtension: { '.js': '.cjs' },
  // fast-digest.ts looks for its own file through import.meta.url, which CommonJS has not: the shell names
  // the worker file built below instead (setDigestWorkerFile).
  logOverride: { 'empty-import-meta': 'silent' },
});
// The scan reader thread of the app's monitor (fast-digest.ts), as ESM: a worker file of its own.
await build({
  ...appEntries,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  entryPoints: { 'digest-worker': 'src/engine/diff/fast-digest.ts' },
  outdir: path.join(out, 'main'),
  outExtension: { '.js': '.mjs' },
  plugins: [fsWithoutFacade],
});
// The sandboxed preload may require only `electron`: everything else is bundled in.
await build({
  ...appEntries,
  platform: 'browser',
  format: 'cjs',
  external: ['electron'],
  entryPoints: { preload: 'src/preload/preload.ts' },
  minify: true,
  outdir: path.join(out, 'preload'),
  outExtension: { '.js': '.cjs' },
});
// The windows: one classic script each (loaded with `defer`) and CSS, no inline code (the Content-Security-
// Policy forbids it), JSX for Preact. Not module scripts: a module is fetched in CORS mode, which over the
// custom portwatch:// scheme depends on its privileges (corsEnabled); a classic script from the page's own
// origin loads the same over portwatch://, http:// and file://.
const windowEntries: BuildOptions = {
  ...appEntries,
  platform: 'browser',
  format: 'iife',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
};
await build({
  ...windowEntries,
  entryPoints: { settings: 'src/renderer/settings/main.tsx', history: 'src/renderer/history/main.tsx' },
  outdir: path.join(out, 'renderer'),
});
for (const page of ['settings.html', 'history.html'])
  await copyFile(path.join(root, 'src/renderer', page), path.join(out, 'renderer', page));

// The same windows for a browser (`portwatch watch --ui`, src/web): the renderer's code behind an HTTP
// transport, plus the status and sign-in pages. Their policy lets them connect to their own server, and to
// nothing else; the app's windows connect nowhere.
const webOut = path.join(out, 'web');
await build({
  ...windowEntries,
  entryPoints: {
    settings: 'src/web/client/settings.ts',
    history: 'src/web/client/history.ts',
    status: 'src/web/client/status.tsx',
    login: 'src/web/client/login.ts',
  },
  outdir: webOut,
  sourcemap: false,
});
for (const page of ['settings.html', 'history.html']) {
  const html = await readFile(path.join(root, 'src/renderer', page), 'utf8');
  if (!html.includes("connect-src 'none'"))
    throw new Error(`${page}: its policy no longer says connect-src 'none'`);
  await writeFile(path.join(webOut, page), html.replace("connect-src 'none'", "connect-src 'self'"));
}
for (const page of ['status.html', 'login.html'])
  await copyFile(path.join(root, 'src/web/client', page), path.join(webOut, page));
