// Where Portwatch keeps its data: the Electron app's userData directory, so the app and the CLI share it.
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Portwatch';

/** Electron's `app.getPath('userData')` for this product name, computed without Electron. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.PORTWATCH_DATA_DIR) return env.PORTWATCH_DATA_DIR;
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

/** The per-user cache directory (things that can be thrown away and made again), by platform convention. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', APP_NAME);
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), APP_NAME, 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), APP_NAME.toLowerCase());
}
