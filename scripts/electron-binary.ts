// Electron's binary, found the way the electron package finds it (path.txt, ELECTRON_OVERRIDE_DIST_PATH) but
// without its download-on-first-use fallback, which fails with a stack trace where GitHub is out of reach.
// Used by `npm start` (scripts/start.ts) and the Electron smoke test.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const executables: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

export function electronBinary(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): { path: string; missing?: undefined } | { path?: undefined; missing: string } {
  const dir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  const name = existsSync(pathFile)
    ? readFileSync(pathFile, 'utf8').trim()
    : (executables[process.platform] ?? 'electron');
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? path.join(override, name) : path.join(dir, 'dist', name);
  if (existsSync(binary)) return { path: binary };
  return {
    missing:
      `Electron's binary is not installed (${binary} is missing: npm installed it with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or could not download it); ` +
      'run `node node_modules/electron/install.js` where github.com is reachable to get it. The CLI works without it: ./bin/portwatch --help',
  };
}
