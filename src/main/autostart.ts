// Start at login: the OS's login items on macOS and Windows; on Linux an XDG autostart entry
// (~/.config/autostart/portwatch.desktop), which every freedesktop session honours.
import { mkdir, rm, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import type { AppLike } from './deps.ts';

export function autostartFile(env: NodeJS.ProcessEnv, home: string): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'autostart', 'portwatch.desktop');
}

export function desktopEntry(execPath: string): string {
  // Exec needs quoting when the path has spaces (AppImages often live in "~/Applications").
  const exec = /[\s"'\\]/.test(execPath) ? `"${execPath.replace(/(["\\`$])/g, '\\$1')}"` : execPath;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Portwatch',
    'Comment=Watches the open ports of your hosts with nmap',
    `Exec=${exec} --hidden`,
    'Icon=portwatch',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export async function setStartAtLogin(
  app: AppLike,
  enabled: boolean,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (app.platform !== 'linux') {
    app.setLoginItemSettings?.({ openAtLogin: enabled });
    return;
  }
  // An AppImage runs from a temporary mount; $APPIMAGE is the file to start.
  const exec = env.APPIMAGE || app.getPath('exe');
  const file = autostartFile(env, app.getPath('home'));
  if (enabled) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, desktopEntry(exec), { mode: 0o644 });
  } else {
    await rm(file, { force: true });
  }
}

export async function startsAtLogin(app: AppLike, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (app.platform !== 'linux') return app.getLoginItemSettings?.().openAtLogin ?? false;
  return access(autostartFile(env, app.getPath('home'))).then(
    () => true,
    () => false,
  );
}
