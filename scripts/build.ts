// Builds everything that runs outside the tests: the CLI (and its worker) for Node, and the Electron app
// (main, preload, windows). esbuild bundles each entry into one file so start-up reads one file, not dozens.
import { build, type BuildOptions } from 'esbuild';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

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

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  ...nodeEntries,
  entryPoints: { cli: 'src/cli/main.ts', 'diff-worker': 'src/engine/diff/worker.ts' },
  outdir: out,
});

// The Electron app's bundles (main, preload, windows) are added below this line.
