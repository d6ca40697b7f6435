// The tray icon: its image and tooltip follow the app's state; its menu is rebuilt whenever anything in it
// changes. Takes the Tray and Menu factories as parameters, so tests run it without Electron.
import type { AppState } from '../shared/ipc.ts';
import type { ElectronDeps, MenuItemSpec, TrayLike } from './deps.ts';
import { trayIconPath } from './icons.ts';
import { buildTrayMenu, trayTooltip, type TrayActions } from './tray-menu.ts';

export class TrayService {
  private readonly tray: TrayLike;
  private lastMenuKey = '';
  private lastIcon = '';
  /** The template last handed to the menu builder (what the user sees). */
  menu: MenuItemSpec[] = [];
  private readonly deps: Pick<ElectronDeps, 'createTray' | 'buildMenu'>;
  private readonly actions: TrayActions;
  private readonly assetsDir: string;
  private readonly platform: NodeJS.Platform;
  private readonly startAtLogin: () => boolean;

  constructor(options: {
    deps: Pick<ElectronDeps, 'createTray' | 'buildMenu'>;
    actions: TrayActions;
    assetsDir: string;
    platform: NodeJS.Platform;
    startAtLogin: () => boolean;
  }) {
    this.deps = options.deps;
    this.actions = options.actions;
    this.assetsDir = options.assetsDir;
    this.platform = options.platform;
    this.startAtLogin = options.startAtLogin;
    this.lastIcon = trayIconPath(this.assetsDir, 'quiet', this.platform);
    this.tray = this.deps.createTray(this.lastIcon);
    // Where a click is delivered (Windows, some Linux hosts), it opens the history; the menu has it all anyway.
    this.tray.on('click', () => this.actions.openHistory());
  }

  update(state: AppState): void {
    const icon = trayIconPath(this.assetsDir, state.state, this.platform);
    if (icon !== this.lastIcon) {
      this.tray.setImage(icon);
      this.lastIcon = icon;
    }
    this.tray.setToolTip(trayTooltip(state));
    const menu = buildTrayMenu(state, this.actions, {
      startAtLogin: this.startAtLogin(),
      platform: this.platform,
    });
    // Rebuild only when a label or an enabled/checked flag changed: rebuilding resets an open menu on Linux.
    const key = JSON.stringify(menu, (k, v) => (k === 'click' ? undefined : v));
    if (key !== this.lastMenuKey) {
      this.menu = menu;
      this.tray.setContextMenu(this.deps.buildMenu(menu));
      this.lastMenuKey = key;
    }
  }

  destroy(): void {
    this.tray.destroy();
  }
}
