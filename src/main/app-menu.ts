// The application menu. Electron's default one (View ▸ Reload, Toggle Developer Tools) must not reach users:
// Linux and Windows get none at all; macOS keeps an Edit menu, without which copy, paste and undo have no
// keyboard shortcuts in the windows.
import type { MenuItemSpec } from './deps.ts';

export function applicationMenu(platform: NodeJS.Platform): MenuItemSpec[] | null {
  return platform === 'darwin' ? [{ role: 'editMenu' }] : null;
}
