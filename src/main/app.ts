// The tray app, wired: single instance, the engine over the data directory, IPC, the tray, the windows and
// desktop notifications. Everything Electron-specific comes in through ElectronDeps, so the whole start-up and
// shutdown runs in the tests with fakes (test/main-*.test.ts).
import { messageOf } from '../engine/errors.ts';
import type { MailReporter } from '../engine/mail/mail-reporter.ts';
import { scanNotice, watchdogNotice } from '../engine/notify/notification.ts';
import type { Reporter } from '../engine/reporter.ts';
import type { AppState } from '../shared/ipc.ts';
import { setStartAtLogin, startsAtLogin } from './autostart.ts';
import type { ElectronDeps } from './deps.ts';
import { createHandlers, type Handlers } from '../engine/api/index.ts';
import type { AppEngineOptions, OpenedAppEngine } from '../engine/api/real-engine.ts';
import { toRow } from '../engine/api/rows.ts';
import { AppStatus } from '../engine/api/status.ts';
import { appIconPath } from './icons.ts';
import { registerIpc } from './ipc.ts';
import { Notifier } from './notifier.ts';
import { safeStorageCodec } from './safe-storage-codec.ts';
import { TrayService } from './tray.ts';
import { WindowManager, type Bounds, type WindowKind } from './windows.ts';

export interface UiStateLike {
  bounds(kind: WindowKind): Bounds | undefined;
  setBounds(kind: WindowKind, bounds: Bounds): void;
}

export interface AppOptions {
  deps: ElectronDeps;
  assetsDir: string;
  preloadPath: string;
  uiState: UiStateLike;
  /** Opens the engine (openAppEngine in the app; the same over a temporary directory in tests). */
  openEngine: (options: Pick<AppEngineOptions, 'codec' | 'reporter'>) => OpenedAppEngine;
  /** Started at login: stay in the tray. */
  hidden?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface RunningApp {
  windows: WindowManager;
  tray: TrayService;
  status: AppStatus;
  handlers: Handlers;
  notifier: Notifier;
  opened: OpenedAppEngine;
  /** Rebuilds the tray and tells the windows (after any change). */
  refresh(): Promise<AppState | undefined>;
  /** Stops schedules cleanly (running scans are cancelled and recorded), then quits. */
  quit(): Promise<void>;
}

export async function startApp(options: AppOptions): Promise<RunningApp | null> {
  const { deps } = options;
  const { app } = deps;
  const log = options.log ?? ((line: string) => console.error(line));
  const env = options.env ?? process.env;

  // One Portwatch per user: a second launch hands over to the first (which shows a window) and exits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  await app.whenReady();

  const status = new AppStatus();
  let startAtLogin = await startsAtLogin(app, env).catch(() => false);
  const windows = new WindowManager({
    deps,
    preload: options.preloadPath,
    bounds: { get: (k) => options.uiState.bounds(k), set: (k, b) => options.uiState.setBounds(k, b) },
  });

  const notifier = new Notifier({
    deps,
    settings: () => opened.engine.settings(),
    content: (report) => {
      // Notifier applies the failed-scan rate limit itself; the builder decides what to say.
      const notice = scanNotice(report, {
        settings: { desktop: true, failedScans: true },
        lastFailureNoticeAt: null,
      });
      return notice?.entryId
        ? { title: notice.title, body: notice.body, urgency: notice.urgency, entryId: notice.entryId }
        : null;
    },
    openScan: (id) => {
      windows.show('history', { scan: id });
      status.markSeen(id);
    },
    icon: appIconPath(options.assetsDir),
  });
  const withNotifications = (mail: MailReporter): Reporter => ({
    async scanRecorded(report) {
      await Promise.all([
        mail.scanRecorded(report),
        notifier
          .scanRecorded(report)
          .catch((error) => log(`portwatch: notification failed: ${messageOf(error)}`)),
      ]);
    },
    async watchdog(profile, lastSuccessAt) {
      const desktop = await opened.engine.settings().then(
        (s) => s.notifications.desktop,
        () => true,
      );
      if (desktop && deps.notificationsSupported())
        notifier.show(watchdogNotice(profile.name, lastSuccessAt), () => windows.show('history'));
      await mail.watchdog(profile, lastSuccessAt);
    },
    deliveryState: (id) => mail.deliveryState(id),
    deliveries: (id) => mail.deliveries(id),
  });
  const opened = options.openEngine({
    codec: safeStorageCodec(deps.safeStorage, app.platform),
    reporter: withNotifications,
  });
  const { engine, monitor, mail } = opened;

  const handlers = createHandlers({
    engine,
    status,
    onProgress: (p) => windows.broadcast('scanProgress', p),
  });
  const unregister = registerIpc({
    ipcMain: deps.ipcMain,
    handlers,
    isOurWindow: (id) => windows.isOurs(id),
    log,
  });

  let quitting = false;
  const quit = async () => {
    if (quitting) return;
    quitting = true;
    windows.closeAll();
    try {
      await opened.close();
    } catch (error) {
      log(`portwatch: stopping: ${messageOf(error)}`);
    }
    unregister();
    tray.destroy();
    app.exit(0);
  };

  const tray = new TrayService({
    deps,
    assetsDir: options.assetsDir,
    platform: app.platform,
    startAtLogin: () => startAtLogin,
    actions: {
      scanNow: (profile) => void handlers.scanNow({ ...(profile ? { profile } : {}) }),
      setPaused: (paused, profile) =>
        void handlers.setPaused({ paused, ...(profile ? { profile } : {}) }).then(() => refresh()),
      openHistory: () => {
        windows.show('history');
        status.markSeen();
      },
      openSettings: () => void windows.show('settings'),
      setStartAtLogin: (enabled) =>
        void setStartAtLogin(app, enabled, env).then(
          () => {
            startAtLogin = enabled;
            void refresh();
          },
          (error) => log(`portwatch: start at login: ${messageOf(error)}`),
        ),
      quit: () => void quit(),
    },
  });

  let pending: Promise<AppState | undefined> | undefined;
  const refresh = (): Promise<AppState | undefined> => {
    // Coalesce bursts (progress events arrive several times a second).
    pending ??= Promise.resolve().then(async () => {
      pending = undefined;
      const result = await handlers.getAppState({});
      if (!result.ok) {
        log(`portwatch: ${result.error}`);
        return undefined;
      }
      tray.update(result.value);
      windows.broadcast('stateChanged', result.value);
      return result.value;
    });
    return pending;
  };
  status.onChange(() => void refresh());

  monitor.on('scan-started', ({ profile }) => status.scanStarted(profile));
  monitor.on('progress', (p) => {
    const event = {
      profile: p.profile,
      task: p.task,
      percent: p.percent,
      ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}),
    };
    status.progress(event);
    windows.broadcast('scanProgress', event);
  });
  monitor.on('scan-finished', ({ entry }) => {
    status.scanRecorded(entry);
    windows.broadcast('scanRecorded', toRow(entry));
  });
  monitor.on('state', () => void refresh());
  monitor.on('error', ({ profile, error }) =>
    log(`portwatch: ${profile ? `${profile}: ` : ''}${messageOf(error)}`),
  );

  app.on('second-instance', () => {
    windows.show(monitor.listProfiles().length === 0 ? 'settings' : 'history');
  });
  // Closing every window leaves the app in the tray; only Quit ends it.
  app.on('window-all-closed', () => {});
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    void quit();
  });

  for (const profile of monitor.listProfiles()) status.seed(monitor.history(profile.name, 1).records);
  await refresh();
  void monitor.start().catch((error) => log(`portwatch: schedules: ${messageOf(error)}`));
  mail.start();
  if (!options.hidden && monitor.listProfiles().length === 0) windows.show('settings');

  return { windows, tray, status, handlers, notifier, opened, refresh, quit };
}
