// The tray icon: its image and tooltip follow the app's state; its menu is rebuilt whenever anything in it
// changes. Takes the Tray and Menu factories as parameters, so tests run it without Electron.
import type { AppState } from '../shared/ipc.ts';
import type { ElectronDeps, MenuItemSpec, TrayLike } from './deps.ts';
import { trayIconPath } from './icons.ts';
import { buildTrayMenu, startingTrayMenu, trayTooltip, type TrayActions } from './tray-menu.ts';

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
    // A menu at once, before the first state arrives (or if it never does): Linux users reach Quit only here.
    this.menu = startingTrayMenu(this.actions, this.platform);
    this.tray.setContextMenu(this.deps.buildMenu(this.menu));
    // Where a click is the primary action (Windows; Linux hosts that deliver it) it opens the history. Not on
    // macOS: there a click also opens the context menu, so every look at the menu would mark changes seen.
    if (this.platform !== 'darwin') this.tray.on('click', () => this.actions.openHistory());
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
    // Rebuild only when a label or an enabled/checked flag changed: rebuilding closes an open menu on Linux.
    // Scan progress is therefore in the tooltip only, never in a label.
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
