// The Electron entry point (dist/main/main.cjs): hardening, then the app (src/main/app.ts) over the user's
// data directory, which the CLI shares.
import path from 'node:path';
import { app } from 'electron';
import { setDigestWorkerFile } from '../engine/diff/fast-digest.ts';
import { defaultDataDir } from '../engine/paths.ts';
import { startApp } from './app.ts';
import { appPaths } from './app-paths.ts';
import { beforeReady } from './before-ready.ts';
import { electronDeps, hardenApp, registerRendererScheme } from './electron.ts';
import { openAppEngine } from '../engine/api/real-engine.ts';
import { openUiState } from './ui-state.ts';

// dist/main/main.cjs -> the project (or the packaged app's) root.
const paths = appPaths(path.resolve(__dirname, '..', '..'));
setDigestWorkerFile(paths.digestWorkerPath);

beforeReady({
  platform: process.platform,
  enableSandbox: () => app.enableSandbox(),
  registerRendererScheme,
  setAppUserModelId: (id) => app.setAppUserModelId(id),
});

const dataDir = defaultDataDir();

const started = startApp({
  deps: electronDeps(),
  onReady: () => hardenApp(paths.rendererDir),
  assetsDir: paths.assetsDir,
  preloadPath: paths.preloadPath,
  uiState: openUiState(),
  hidden: process.argv.includes('--hidden'),
  openEngine: (options) => openAppEngine({ dataDir, ...options }),
});
started.then(
  (running) => {
    // The running app, reachable from the main process's console (and the Electron smoke test).
    (globalThis as { portwatch?: unknown }).portwatch = running;
  },
  (error: unknown) => {
    console.error(`portwatch: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    app.exit(2);
  },
);
