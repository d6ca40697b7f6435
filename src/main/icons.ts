// Which icon file the tray shows for each state, per platform (see assets/README.md for how they are made).
import path from 'node:path';
import type { TrayState } from '../shared/ipc.ts';

export function trayIconPath(assetsDir: string, state: TrayState, platform: NodeJS.Platform): string {
  if (platform === 'win32') return path.join(assetsDir, 'tray', `${state}.ico`);
  // macOS: black-and-alpha template images, which the menu bar tints for light and dark; @2x is picked up.
  if (platform === 'darwin') return path.join(assetsDir, 'tray', `${state}Template.png`);
  // Linux: StatusNotifierItem hosts scale one PNG; 32 px looks crisp at 1x and 2x panels.
  return path.join(assetsDir, 'tray', `${state}-32.png`);
}

export function appIconPath(assetsDir: string): string {
  return path.join(assetsDir, 'icon.png');
}
