// The one composition root: every long-lived or scanning process (the CLI's scan, capture and watch, the app)
// opens the engine here, so they all read the settings file once and build the same secret store, mail
// reporter and monitor from it. Nothing else constructs these for scanning.
//
//   const engine = await openEngine(dataDir, { env, codec, reporter });
//   await engine.monitor.scanNow('home');
//   await engine.reloadSettings();   // after the settings file changed (the app's Settings window)
//   await engine.close();
import type { Settings } from '../shared/settings.ts';
import { loadSettings, monitorSettingsOf } from './config/settings-file.ts';
import { createSecretStore, type SecretCodec, type SecretStore } from './config/secrets.ts';
import { createMailReporter, type MailReporter, type MailReporterOptions } from './mail/mail-reporter.ts';
import { Monitor, type MonitorOptions } from './monitor/monitor.ts';
import { NotificationPolicy } from './notify/policy.ts';
import { openLog, type Log, type LogOptions } from './log.ts';
import type { Reporter } from './reporter.ts';

export interface OpenEngineOptions {
  /** Default: process.env. Read for PORTWATCH_SMTP_PASSWORD and PORTWATCH_NMAP. */
  env?: NodeJS.ProcessEnv;
  /** The app's safeStorage codec for the mail password; default: the CLI's owner-only file. */
  codec?: SecretCodec;
  /** Wraps the mail reporter (the app adds desktop notifications, with the same policy); default: mail only. */
  reporter?: (mail: MailReporter, policy: NotificationPolicy) => Reporter;
  /** Settings already read by this process (the scan's head start): the file is not read again. */
  settings?: Settings;
  /** Mail reporter tuning (tests: clock, timeouts, events; `portwatch history`: autoSend off). */
  mail?: Omit<MailReporterOptions, 'dataDir' | 'env' | 'secrets' | 'policy'>;
  /** Log lines also go to this stream (the CLI's stderr); the file DATA/portwatch.log always gets them. */
  stderr?: LogOptions['stderr'];
  /** Monitor tuning (tests: clock, offline check, scheduler timing). */
  monitor?: Pick<MonitorOptions, 'clock' | 'isOffline' | 'scheduler'>;
}

export interface Engine {
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: SecretStore;
  readonly mail: MailReporter;
  readonly monitor: Monitor;
  /** DATA/portwatch.log (and the CLI's stderr): `log.for('module').error(...)`. */
  readonly log: Log;
  /** Whether and what to tell the user, for every channel (notify/policy.ts). */
  readonly policy: NotificationPolicy;
  /** The settings as last read (at open or by `reloadSettings`). */
  settings(): Settings;
  /** Reads the settings file again and applies what the monitor uses (nmap's path, retention). */
  reloadSettings(): Promise<Settings>;
  /** Stops the schedules (running scans are cancelled and recorded), then waits for mail in flight. */
  close(): Promise<void>;
}

export async function openEngine(dataDir: string, options: OpenEngineOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  let settings = options.settings ?? (await loadSettings(dataDir));
  const secrets = createSecretStore({ dataDir, env, ...(options.codec ? { codec: options.codec } : {}) });
  const log = openLog({ dataDir, ...(options.stderr ? { stderr: options.stderr } : {}) });
  const policy = new NotificationPolicy({ dataDir, ...(options.mail?.now ? { now: options.mail.now } : {}) });
  const mail = createMailReporter({
    log: log.for('mail'),
    ...options.mail,
    dataDir,
    env,
    secrets,
    policy,
    // The channels' secrets are protected like the mail password (the app: safeStorage).
    ...(options.codec ? { codec: options.codec } : {}),
  });
  const monitor = new Monitor({
    ...options.monitor,
    dataDir,
    reporter: options.reporter ? options.reporter(mail, policy) : mail,
    ...monitorSettingsOf(settings, env),
  });
  // Every background failure of the monitor (a reporter that threw, a schedule that failed) is logged.
  const monitorLog = log.for('monitor');
  monitor.on('error', ({ profile, error }) =>
    monitorLog.error(profile ? `${profile}` : 'background work failed', error),
  );
  return {
    dataDir,
    env,
    secrets,
    mail,
    monitor,
    policy,
    log,
    settings: () => settings,
    async reloadSettings() {
      settings = await loadSettings(dataDir);
      monitor.configure(monitorSettingsOf(settings, env));
      return settings;
    },
    async close() {
      await monitor.stop();
      await mail.close();
    },
  };
}
