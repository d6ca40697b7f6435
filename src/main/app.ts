// The tray app, wired: single instance, the engine over the data directory, IPC, the tray, the windows and
// desktop notifications. Everything Electron-specific comes in through ElectronDeps, so the whole start-up and
// shutdown runs in the tests with fakes (test/main-*.test.ts).
import { messageOf } from '../engine/errors.ts';
import type { Logger } from '../engine/log.ts';
import type { MailReporter } from '../engine/mail/mail-reporter.ts';
import type { NotificationPolicy } from '../engine/notify/policy.ts';
import type { Reporter } from '../engine/reporter.ts';
import type { AppState } from '../shared/ipc.ts';
import { setStartAtLogin, startsAtLogin } from './autostart.ts';
import type { ElectronDeps } from './deps.ts';
import { createHandlers, type Handlers } from '../engine/api/index.ts';
import type { AppEngineOptions, OpenedAppEngine } from '../engine/api/real-engine.ts';
import { toRow } from '../engine/api/rows.ts';
import { AppStatus } from '../engine/api/status.ts';
import { applicationMenu } from './app-menu.ts';
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
  openEngine: (options: Pick<AppEngineOptions, 'codec' | 'reporter'>) => Promise<OpenedAppEngine>;
  /** Runs first thing after ready, before any window: the scheme handler and session hardening. */
  onReady?: () => void;
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
  // Every failure goes to the data directory's log (an app started at login has no terminal), and to the
  // console (or the tests' log) too.
  const toConsole = options.log ?? ((line: string) => console.error(line));
  let fileLog: Logger | undefined = undefined;
  const log = (line: string) => {
    fileLog?.error(line.replace(/^portwatch: /, ''));
    toConsole(line);
  };
  const env = options.env ?? process.env;

  // One Portwatch per user: a second launch hands over to the first (which shows a window) and exits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  await app.whenReady();
  options.onReady?.();
  deps.setApplicationMenu(applicationMenu(app.platform));

  const status = new AppStatus();
  let startAtLogin = await startsAtLogin(app, env).catch(() => false);
  const windows = new WindowManager({
    deps,
    preload: options.preloadPath,
    bounds: { get: (k) => options.uiState.bounds(k), set: (k, b) => options.uiState.setBounds(k, b) },
    displays: () => deps.displays(),
    ...(app.platform === 'darwin' ? { bringAppForward: () => app.focus?.({ steal: true }) } : {}),
  });

  let notifier!: Notifier;
  // Desktop notices and mail, one policy (engine/notify/policy.ts): settings, quiet hours, failed-scan limits.
  const withNotifications = (mail: MailReporter, policy: NotificationPolicy): Reporter => {
    notifier = new Notifier({
      deps,
      policy,
      settings: () => opened.engine.settings(),
      openScan: (id) => {
        windows.show('history', id ? { scan: id } : undefined);
        status.markSeen(id);
      },
      icon: appIconPath(options.assetsDir),
      log,
    });
    return {
      async scanRecorded(report) {
        await Promise.all([
          mail.scanRecorded(report),
          notifier
            .scanRecorded(report)
            .catch((error) => log(`portwatch: notification failed: ${messageOf(error)}`)),
        ]);
      },
      async watchdog(profile, lastSuccessAt) {
        await notifier
          .watchdog(profile, lastSuccessAt)
          .catch((error) => log(`portwatch: notification failed: ${messageOf(error)}`));
        await mail.watchdog(profile, lastSuccessAt);
      },
      deliveryState: (id) => mail.deliveryState(id),
      deliveries: (id) => mail.deliveries(id),
    };
  };
  const opened = await options.openEngine({
    codec: safeStorageCodec(deps.safeStorage, app.platform),
    reporter: withNotifications,
  });
  const { engine, monitor, mail } = opened;
  fileLog = opened.log.for('app');

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
    notifier.close();
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
      scanNow: (profile) =>
        void handlers.scanNow({ ...(profile ? { profile } : {}) }).then((result) => {
          if (!result.ok) scanNowFailed(profile, result.error);
        }),
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

  /** The tray's "Scan now" was refused (no profile by that name now, say): the user asked, so tell them. */
  function scanNowFailed(profile: string | undefined, error: string): void {
    log(`portwatch: scan now: ${error}`);
    status.scanFailed(profile ?? '', error);
    void opened.engine.settings().then(
      (settings) => {
        if (settings.notifications.desktop && deps.notificationsSupported())
          notifier.show({ title: 'Portwatch could not start the scan', body: error, urgency: 'normal' }, () =>
            windows.show('settings'),
          );
      },
      () => {}, // the tray's error state still shows it
    );
  }

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

  status.follow(monitor); // the one live model, fed by the monitor's events
  monitor.on('progress', (p) =>
    windows.broadcast('scanProgress', {
      profile: p.profile,
      task: p.task,
      percent: p.percent,
      ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}),
    }),
  );
  monitor.on('scan-finished', ({ entry }) => windows.broadcast('scanRecorded', toRow(entry)));
  monitor.on('changed', () => void refresh());
  // The engine logs these to the file itself (open-engine.ts); the status shows them (AppStatus.follow).
  monitor.on('error', ({ profile, error }) =>
    toConsole(`portwatch: ${profile ? `${profile}: ` : ''}${messageOf(error)}`),
  );

  const showMain = () => windows.show(monitor.listProfiles().length === 0 ? 'settings' : 'history');
  app.on('second-instance', showMain);
  // macOS: launching the running app again (Finder, Spotlight) sends `activate`, not a second instance. The
  // `activate` of the first launch comes at ready, before this listener exists, so `--hidden` stays hidden.
  if (app.platform === 'darwin') app.on('activate', showMain);
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
