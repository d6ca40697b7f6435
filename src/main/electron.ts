// The real Electron behind the ElectronDeps seam, and the app-wide hardening. Security follows Electron's
// checklist and is written out where windows are made, so electronegativity (test/main-electronegativity.test.ts)
// can read it: context isolation, the sandbox, no Node in the windows, no remote content, navigation, new
// windows, webviews and permission requests all denied, a strict CSP on every response.
import { readFile } from 'node:fs/promises';
import {
  app,
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  ipcMain,
  nativeImage,
  protocol,
  safeStorage,
  screen,
  session,
  type MenuItemConstructorOptions,
} from 'electron';
import type { ElectronDeps, MenuItemSpec, WindowSpec } from './deps.ts';
import { RENDERER_SCHEME, resolveRendererRequest } from './renderer-protocol.ts';

/** Must run before the app is ready: our scheme behaves like https (secure, standard URL parsing). */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true } },
  ]);
}

/** After ready: serve dist/renderer on portwatch://app/ and lock every web contents down. */
export function hardenApp(rendererDir: string): void {
  protocol.handle(RENDERER_SCHEME, async (request) => {
    const hit = resolveRendererRequest(request.url, rendererDir);
    if (!hit) return new Response('not found', { status: 404 });
    try {
      return new Response(await readFile(hit.file), { headers: hit.headers });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // Nothing leaves the machine from a window: the windows talk to main only.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const local =
      details.url.startsWith(`${RENDERER_SCHEME}://`) ||
      details.url.startsWith('blob:') ||
      details.url.startsWith('data:') ||
      details.url.startsWith('devtools:');
    callback({ cancel: !local });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function toTemplate(items: MenuItemSpec[]): MenuItemConstructorOptions[] {
  return items.map((item) => ({
    ...(item.label !== undefined ? { label: item.label } : {}),
    ...(item.type ? { type: item.type } : {}),
    ...(item.enabled !== undefined ? { enabled: item.enabled } : {}),
    ...(item.checked !== undefined ? { checked: item.checked } : {}),
    ...(item.id ? { id: item.id } : {}),
    ...(item.click ? { click: item.click } : {}),
    ...(item.submenu ? { submenu: toTemplate(item.submenu) } : {}),
    ...(item.role ? { role: item.role } : {}),
  }));
}

/** macOS menu-bar icons are templates (black and alpha, tinted by the system): the name says so, and so do we. */
function trayImage(iconPath: string) {
  const image = nativeImage.createFromPath(iconPath);
  if (process.platform === 'darwin') image.setTemplateImage(true);
  return image;
}

function createWindow(spec: WindowSpec) {
  const win = new BrowserWindow({
    title: spec.title,
    width: spec.width,
    height: spec.height,
    minWidth: spec.minWidth,
    minHeight: spec.minHeight,
    ...(spec.x !== undefined && spec.y !== undefined ? { x: spec.x, y: spec.y } : {}),
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: spec.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click would open links in new windows, bypassing the window-open handler's intent.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}

export function electronDeps(): ElectronDeps {
  return {
    app: {
      requestSingleInstanceLock: () => app.requestSingleInstanceLock(),
      on: (event, listener) => void app.on(event as 'before-quit', listener as (e: Electron.Event) => void),
      whenReady: () => app.whenReady(),
      quit: () => app.quit(),
      exit: (code) => app.exit(code),
      focus: (options) => app.focus(options),
      setLoginItemSettings: (s) => app.setLoginItemSettings(s),
      getLoginItemSettings: () => app.getLoginItemSettings(),
      getPath: (name) => app.getPath(name),
      platform: process.platform,
    },
    setApplicationMenu: (template) =>
      Menu.setApplicationMenu(template ? Menu.buildFromTemplate(toTemplate(template)) : null),
    displays: () => screen.getAllDisplays().map((d) => d.workArea),
    createTray: (icon) => new Tray(trayImage(icon)),
    buildMenu: (template) => Menu.buildFromTemplate(toTemplate(template)),
    createWindow,
    notificationsSupported: () => Notification.isSupported(),
    createNotification: (spec) => {
      const notification = new Notification({
        title: spec.title,
        body: spec.body,
        ...(spec.urgency ? { urgency: spec.urgency } : {}),
        ...(spec.icon ? { icon: spec.icon } : {}),
      });
      const on = (event: 'click' | 'close' | 'failed', listener: (detail?: string) => void): void => {
        if (event === 'failed') notification.on('failed', (_e, error) => listener(error));
        else if (event === 'close') notification.on('close', (e) => listener(e.reason));
        else notification.on('click', () => listener());
      };
      return { on, show: () => notification.show() };
    },
    ipcMain: {
      handle: (channel, listener) => ipcMain.handle(channel, (event, payload) => listener(event, payload)),
      removeHandler: (channel) => ipcMain.removeHandler(channel),
    },
    safeStorage,
  };
}
