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
  on(event: 'click', listener: () => void): void;
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

export interface ElectronDeps {
  app: AppLike;
  createTray(iconPath: string): TrayLike;
  buildMenu(template: MenuItemSpec[]): unknown;
  createWindow(spec: WindowSpec): WindowLike;
  notificationsSupported(): boolean;
  createNotification(spec: NotificationSpec): NotificationLike;
  ipcMain: IpcMainLike;
  safeStorage: SafeStorageLike;
}
