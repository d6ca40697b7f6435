// The seam around Electron: the few parts of its API the shell uses, as plain interfaces. src/main/electron.ts
// implements them with the real module; test/main-*.test.ts implements them with fakes. Nothing but
// src/main/electron.ts and src/main/main.ts imports electron.

export interface MenuItemSpec {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  /** Shown as a tooltip where the platform supports it; used in tests to find items. */
  id?: string;
  click?: () => void;
  submenu?: MenuItemSpec[];
  /** A built-in menu of the platform's (macOS's Edit menu: copy, paste, undo). */
  role?: 'editMenu';
}

export interface TrayLike {
  setImage(iconPath: string): void;
  setToolTip(text: string): void;
  /** The menu as built by `buildMenu`. */
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): void;
  destroy(): void;
}

export interface WebContentsLike {
  readonly id: number;
  send(channel: string, payload: unknown): void;
}

export interface WindowLike {
  readonly webContents: WebContentsLike;
  show(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
  isDestroyed(): boolean;
  close(): void;
  on(event: 'close' | 'closed', listener: () => void): void;
  loadURL(url: string): Promise<void>;
  getBounds(): { x: number; y: number; width: number; height: number };
}

export interface WindowSpec {
  title: string;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  x?: number;
  y?: number;
  /** Absolute path of the preload bundle. */
  preload: string;
}

export interface NotificationLike {
  /**
   * `detail`: for `close`, the reason on Windows ('timedOut': it moved to the Action Center, where it can still
   * be clicked); for `failed` (macOS, Windows: it could not be shown, e.g. an unsigned macOS build), the error.
   */
  on(event: 'click' | 'close' | 'failed', listener: (detail?: string) => void): void;
  show(): void;
}

export interface NotificationSpec {
  title: string;
  body: string;
  urgency?: 'normal' | 'critical' | 'low';
  icon?: string;
}

export interface IpcEventLike {
  sender: { id: number };
  senderFrame?: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface AppLike {
  requestSingleInstanceLock(): boolean;
  on(
    event: 'second-instance' | 'window-all-closed' | 'before-quit' | 'activate',
    listener: (event: { preventDefault(): void }) => void,
  ): void;
  whenReady(): Promise<void>;
  quit(): void;
  exit(code?: number): void;
  /** macOS: bring the app (a menu-bar app, never active by itself) to the front so its window shows on top. */
  focus?(options: { steal: boolean }): void;
  setLoginItemSettings?(settings: { openAtLogin: boolean }): void;
  getLoginItemSettings?(): { openAtLogin: boolean };
  getPath(name: 'userData' | 'home' | 'exe'): string;
  readonly platform: NodeJS.Platform;
}

export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plain: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ElectronDeps {
  app: AppLike;
  /** The application menu: null for none (Linux, Windows), or a template (macOS's Edit menu). */
  setApplicationMenu(template: MenuItemSpec[] | null): void;
  /** The work areas of the screens connected now (screen.getAllDisplays()); after ready only. */
  displays(): Rect[];
  createTray(iconPath: string): TrayLike;
  buildMenu(template: MenuItemSpec[]): unknown;
  createWindow(spec: WindowSpec): WindowLike;
  notificationsSupported(): boolean;
  createNotification(spec: NotificationSpec): NotificationLike;
  ipcMain: IpcMainLike;
  safeStorage: SafeStorageLike;
}
