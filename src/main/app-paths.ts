// Where the running app finds its files, from the app's root (the checkout, or the packaged app.asar). Every
// path here must be inside electron-builder.yml's `files`: test/main-packaging.test.ts checks it.
import path from 'node:path';

export interface AppPaths {
  rendererDir: string;
  preloadPath: string;
  assetsDir: string;
  /** The monitor's scan reader thread (fast-digest.ts's worker), unpacked: a worker does not run from an asar. */
  digestWorkerPath: string;
}

export function appPaths(root: string): AppPaths {
  return {
    rendererDir: path.join(root, 'dist', 'renderer'),
    preloadPath: path.join(root, 'dist', 'preload', 'preload.cjs'),
    assetsDir: path.join(root, 'assets'),
    digestWorkerPath: path.join(
      root.replace(/app\.asar$/, 'app.asar.unpacked'),
      'dist',
      'main',
      'digest-worker.mjs',
    ),
  };
}
