// Where the running app finds its files, from the app's root (the checkout, or the packaged app.asar). Every
// path here must be inside electron-builder.yml's `files`: test/main-packaging.test.ts checks it.
import path from 'node:path';

export interface AppPaths {
  rendererDir: string;
  preloadPath: string;
  assetsDir: string;
}

export function appPaths(root: string): AppPaths {
  return {
    rendererDir: path.join(root, 'dist', 'renderer'),
    preloadPath: path.join(root, 'dist', 'preload', 'preload.cjs'),
    assetsDir: path.join(root, 'assets'),
  };
}
