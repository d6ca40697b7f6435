// The Electron shell through its one seam (src/main/deps.ts): fakes of the few Electron parts it uses, and
// everything else real — the engine on a temporary data directory, nmap against loopback listeners.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setStartAtLogin, startsAtLogin, desktopEntry } from '../src/main/autostart.ts';
import { startApp, type RunningApp } from '../src/main/app.ts';
import type {
  AppLike,
  ElectronDeps,
  IpcEventLike,
  MenuItemSpec,
  NotificationLike,
  NotificationSpec,
  Rect,
  SafeStorageLike,
  TrayLike,
  WindowLike,
  WindowSpec,
} from '../src/main/deps.ts';
import { openAppEngine } from '../src/engine/api/real-engine.ts';
import { AppStatus } from '../src/engine/api/status.ts';
import { Notifier } from '../src/main/notifier.ts';
import { NotificationPolicy } from '../src/engine/notify/policy.ts';
import { defaultSettings, type Settings } from '../src/shared/settings.ts';
import { portOpened } from './support/smtp.ts';
import { applicationMenu } from '../src/main/app-menu.ts';
import { APP_ID, beforeReady } from '../src/main/before-ready.ts';
import { safeStorageCodec } from '../src/main/safe-storage-codec.ts';
import { onSomeScreen, WindowManager, type Bounds } from '../src/main/windows.ts';
import { codecSecretStore, fileBackend } from '../src/engine/config/secrets.ts';
import { CONTENT_SECURITY_POLICY, resolveRendererRequest } from '../src/main/renderer-protocol.ts';
import { buildTrayMenu } from '../src/main/tray-menu.ts';
import { TrayService } from '../src/main/tray.ts';
import type { ScanReport } from '../src/engine/reporter.ts';
import type { AppState } from '../src/shared/ipc.ts';
import { Listeners } from './support/listeners.ts';

// ---- fakes of the seam ------------------------------------------------------------------------------------

class FakeTray implements TrayLike {
  image: string;
  tooltip = '';
  menu: MenuItemSpec[] = [];
  menusBuilt = 0;
  destroyed = false;
  clicks: (() => void)[] = [];
  constructor(image: string) {
    this.image = image;
  }
  setImage(p: string) {
    this.image = p;
  }
  setToolTip(t: string) {
    this.tooltip = t;
  }
  setContextMenu(menu: unknown) {
    this.menu = menu as MenuItemSpec[];
    this.menusBuilt++;
  }
  on(_e: 'click', l: () => void) {
    this.clicks.push(l);
  }
  destroy() {
    this.destroyed = true;
  }
}

let nextContentsId = 100;
class FakeWindow implements WindowLike {
  readonly webContents: { id: number; sent: [string, unknown][]; send(c: string, p: unknown): void };
  readonly spec: WindowSpec;
  url = '';
  shown = 0;
  focused = 0;
  destroyed = false;
  private listeners: Record<string, (() => void)[]> = {};
  constructor(spec: WindowSpec) {
    this.spec = spec;
    const sent: [string, unknown][] = [];
    this.webContents = { id: nextContentsId++, sent, send: (c, p) => void sent.push([c, p]) };
  }
  show() {
    this.shown++;
  }
  focus() {
    this.focused++;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  isDestroyed() {
    return this.destroyed;
  }
  close() {
    for (const l of this.listeners.close ?? []) l();
    this.destroyed = true;
    for (const l of this.listeners.closed ?? []) l();
  }
  on(e: 'close' | 'closed', l: () => void) {
    (this.listeners[e] ??= []).push(l);
  }
  async loadURL(url: string) {
    this.url = url;
  }
  getBounds() {
    return { x: 10, y: 20, width: 900, height: 700 };
  }
}

class FakeNotification implements NotificationLike {
  readonly spec: NotificationSpec;
  shown = false;
  private listeners: Record<string, ((detail?: string) => void)[]> = {};
  constructor(spec: NotificationSpec) {
    this.spec = spec;
  }
  on(e: 'click' | 'close' | 'failed', l: (detail?: string) => void) {
    (this.listeners[e] ??= []).push(l);
  }
  show() {
    this.shown = true;
  }
  emit(e: 'click' | 'close' | 'failed', detail?: string) {
    for (const l of this.listeners[e] ?? []) l(detail);
  }
  click() {
    this.emit('click');
  }
}

interface Fakes {
  deps: ElectronDeps;
  trays: FakeTray[];
  windows: FakeWindow[];
  notifications: FakeNotification[];
  appEvents: Record<string, ((e: { preventDefault(): void }) => void)[]>;
  ipc: Map<string, (event: IpcEventLike, payload: unknown) => Promise<unknown>>;
  exited: number[];
  quits: number;
  appMenus: (MenuItemSpec[] | null)[];
}

function fakes(
  options: {
    lock?: boolean;
    home: string;
    backend?: string;
    notifications?: boolean;
    platform?: NodeJS.Platform;
    displays?: Rect[];
  } = {
    home: '/nonexistent',
  },
): Fakes {
  const f: Fakes = {
    trays: [],
    windows: [],
    notifications: [],
    appEvents: {},
    ipc: new Map(),
    exited: [],
    quits: 0,
    appMenus: [],
    deps: undefined as unknown as ElectronDeps,
  };
  const app: AppLike = {
    requestSingleInstanceLock: () => options.lock ?? true,
    on: (event, listener) => void (f.appEvents[event] ??= []).push(listener),
    whenReady: async () => {},
    quit: () => void f.quits++,
    exit: (code = 0) => void f.exited.push(code),
    getPath: (name) =>
      name === 'home' ? options.home : name === 'exe' ? '/opt/Portwatch/portwatch' : options.home,
    platform: options.platform ?? 'linux',
  };
  f.deps = {
    app,
    setApplicationMenu: (template) => void f.appMenus.push(template),
    displays: () => options.displays ?? [{ x: 0, y: 0, width: 1920, height: 1080 }],
    createTray: (icon) => {
      const t = new FakeTray(icon);
      f.trays.push(t);
      return t;
    },
    buildMenu: (template) => template,
    createWindow: (spec) => {
      const w = new FakeWindow(spec);
      f.windows.push(w);
      return w;
    },
    notificationsSupported: () => options.notifications ?? true,
    createNotification: (spec) => {
      const n = new FakeNotification(spec);
      f.notifications.push(n);
      return n;
    },
    ipcMain: {
      handle: (channel, listener) => void f.ipc.set(channel, listener),
      removeHandler: (channel) => void f.ipc.delete(channel),
    },
    safeStorage: {
      isAsyncEncryptionAvailable: async () => true,
      // Not real encryption: enough to show the bytes on disk are what the codec made, not the password.
      encryptStringAsync: async (plain) => Buffer.from([...Buffer.from(plain, 'utf8')].map((b) => b ^ 0x5a)),
      decryptStringAsync: async (data) => ({
        result: Buffer.from([...data].map((b) => b ^ 0x5a)).toString('utf8'),
        shouldReEncrypt: false,
      }),
      getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    },
  };
  return f;
}

const item = (menu: MenuItemSpec[], id: string): MenuItemSpec | undefined => {
  for (const i of menu) {
    if (i.id === id) return i;
    const inner = i.submenu && item(i.submenu, id);
    if (inner) return inner;
  }
  return undefined;
};

const state = (over: Partial<AppState> = {}): AppState => ({
  state: 'quiet',
  profiles: [],
  unseen: 0,
  ...over,
});
const profileState = (name: string, over: Partial<AppState['profiles'][number]> = {}) => ({
  name,
  paused: false,
  scanning: false,
  lastScan: null,
  nextRun: '2026-11-24T07:00:00.000Z',
  ...over,
});

// ---- the tray menu ----------------------------------------------------------------------------------------

test('tray menu: scan now per profile, pause/resume, times, windows, quit; every item does what it says', () => {
  const calls: string[] = [];
  const actions = {
    scanNow: (p?: string) => void calls.push(`scan ${p ?? 'all'}`),
    setPaused: (paused: boolean) => void calls.push(paused ? 'pause' : 'resume'),
    openHistory: () => void calls.push('history'),
    openSettings: () => void calls.push('settings'),
    setStartAtLogin: (on: boolean) => void calls.push(`login ${on}`),
    quit: () => void calls.push('quit'),
  };
  const now = new Date('2026-11-24T06:00:00Z');
  const none = buildTrayMenu(state(), actions, { startAtLogin: false, platform: 'linux', now });
  assert.equal(item(none, 'scan-now')?.enabled, false, 'nothing to scan without profiles');

  const two = buildTrayMenu(
    state({
      profiles: [
        profileState('Home'),
        profileState('Office', {
          scanning: true,
          progress: { profile: 'Office', task: 'Connect Scan', percent: 42 },
        }),
      ],
    }),
    actions,
    { startAtLogin: true, platform: 'linux', now },
  );
  const scan = item(two, 'scan-now')!;
  assert.equal(scan.type, 'submenu');
  assert.deepEqual(
    scan.submenu!.filter((i) => i.label).map((i) => [i.label, i.enabled]),
    [
      ['All profiles', false],
      ['Home', true],
      ['Office', false],
    ],
  );
  item(two, 'scan:Home')!.click!();
  assert.match(item(two, 'info:Office')!.label!, /Office: never scanned · next .* · scanning$/);
  item(two, 'pause')!.click!();
  item(two, 'history')!.click!();
  item(two, 'settings')!.click!();
  assert.equal(item(two, 'start-at-login')!.checked, true);
  item(two, 'start-at-login')!.click!();
  item(two, 'quit')!.click!();
  assert.deepEqual(calls, ['scan Home', 'pause', 'history', 'settings', 'login false', 'quit']);

  const paused = buildTrayMenu(
    state({ state: 'paused', profiles: [profileState('Home', { paused: true })] }),
    actions,
    {
      startAtLogin: false,
      platform: 'darwin',
      now,
    },
  );
  assert.ok(item(paused, 'resume') && !item(paused, 'pause'));
  assert.match(item(paused, 'info:Home')!.label!, /paused/);
  assert.equal(item(paused, 'settings')!.label, 'Preferences…');
});

test('tray icon follows the state, the tooltip shows progress, and the menu is rebuilt only when it changes', () => {
  const f = fakes({ home: os.tmpdir() });
  const noop = () => {};
  const tray = new TrayService({
    deps: f.deps,
    assetsDir: '/app/assets',
    platform: 'linux',
    startAtLogin: () => false,
    actions: {
      scanNow: noop,
      setPaused: noop,
      openHistory: noop,
      openSettings: noop,
      setStartAtLogin: noop,
      quit: noop,
    },
  });
  const fake = f.trays[0]!;
  assert.equal(fake.image, '/app/assets/tray/quiet-32.png');
  const scanning = state({
    state: 'scanning',
    profiles: [
      profileState('Home', {
        scanning: true,
        progress: { profile: 'Home', task: 'Connect Scan', percent: 37.4 },
      }),
    ],
  });
  tray.update(scanning);
  assert.equal(fake.image, '/app/assets/tray/scanning-32.png');
  assert.match(fake.tooltip, /Home: Connect Scan 37%/);
  const built = fake.menusBuilt;
  tray.update(scanning);
  assert.equal(fake.menusBuilt, built, 'same state: the open menu is left alone');
  tray.update(
    state({ state: 'error', error: 'Home: nmap exited with code 1', profiles: [profileState('Home')] }),
  );
  assert.equal(fake.image, '/app/assets/tray/error-32.png');
  assert.equal(fake.menusBuilt, built + 1);
  assert.match(fake.tooltip, /nmap exited with code 1/);
  // The icon itself opens the history where the platform delivers clicks.
  let opened = 0;
  const t2 = new TrayService({
    deps: f.deps,
    assetsDir: '/a',
    platform: 'win32',
    startAtLogin: () => false,
    actions: {
      scanNow: noop,
      setPaused: noop,
      openHistory: () => void opened++,
      openSettings: noop,
      setStartAtLogin: noop,
      quit: noop,
    },
  });
  f.trays[1]!.clicks[0]!();
  assert.equal(opened, 1);
  assert.equal(f.trays[1]!.image, path.join('/a', 'tray', 'quiet.ico'));
  t2.destroy();
});

test('app status: scanning wins, then errors, then unseen changes; seeing them clears the badge', () => {
  const status = new AppStatus();
  const profiles = [{ name: 'Home', paused: false, nextRun: null }];
  assert.equal(status.snapshot(profiles).state, 'quiet');
  const entry = {
    id: 's1',
    profile: 'Home',
    startedAt: '2026-11-24T06:00:00.000Z',
    durationMs: 1000,
    status: 'ok' as const,
    nmapArgs: [],
    counts: { hostsUp: 1, hostsScanned: 1, openPorts: 3, changes: 1, alerted: 1 },
    changes: [],
    suppressed: [],
    hasXml: true,
    delivery: { state: 'none' as const },
  };
  status.scanStarted('Home');
  assert.equal(status.snapshot(profiles).state, 'scanning');
  status.scanRecorded(entry);
  assert.deepEqual([status.snapshot(profiles).state, status.snapshot(profiles).unseen], ['unseen', 1]);
  status.scanRecorded({
    ...entry,
    id: 's2',
    status: 'failed',
    reason: 'nmap was killed',
    counts: { ...entry.counts, alerted: 0 },
  });
  assert.equal(status.snapshot(profiles).state, 'error');
  assert.match(status.snapshot(profiles).error!, /nmap was killed/);
  status.scanRecorded({ ...entry, id: 's3', counts: { ...entry.counts, changes: 0, alerted: 0 } });
  assert.equal(status.snapshot(profiles).state, 'unseen', 'a good scan clears the error');
  status.markSeen();
  assert.equal(status.snapshot(profiles).state, 'quiet');
  assert.equal(status.snapshot([{ name: 'Home', paused: true, nextRun: null }]).state, 'paused');
});

// ---- notifications ----------------------------------------------------------------------------------------

function notifierFor(options: { dataDir: string; settings: () => Settings; now: () => Date }) {
  const f = fakes({ home: os.tmpdir() });
  const opened: (string | undefined)[] = [];
  const notifier = new Notifier({
    deps: f.deps,
    policy: new NotificationPolicy({ dataDir: options.dataDir, now: options.now }),
    settings: async () => options.settings(),
    openScan: (id) => void opened.push(id),
    now: options.now,
  });
  return { f, opened, notifier };
}

const scanReport = (id: string, status: 'ok' | 'failed', profile = 'Home') =>
  ({
    profile: { name: profile },
    entry: {
      id,
      status,
      reason: 'nmap was killed',
      changes: status === 'ok' ? [portOpened('127.0.91.20', 22)] : [],
      suppressed: [],
    },
    ndiffText: '',
  }) as unknown as ScanReport;

test('failed-scan notices are rate-limited per profile, across restarts; a success resets the limit; off means off', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-notify-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  let now = new Date('2026-11-24T06:00:00Z');
  const settings = defaultSettings();
  const { f, opened, notifier } = notifierFor({ dataDir, settings: () => settings, now: () => now });
  assert.ok(await notifier.scanRecorded(scanReport('f1', 'failed')));
  now = new Date(now.getTime() + 10 * 60_000);
  assert.equal(await notifier.scanRecorded(scanReport('f2', 'failed')), null, 'ten minutes later: held back');
  // An app restarted ten minutes later still knows (the limit is kept in the data directory).
  const restarted = notifierFor({ dataDir, settings: () => settings, now: () => now });
  assert.equal(
    await restarted.notifier.scanRecorded(scanReport('f2b', 'failed')),
    null,
    'after a restart too',
  );
  assert.ok(
    await notifier.scanRecorded(scanReport('g1', 'failed', 'Office')),
    'another profile has its own limit',
  );
  assert.ok(await notifier.scanRecorded(scanReport('ok1', 'ok')));
  assert.ok(
    await notifier.scanRecorded(scanReport('f3', 'failed')),
    'after a success, the next failure is news',
  );
  settings.notifications.desktop = false;
  assert.equal(await notifier.scanRecorded(scanReport('ok2', 'ok')), null);
  assert.deepEqual(
    f.notifications.map((n) => n.spec.title),
    ['Scan failed: Home', 'Scan failed: Office', 'Home: 1 change', 'Scan failed: Home'],
  );
  f.notifications[2]!.click();
  assert.deepEqual(opened, ['ok1']);
});

test('quiet hours hold desktop notices; when they end, one summary notice shows what was held', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-notify-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const settings = defaultSettings();
  settings.quietHours = { enabled: true, start: '22:00', end: '07:00' };
  let now = new Date(2026, 10, 24, 23, 30); // local time, inside quiet hours
  const { f, opened, notifier } = notifierFor({ dataDir, settings: () => settings, now: () => now });
  t.after(() => notifier.close());
  assert.ok(await notifier.scanRecorded(scanReport('n1', 'ok')));
  assert.ok(await notifier.scanRecorded(scanReport('n2', 'failed', 'Office')));
  await notifier.watchdog({ name: 'Cellar' }, null);
  assert.equal(f.notifications.length, 0, 'nothing shown during quiet hours');
  assert.equal(await notifier.channel.releaseHeld(), null, 'still quiet: still held');
  assert.equal(f.notifications.length, 0);

  now = new Date(2026, 10, 25, 7, 1);
  const summary = await notifier.channel.releaseHeld();
  assert.ok(summary);
  assert.deepEqual(
    f.notifications.map((n) => [n.spec.title, n.spec.body]),
    [
      [
        'While quiet: 1 scan with changes, 1 failed scan, 1 watchdog alert',
        'Home, Office, Cellar. Click to see the history.',
      ],
    ],
  );
  assert.equal(f.notifications[0]!.spec.urgency, 'critical', 'a held new open port keeps its urgency');
  f.notifications[0]!.click();
  assert.deepEqual(opened, [undefined], 'a click opens the history');
  assert.equal(await notifier.channel.releaseHeld(), null, 'shown once');
});

// ---- checked against Electron 45 (the first launch on a user's machine) ------------------------------------

test('before ready: sandbox and scheme always; the AppUserModelId on Windows only, equal to the installer appId', () => {
  const yml = readFileSync(path.join(import.meta.dirname, '..', 'electron-builder.yml'), 'utf8');
  assert.equal(/^appId: (\S+)$/m.exec(yml)?.[1], APP_ID);
  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    const calls: string[] = [];
    beforeReady({
      platform,
      enableSandbox: () => void calls.push('sandbox'),
      registerRendererScheme: () => void calls.push('scheme'),
      setAppUserModelId: (id) => void calls.push(`aumid ${id}`),
    });
    assert.deepEqual(
      calls,
      platform === 'win32' ? ['sandbox', 'scheme', `aumid ${APP_ID}`] : ['sandbox', 'scheme'],
      platform,
    );
  }
});

test('application menu: none on Linux and Windows (no Reload or DevTools on Alt); an Edit menu on macOS', () => {
  assert.equal(applicationMenu('linux'), null);
  assert.equal(applicationMenu('win32'), null);
  assert.deepEqual(applicationMenu('darwin'), [{ role: 'editMenu' }]);
});

const noActions = () => {
  const calls: string[] = [];
  return {
    calls,
    actions: {
      scanNow: () => void calls.push('scan'),
      setPaused: () => void calls.push('pause'),
      openHistory: () => void calls.push('history'),
      openSettings: () => void calls.push('settings'),
      setStartAtLogin: () => void calls.push('login'),
      quit: () => void calls.push('quit'),
    },
  };
};

test('tray: Settings and Quit at once; a click opens History except on macOS; progress never rebuilds the menu', () => {
  const f = fakes({ home: os.tmpdir() });
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    const { calls, actions } = noActions();
    new TrayService({ deps: f.deps, actions, assetsDir: '/a', platform, startAtLogin: () => false });
    const fake = f.trays.at(-1)!;
    // Before any state: the menu exists and reaches Settings and Quit.
    item(fake.menu, 'settings')!.click!();
    item(fake.menu, 'quit')!.click!();
    assert.deepEqual(calls, ['settings', 'quit'], platform);
    // macOS fires click and then opens the menu: a listener there would open History on every look.
    assert.equal(fake.clicks.length, platform === 'darwin' ? 0 : 1, platform);
  }
  const { actions } = noActions();
  const tray = new TrayService({
    deps: f.deps,
    actions,
    assetsDir: '/a',
    platform: 'linux',
    startAtLogin: () => false,
  });
  const fake = f.trays.at(-1)!;
  const at = (percent: number) =>
    state({
      state: 'scanning',
      profiles: [
        profileState('Home', {
          scanning: true,
          progress: { profile: 'Home', task: 'Connect Scan', percent },
        }),
      ],
    });
  tray.update(at(5));
  const built = fake.menusBuilt;
  for (const percent of [20, 40, 60, 80]) tray.update(at(percent));
  assert.equal(fake.menusBuilt, built, 'an open Linux menu is not closed under the pointer every 2 s');
  assert.match(fake.tooltip, /Home: Connect Scan 80%/, 'progress shows in the tooltip');
  assert.match(item(fake.menu, 'info:Home')!.label!, /scanning$/);
});

test('windows: a saved place on no screen now (monitor unplugged) opens centred; one still on a screen is kept', () => {
  const f = fakes({ home: os.tmpdir() });
  let saved: Bounds = { x: 2500, y: 100, width: 900, height: 700 };
  let screens: Rect[] = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  let forward = 0;
  const manager = new WindowManager({
    deps: f.deps,
    preload: '/p',
    bounds: { get: () => saved, set: () => {} },
    displays: () => screens,
    bringAppForward: () => void forward++,
  });
  manager.show('history').close();
  assert.deepEqual(
    [f.windows[0]!.spec.x, f.windows[0]!.spec.y, f.windows[0]!.spec.width],
    [undefined, undefined, 900],
  );
  screens = [...screens, { x: 1920, y: 0, width: 2560, height: 1440 }];
  manager.show('history').close();
  assert.deepEqual([f.windows[1]!.spec.x, f.windows[1]!.spec.y], [2500, 100]);
  saved = { x: 100, y: -600, width: 900, height: 700 }; // title bar above every screen
  manager.show('history');
  assert.equal(f.windows[2]!.spec.x, undefined);
  assert.equal(forward, 3, 'the app is brought forward each time (macOS: windows open on top)');
  assert.ok(
    onSomeScreen({ x: -8, y: -8, width: 1936, height: 1096 }, [{ x: 0, y: 0, width: 1920, height: 1080 }]),
  );
});

test('notifications: kept until clicked or closed (not when a Windows toast times out); `failed` is logged', () => {
  const f = fakes({ home: os.tmpdir() });
  const lines: string[] = [];
  const notifier = new Notifier({
    deps: f.deps,
    policy: new NotificationPolicy({ dataDir: os.tmpdir() }),
    settings: async () => defaultSettings(),
    openScan: () => {},
    log: (line) => void lines.push(line),
  });
  const live = () => (notifier as unknown as { live: Set<unknown> }).live.size;
  notifier.show({ title: 'a', body: '', urgency: 'normal' }, () => {});
  notifier.show({ title: 'b', body: '', urgency: 'normal' }, () => {});
  notifier.show({ title: 'c', body: '', urgency: 'normal' }, () => {});
  assert.equal(live(), 3);
  f.notifications[0]!.emit('close', 'timedOut');
  assert.equal(live(), 3, 'in the Action Center it can still be clicked');
  f.notifications[0]!.emit('close', 'userCanceled');
  f.notifications[1]!.click();
  assert.equal(live(), 1);
  f.notifications[2]!.emit('failed', 'Notifications are not allowed for this application');
  assert.equal(live(), 0);
  assert.deepEqual(lines, [
    'portwatch: the desktop notification failed: Notifications are not allowed for this application',
  ]);
});

test('the renderer scheme answers a malformed percent-escape with 404, not an exception', () => {
  assert.equal(resolveRendererRequest('portwatch://app/%E0%A4%A.html', '/app/dist/renderer'), null);
  assert.equal(resolveRendererRequest('portwatch://app/100%.html', '/app/dist/renderer'), null);
});

test('Linux safeStorage: the password status follows the key the encryption really used, not the backend name', async () => {
  const backing = (tag: string, backend: string): SafeStorageLike => ({
    isAsyncEncryptionAvailable: async () => true,
    encryptStringAsync: async (plain) => Buffer.concat([Buffer.from(tag), Buffer.from(plain).reverse()]),
    decryptStringAsync: async (data) => ({
      result: Buffer.from(data.subarray(3)).reverse().toString(),
      shouldReEncrypt: false,
    }),
    getSelectedStorageBackend: () => backend,
  });
  // The keyring is locked: the backend still says libsecret, but Chromium fell back to its fixed key (v10).
  const locked = safeStorageCodec(backing('v10', 'gnome_libsecret'), 'linux');
  assert.equal(locked.kind, 'os', 'before anything is encrypted, only the backend is known');
  await locked.encrypt('pw');
  assert.equal(locked.kind, 'basic_text');
  const unlocked = safeStorageCodec(backing('v11', 'basic_text'), 'linux');
  await unlocked.encrypt('pw');
  assert.equal(unlocked.kind, 'os');
  const mac = safeStorageCodec(backing('v10', 'unknown'), 'darwin');
  await mac.encrypt('pw');
  assert.equal(mac.kind, 'os', 'the tag means the fixed key on Linux only');
  // Stored under one kind, read back after the keyring came (or went): safeStorage reads both.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-codec-'));
  try {
    const backend = fileBackend(path.join(dir, 'secret'));
    await codecSecretStore(locked, backend).set('hunter2');
    const later = safeStorageCodec(backing('v11', 'gnome_libsecret'), 'linux');
    const store = codecSecretStore(later, backend);
    assert.deepEqual(await store.status(), { set: true, storage: 'basic_text' });
    assert.equal(await store.get(), 'hunter2');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('macOS: launching the running app again (activate) shows a window; the app menu is the Edit menu', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-mac-'));
  const mac = fakes({ home: dir, platform: 'darwin' });
  const focused: boolean[] = [];
  const order: string[] = [];
  mac.deps.app.focus = (o) => void focused.push(o.steal);
  try {
    const app = await startApp({
      deps: mac.deps,
      assetsDir: '/a',
      preloadPath: '/p',
      uiState: { bounds: () => undefined, setBounds: () => {} },
      openEngine: (o) => openAppEngine({ dataDir: dir, env: { PORTWATCH_DATA_DIR: dir }, ...o }),
      onReady: () => void order.push(`ready: ${mac.trays.length} trays, ${mac.appMenus.length} menus`),
      hidden: true,
      log: () => {},
    });
    assert.ok(app);
    assert.deepEqual(
      order,
      ['ready: 0 trays, 0 menus'],
      'hardening runs first, before the tray or any window',
    );
    assert.deepEqual(mac.appMenus, [[{ role: 'editMenu' }]]);
    assert.equal(mac.windows.length, 0, 'started hidden');
    assert.equal(mac.trays[0]!.clicks.length, 0);
    for (const l of mac.appEvents.activate ?? []) l({ preventDefault() {} });
    assert.equal(mac.windows.length, 1);
    assert.equal(mac.windows[0]!.url, 'portwatch://app/settings.html');
    assert.deepEqual(focused, [true], 'brought to the front, not opened behind the active app');
    await app.quit();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// ---- the whole app over a real engine ---------------------------------------------------------------------

const HOST = '127.0.50.41';
let dataDir: string;
let home: string;
let f: Fakes;
let running: RunningApp;
const net = new Listeners();

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-shell-'));
  home = await mkdtemp(path.join(os.tmpdir(), 'portwatch-home-'));
  f = fakes({ home, backend: 'basic_text' });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    PORTWATCH_DATA_DIR: dataDir,
  };
  delete env.PORTWATCH_SMTP_PASSWORD;
  delete env.APPIMAGE;
  const started = await startApp({
    deps: f.deps,
    assetsDir: '/app/assets',
    preloadPath: '/app/dist/preload/preload.cjs',
    uiState: { bounds: () => undefined, setBounds: () => {} },
    openEngine: (o) => openAppEngine({ dataDir, env, ...o }),
    env,
    log: () => {},
  });
  assert.ok(started);
  running = started;
});

after(async () => {
  await running?.quit();
  await net.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

const channelOf = (name: string) => `portwatch:${name}`;
const invoke = (name: string, payload: unknown, event: IpcEventLike) =>
  f.ipc.get(channelOf(name))!(event, payload);
const trayMenu = () => f.trays[0]!.menu;

test('first start with no profiles opens the settings window, sandboxed, from the app origin', () => {
  assert.equal(f.windows.length, 1);
  const win = f.windows[0]!;
  assert.equal(win.url, 'portwatch://app/settings.html');
  assert.equal(win.spec.preload, '/app/dist/preload/preload.cjs');
  assert.ok(f.appEvents['window-all-closed']?.length, 'closing every window must not quit');
  assert.deepEqual(f.appMenus, [null], "Electron's default menu (Reload, DevTools) is replaced by none");
  assert.equal(f.appEvents.activate, undefined, 'activate is a macOS event');
});

test('IPC answers our windows only, and refuses invalid payloads with a one-line reason', async () => {
  const win = f.windows.find((w) => !w.destroyed && w.url.includes('settings'))!;
  const ours = { sender: { id: win.webContents.id }, senderFrame: { url: 'portwatch://app/settings.html' } };
  const listed = (await invoke('listProfiles', {}, ours)) as { ok: boolean; value: unknown[] };
  assert.deepEqual(listed, { ok: true, value: [] });

  const stranger = await invoke(
    'listProfiles',
    {},
    { sender: { id: 9999 }, senderFrame: { url: 'portwatch://app/settings.html' } },
  );
  assert.deepEqual(stranger, {
    ok: false,
    error: 'refused: this request did not come from a Portwatch window',
  });
  const navigatedAway = await invoke(
    'listProfiles',
    {},
    { sender: { id: win.webContents.id }, senderFrame: { url: 'https://example.com/' } },
  );
  assert.equal((navigatedAway as { ok: boolean }).ok, false);

  const invalid = (await invoke('saveProfile', { profile: { name: '', targets: [] } }, ours)) as {
    ok: boolean;
    error: string;
  };
  assert.equal(invalid.ok, false);
  assert.match(invalid.error, /^profile\.name: give the profile a name/);
  const extra = (await invoke('getScan', { id: 'x', evil: true }, ours)) as { ok: boolean; error: string };
  assert.equal(extra.ok, false);
  assert.doesNotMatch(extra.error, /\n| {4}at /, 'one line, no stack');
  const engineRefusal = (await invoke(
    'saveProfile',
    {
      profile: {
        name: 'Bad',
        targets: ['10.0.0.1;rm -rf /'],
        options: {
          ports: { kind: 'default' },
          technique: 'connect',
          serviceDetection: false,
          osDetection: false,
          timing: 3,
          skipHostDiscovery: false,
          confirmChanges: true,
          timeoutSeconds: 60,
        },
        schedule: { kind: 'manual' },
        watchdogHours: 0,
      },
    },
    ours,
  )) as { ok: boolean; error: string };
  assert.equal(engineRefusal.ok, false);
  assert.match(engineRefusal.error, /target 1/);
});

test('windows are reused and focused; closing them leaves the app in the tray', () => {
  const before = f.windows.length;
  item(trayMenu(), 'history')!.click!();
  assert.equal(f.windows.length, before + 1);
  const history = f.windows.at(-1)!;
  assert.equal(history.url, 'portwatch://app/history.html');
  item(trayMenu(), 'history')!.click!();
  assert.equal(f.windows.length, before + 1, 'the same history window, not a second one');
  assert.ok(history.focused >= 1);
  for (const w of f.windows) if (!w.destroyed) w.close();
  assert.equal(f.quits, 0);
  assert.deepEqual(f.exited, []);
  item(trayMenu(), 'settings')!.click!();
  assert.equal(f.windows.at(-1)!.url, 'portwatch://app/settings.html', 'a closed window opens anew');
  // A second launch hands over to us: we show a window.
  const count = f.windows.length;
  for (const l of f.appEvents['second-instance'] ?? []) l({ preventDefault() {} });
  assert.ok(f.windows.length === count && f.windows.at(-1)!.shown >= 1);
});

test('a scan with changes raises one notification; clicking it opens the history on that scan', async () => {
  const web = await net.tcp({ host: HOST });
  const probe = await net.tcp({ host: HOST });
  const later = probe.port;
  await probe.close();
  const { monitor } = running.opened;
  monitor.addProfile({
    name: 'Home',
    targets: [HOST],
    options: {
      ports: { kind: 'list', spec: `${web.port},${later}` },
      skipHostDiscovery: true,
      timing: 4,
      resolveHostnames: false, // tests keep DNS off the machine's (non-loopback) resolver
    },
    schedule: { kind: 'manual' },
  });
  await running.refresh();
  assert.equal(item(trayMenu(), 'scan-now')!.enabled, true);
  await monitor.captureReference('Home');
  const before = f.notifications.length;
  await net.tcp({ host: HOST, port: later });
  const outcome = await monitor.scanNow('Home');
  assert.equal(outcome.entry.counts.changes, 1);
  // The reporter runs after the scan is recorded; give it its turn.
  for (let i = 0; i < 50 && f.notifications.length === before; i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(f.notifications.length, before + 1);
  const notice = f.notifications.at(-1)!;
  assert.ok(notice.shown);
  assert.match(notice.spec.title, /Home/);
  assert.match(notice.spec.body, new RegExp(String(later)));

  const state = await running.refresh();
  assert.equal(state?.state, 'unseen');
  assert.equal(f.trays[0]!.image, '/app/assets/tray/unseen-32.png');

  for (const w of f.windows) if (!w.destroyed) w.close();
  notice.click();
  const history = f.windows.at(-1)!;
  assert.equal(history.url, `portwatch://app/history.html?scan=${encodeURIComponent(outcome.entry.id)}`);
  // When the history window is already open, the click points it at the scan instead.
  notice.click();
  assert.deepEqual(history.webContents.sent.at(-1), ['portwatch:openScan', { id: outcome.entry.id }]);
  assert.equal((await running.refresh())?.state, 'quiet', 'opening the scan marks it seen');
});

test('tray "Scan now" that cannot start is shown to the user: a notification and the tray in its error state', async () => {
  await running.refresh();
  const stale = item(trayMenu(), 'scan-now')!; // the menu the user opened while Home still existed
  assert.ok(stale.click && stale.enabled);
  running.opened.monitor.removeProfile('Home');
  const before = f.notifications.length;
  stale.click();
  for (let i = 0; i < 100 && f.notifications.length === before; i++)
    await new Promise((r) => setTimeout(r, 20));
  const notice = f.notifications.at(-1)!;
  assert.equal(notice.spec.title, 'Portwatch could not start the scan');
  assert.match(notice.spec.body, /no profile named 'Home'/);
  await running.refresh();
  assert.equal(f.trays[0]!.image, '/app/assets/tray/error-32.png');
  assert.match(f.trays[0]!.tooltip, /no profile named 'Home'/);
  assert.equal(item(trayMenu(), 'status')!.label, 'Portwatch: A scan failed');
});

test('safeStorage on Linux without a keyring: the password is stored via the codec and marked basic_text', async () => {
  const win = f.windows.find((w) => !w.destroyed)!;
  const ours = { sender: { id: win.webContents.id }, senderFrame: { url: win.url } };
  const status = (await invoke('setMailPassword', { password: 'hunter2-app-password' }, ours)) as {
    ok: boolean;
    value: { set: boolean; storage: string };
  };
  assert.deepEqual(status, { ok: true, value: { set: true, storage: 'basic_text' } });
  const onDisk = await readFile(path.join(dataDir, 'secrets', 'smtp-password'), 'utf8');
  assert.doesNotMatch(onDisk, /hunter2/);
  assert.equal(await running.opened.secrets.get(), 'hunter2-app-password');
});

test('start at login on Linux writes and removes an XDG autostart entry', async () => {
  const env = { XDG_CONFIG_HOME: path.join(home, '.config') };
  const file = path.join(home, '.config', 'autostart', 'portwatch.desktop');
  await setStartAtLogin(f.deps.app, true, env);
  assert.match(await readFile(file, 'utf8'), /^Exec=\/opt\/Portwatch\/portwatch --hidden$/m);
  assert.equal(await startsAtLogin(f.deps.app, env), true);
  await setStartAtLogin(f.deps.app, false, env);
  await assert.rejects(stat(file));
  assert.match(
    desktopEntry('/home/me/Applications/Port Watch.AppImage'),
    /^Exec="\/home\/me\/Applications\/Port Watch\.AppImage" --hidden$/m,
  );
  // Through the tray's checkbox, too.
  item(trayMenu(), 'start-at-login')!.click!();
  for (let i = 0; i < 50; i++) {
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(await startsAtLogin(f.deps.app, env), true);
  await setStartAtLogin(f.deps.app, false, env);
});

test('the renderer scheme serves dist/renderer only, always with the CSP', () => {
  const hit = resolveRendererRequest('portwatch://app/history.html', '/app/dist/renderer');
  assert.deepEqual(hit?.file, '/app/dist/renderer/history.html');
  assert.equal(hit?.headers['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-(inline|eval)/);
  // Dot segments are resolved by URL parsing and stay inside; encoded slashes that would climb out are refused.
  const inside = (url: string) => resolveRendererRequest(url, '/app/dist/renderer')?.file ?? null;
  assert.equal(inside('portwatch://app/../../etc/passwd.html'), '/app/dist/renderer/etc/passwd.html');
  assert.equal(inside('portwatch://app/..%2F..%2Fmain%2Fmain.html'), null);
  assert.equal(inside('portwatch://app/%2e%2e%2f%2e%2e%2fpreload%2fpreload.js'), null);
  assert.equal(inside('portwatch://app/settings.cjs'), null, 'only the windows’ file types');
  assert.equal(resolveRendererRequest('portwatch://evil/settings.html', '/app/dist/renderer'), null);
  assert.equal(resolveRendererRequest('https://app/settings.html', '/app/dist/renderer'), null);
});

test('a second instance hands over and quits; Quit stops the monitor cleanly and exits', async () => {
  const second = fakes({ home, lock: false });
  const result = await startApp({
    deps: second.deps,
    assetsDir: '/a',
    preloadPath: '/p',
    uiState: { bounds: () => undefined, setBounds: () => {} },
    openEngine: () => {
      throw new Error('a second instance must not open the data directory');
    },
  });
  assert.equal(result, null);
  assert.equal(second.quits, 1);

  // before-quit (Cmd-Q, logout) is held until schedules are stopped, then the app exits.
  let prevented = false;
  for (const l of f.appEvents['before-quit'] ?? []) l({ preventDefault: () => (prevented = true) });
  assert.ok(prevented);
  for (let i = 0; i < 100 && f.exited.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(f.exited, [0]);
  assert.ok(f.trays[0]!.destroyed);
  assert.equal(f.ipc.size, 0, 'IPC handlers removed');
  assert.ok(f.windows.every((w) => w.destroyed));
});
