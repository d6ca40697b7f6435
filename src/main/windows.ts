// The settings and history windows: one of each, reused and focused when asked for again. Closing a window
// leaves the app running in the tray. The windows' security settings live where they are created
// (src/main/electron.ts): context isolation, sandbox, no Node, navigation and new windows denied.
import type { AppEvents, EventName } from '../shared/ipc.ts';
import { ipcChannel } from '../shared/ipc.ts';
import type { ElectronDeps, Rect, WindowLike } from './deps.ts';
import { RENDERER_ORIGIN } from './renderer-protocol.ts';

export type WindowKind = 'settings' | 'history';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

const specs: Record<
  WindowKind,
  { title: string; width: number; height: number; minWidth: number; minHeight: number }
> = {
  settings: { title: 'Portwatch Settings', width: 920, height: 720, minWidth: 720, minHeight: 520 },
  history: { title: 'Portwatch History', width: 1180, height: 780, minWidth: 800, minHeight: 520 },
};

/** Whether enough of the window's top strip (its title bar) is on one screen to grab it: 100 × 20 px. */
export function onSomeScreen(bounds: Bounds, screens: Rect[]): boolean {
  return screens.some((s) => {
    const w = Math.min(bounds.x + bounds.width, s.x + s.width) - Math.max(bounds.x, s.x);
    const h = Math.min(bounds.y + 40, s.y + s.height) - Math.max(bounds.y, s.y);
    return w >= Math.min(100, bounds.width) && h >= 20;
  });
}

/** Every window, each served as `${kind}.html` from dist/renderer. */
export const windowKinds = Object.keys(specs) as WindowKind[];

export class WindowManager {
  private readonly open = new Map<WindowKind, WindowLike>();
  private readonly deps: Pick<ElectronDeps, 'createWindow'>;
  private readonly preload: string;
  private readonly bounds: {
    get(kind: WindowKind): Bounds | undefined;
    set(kind: WindowKind, b: Bounds): void;
  };
  private readonly onAllClosed: () => void;
  private readonly displays: () => Rect[];
  private readonly bringAppForward: () => void;

  constructor(options: {
    deps: Pick<ElectronDeps, 'createWindow'>;
    preload: string;
    bounds: { get(kind: WindowKind): Bounds | undefined; set(kind: WindowKind, b: Bounds): void };
    onAllClosed?: () => void;
    /** The screens' work areas now; a saved place off all of them is not restored. */
    displays?: () => Rect[];
    /** macOS: a menu-bar app is not active, so its new windows would open behind the active app. */
    bringAppForward?: () => void;
  }) {
    this.deps = options.deps;
    this.preload = options.preload;
    this.bounds = options.bounds;
    this.onAllClosed = options.onAllClosed ?? (() => {});
    this.displays = options.displays ?? (() => []);
    this.bringAppForward = options.bringAppForward ?? (() => {});
  }

  /** Opens (or focuses) a window; the history window can be pointed at one scan. */
  show(kind: WindowKind, params: { scan?: string } = {}): WindowLike {
    this.bringAppForward();
    const existing = this.open.get(kind);
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      if (params.scan) existing.webContents.send(ipcChannel('openScan'), { id: params.scan });
      return existing;
    }
    const saved = this.bounds.get(kind);
    // Without x and y Electron centres the window: what we want when its old place is on no screen now.
    const place = saved && onSomeScreen(saved, this.displays()) ? { x: saved.x, y: saved.y } : {};
    const win = this.deps.createWindow({
      ...specs[kind],
      ...(saved ? { width: saved.width, height: saved.height } : {}),
      ...place,
      preload: this.preload,
    });
    this.open.set(kind, win);
    win.on('close', () => this.rememberBounds(kind, win));
    win.on('closed', () => {
      if (this.open.get(kind) === win) this.open.delete(kind);
      if (this.open.size === 0) this.onAllClosed();
    });
    const query = params.scan ? `?scan=${encodeURIComponent(params.scan)}` : '';
    void win.loadURL(`${RENDERER_ORIGIN}/${kind}.html${query}`);
    return win;
  }

  /** Remembers a window's size and place as it closes, for the next time it opens. */
  rememberBounds(kind: WindowKind, win: WindowLike): void {
    if (!win.isDestroyed()) this.bounds.set(kind, win.getBounds());
  }

  /** Whether an IPC message comes from one of our windows. */
  isOurs(webContentsId: number): boolean {
    for (const win of this.open.values())
      if (!win.isDestroyed() && win.webContents.id === webContentsId) return true;
    return false;
  }

  broadcast<E extends EventName>(event: E, payload: AppEvents[E]): void {
    for (const win of this.open.values())
      if (!win.isDestroyed()) win.webContents.send(ipcChannel(event), payload);
  }

  get(kind: WindowKind): WindowLike | undefined {
    const win = this.open.get(kind);
    return win && !win.isDestroyed() ? win : undefined;
  }

  closeAll(): void {
    for (const [kind, win] of this.open) {
      this.rememberBounds(kind, win);
      if (!win.isDestroyed()) win.close();
    }
  }
}
