// The app's engine over one data directory: the engine the CLI opens (src/engine/open-engine.ts), behind the
// AppEngine interface the request handlers call. No electron here: the shell passes its safeStorage codec in,
// and the tests use this very function on a temporary directory.
import fs from 'node:fs';
import { monitorSettingsOf, saveSettings } from '../config/settings-file.ts';
import type { SecretCodec, SecretStore } from '../config/secrets.ts';
import { ndiff } from '../diff/ndiff/index.ts';
import { UserError, messageOf } from '../errors.ts';
import type { MailReporter } from '../mail/mail-reporter.ts';
import { reportForScan } from '../mail/report.ts';
import { sendTestMessage } from '../mail/test-message.ts';
import { testChannel } from '../channels/send.ts';
import { mailNotReady } from '../mail/transport.ts';
import type { Monitor } from '../monitor/monitor.ts';
import { ReferenceStore, type ReferenceMeta } from '../monitor/references.ts';
import { parseNmapXml } from '../nmap/parse.ts';
import { detectNmap, NMAP_INSTALL_HINT } from '../nmap/detect.ts';
import type { Log } from '../log.ts';
import type { NotificationPolicy } from '../notify/policy.ts';
import { openEngine, type OpenEngineOptions } from '../open-engine.ts';
import { withDelivery } from '../reporter.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import type { ReferenceSummary } from '../../shared/ipc.ts';
import type { NmapRun } from '../../shared/scan.ts';
import type { Settings } from '../../shared/settings.ts';
import { describeScheduleError, validateSchedule } from '../../shared/validate/index.ts';
import { repeatedPartsSharer } from './compact.ts';
import type { AppEngine } from './engine.ts';

export interface AppEngineOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** The app's safeStorage codec; default: the CLI's owner-only file. */
  codec?: SecretCodec;
  /** Wraps the mail reporter (the app adds desktop notifications, with the engine's policy). */
  reporter?: OpenEngineOptions['reporter'];
  /** SMTP timeouts for the test mail (tests shorten them). */
  testMailTimeoutMs?: number;
  /** Monitor tuning for tests (clock, offline check). */
  monitor?: OpenEngineOptions['monitor'];
  /** Log lines also go here (`portwatch watch --ui`: the CLI's stderr). */
  stderr?: OpenEngineOptions['stderr'];
}

export interface OpenedAppEngine {
  engine: AppEngine;
  monitor: Monitor;
  mail: MailReporter;
  secrets: SecretStore;
  policy: NotificationPolicy;
  log: Log;
  close(): Promise<void>;
}

function summaryOf(profile: string, meta: ReferenceMeta, run: NmapRun): ReferenceSummary {
  return {
    profile,
    id: meta.id,
    scannedAt: run.start ? new Date(run.start * 1000).toISOString() : meta.createdAt,
    source: meta.source === 'first-scan' ? 'capture' : meta.source === 'acknowledge' ? 'accept' : meta.source,
    hosts: meta.hostsUp,
    openPorts: meta.openPorts,
  };
}

export async function openAppEngine(options: AppEngineOptions): Promise<OpenedAppEngine> {
  const { dataDir } = options;
  const opened = await openEngine(dataDir, {
    ...(options.env ? { env: options.env } : {}),
    ...(options.codec ? { codec: options.codec } : {}),
    ...(options.reporter ? { reporter: options.reporter } : {}),
    ...(options.monitor ? { monitor: options.monitor } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
  });
  const { env, secrets, mail, monitor, policy, log } = opened;

  // Each profile's history, read once and kept while its log file is unchanged (the CLI may append too).
  const cache = new Map<string, { stamp: string; entries: HistoryEntry[] }>();
  const stampOf = (file: string) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return { stat, stamp: stat ? `${stat.size}:${stat.mtimeMs}` : 'none' };
  };
  const historyOf = (name: string): HistoryEntry[] => {
    const file = monitor.store.paths(name).historyLog;
    const { stat, stamp } = stampOf(file);
    const known = cache.get(name);
    if (known && known.stamp === stamp) return known.entries;
    // Read in pages, each compacted as it comes, so a long history never sits in memory twice.
    const entries: HistoryEntry[] = [];
    const compact = repeatedPartsSharer();
    for (let before: number | undefined, more = stat !== undefined; more; more = before !== undefined) {
      const page = monitor.history(name, 2000, before);
      for (const entry of page.records) entries.push(compact(entry));
      before = page.next;
    }
    cache.set(name, { stamp, entries });
    return entries;
  };
  const findEntry = (id: string): HistoryEntry | null => {
    for (const profile of monitor.listProfiles()) {
      const hit = historyOf(profile.name).find((e) => e.id === id);
      if (hit) return hit;
    }
    return null;
  };
  const entryOrFail = (id: string): HistoryEntry => {
    const entry = findEntry(id);
    if (!entry) throw new UserError(`scan ${id} is no longer in the history`);
    return entry;
  };
  const currentSummary = (name: string): ReferenceSummary => {
    const current = monitor.currentReference(name);
    if (!current) throw new UserError(`profile '${name}' has no reference`);
    return summaryOf(name, current.meta, current.run);
  };
  const ndiffOf = async (entry: HistoryEntry, format: 'text' | 'xml'): Promise<string> => {
    if (!entry.referenceId || !entry.hasXml) return '';
    const xml = monitor.scanXml(entry.profile, entry.id);
    if (xml === undefined) return '';
    const reference = new ReferenceStore(monitor.store.paths(entry.profile)).load(entry.referenceId);
    let out = '';
    ndiff(
      reference,
      parseNmapXml(xml, { source: `scan ${entry.id}` }),
      { verbose: false, format },
      (t) => (out += t),
    );
    return out;
  };
  const checkSchedule = (schedule: Parameters<AppEngine['describeSchedule']>[0]) => {
    const result = validateSchedule(schedule);
    if (!result.ok) throw new UserError(describeScheduleError(result.errors[0]!));
    return result.value;
  };

  const engine: AppEngine = {
    async listProfiles() {
      return monitor.listProfiles();
    },
    async saveProfile(input, previousName) {
      const schedule = checkSchedule(input.schedule);
      if (previousName !== undefined) {
        if (previousName !== input.name)
          throw new UserError(
            `a profile cannot be renamed (its name is its folder); add a profile named '${input.name}' and remove '${previousName}'`,
          );
        return monitor.updateProfile(previousName, (p) => ({
          ...p,
          targets: input.targets,
          options: input.options,
          schedule,
          watchdogHours: input.watchdogHours,
        }));
      }
      return monitor.addProfile({ ...input, schedule });
    },
    async removeProfile(name) {
      monitor.removeProfile(name);
      cache.delete(name);
    },
    async setPaused(name, paused) {
      if (paused) monitor.pause(name);
      else await monitor.resume(name);
    },
    describeSchedule(schedule, count) {
      return monitor.describeSchedule(checkSchedule(schedule), count);
    },
    async reference(name) {
      const current = monitor.currentReference(name);
      return current ? { summary: summaryOf(name, current.meta, current.run), run: current.run } : null;
    },
    async importReference(name, xml, fileName) {
      monitor.importReferenceXml(name, xml, fileName);
      return currentSummary(name);
    },
    async captureReference(name, onProgress) {
      const listener = (p: { profile: string; task: string; percent: number; etaSeconds?: number }) => {
        if (p.profile === name)
          onProgress?.({
            profile: name,
            task: p.task,
            percent: p.percent,
            ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}),
          });
      };
      monitor.on('progress', listener);
      try {
        await monitor.captureReference(name);
      } finally {
        monitor.off('progress', listener);
      }
      return currentSummary(name);
    },
    async acceptScan(entryId, hosts) {
      const entry = entryOrFail(entryId);
      monitor.acceptScan(entry.profile, { entryId, ...(hosts ? { hosts } : {}) });
      return currentSummary(entry.profile);
    },
    async history(name) {
      if (name !== undefined) {
        monitor.getProfile(name);
        return historyOf(name);
      }
      return monitor.listProfiles().flatMap((p) => historyOf(p.name));
    },
    async historyHead(name, count) {
      monitor.getProfile(name);
      const file = monitor.store.paths(name).historyLog;
      const known = cache.get(name);
      if (known && known.stamp === stampOf(file).stamp)
        return { entries: known.entries.slice(0, count), total: known.entries.length };
      // Not read yet: the newest lines from the end of the log, and the count of its lines.
      const text = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
      let total = 0;
      for (let at = text.indexOf(10); at !== -1; at = text.indexOf(10, at + 1)) total++;
      return { entries: monitor.history(name, count).records, total };
    },
    async entry(id) {
      const entry = findEntry(id);
      return entry ? ((await withDelivery([entry], mail))[0] ?? entry) : null;
    },
    async ndiff(entryId, format) {
      return ndiffOf(entryOrFail(entryId), format);
    },
    async htmlReport(entryId) {
      const entry = entryOrFail(entryId);
      const profile = monitor.getProfile(entry.profile);
      return reportForScan({ profile, entry, ndiffText: await ndiffOf(entry, 'text') }).html;
    },
    async scanNow(name) {
      const names =
        name !== undefined ? [monitor.getProfile(name).name] : monitor.listProfiles().map((p) => p.name);
      if (names.length === 0) throw new UserError('there are no profiles yet; add one in Settings');
      // Not awaited: the scan reports through the monitor's events; a failure is recorded in the history.
      for (const n of names)
        monitor.scanNow(n).catch((error) => monitor.emit('error', { profile: n, error }));
      return names;
    },
    nextRun(name) {
      return monitor.nextRun(name);
    },
    settings: () => opened.reloadSettings(),
    async saveSettings(settings) {
      await saveSettings(dataDir, settings);
      return opened.reloadSettings();
    },
    secretStatus: () => secrets.status(),
    setMailPassword: (password) => secrets.set(password),
    clearMailPassword: () => secrets.clear(),
    async sendTestEmail(given?: Settings) {
      const settings = given ?? (await opened.reloadSettings());
      // A test is allowed before email is switched on: that is when it is most useful.
      const email = { ...settings.email, enabled: true };
      const notReady = mailNotReady({ ...settings, email });
      if (notReady) throw notReady; // the windows phrase its hint their way (errorMessage)
      const password = await secrets.get();
      const response = await sendTestMessage(email, password, options.testMailTimeoutMs);
      return `Sent to ${email.to.join(', ')} via ${email.host}:${email.port}; the server said: ${response}`;
    },
    listChannels: () => mail.channels.list(),
    addChannel: (input) => mail.channels.add(input),
    async testChannel(name) {
      const { ok, status, message } = await testChannel(mail.channels, name);
      return { ok, message, ...(status !== undefined ? { status } : {}) };
    },
    removeChannel: (name) => mail.channels.remove(name),
    async nmapStatus() {
      const settings = await opened.reloadSettings().catch(() => undefined);
      try {
        const found = await detectNmap({
          ...(settings ? { nmapPath: monitorSettingsOf(settings, env).nmapPath } : {}),
          env,
        });
        return {
          found: true,
          path: found.path,
          version: found.version,
          privileged: found.privileged,
          ...(found.privileged
            ? {}
            : {
                advice:
                  process.platform === 'linux'
                    ? `TCP connect scans work as is. For SYN or UDP scans and OS detection, grant nmap raw sockets: sudo setcap cap_net_raw,cap_net_admin,cap_net_bind_service+eip ${found.path}`
                    : 'TCP connect scans work as is. SYN or UDP scans and OS detection need Portwatch to run as an administrator.',
              }),
        };
      } catch (error) {
        return {
          found: false,
          privileged: false,
          advice:
            error instanceof UserError
              ? error.message
              : `nmap was not found: ${messageOf(error)}; ${NMAP_INSTALL_HINT}`,
        };
      }
    },
  };

  return {
    engine,
    monitor,
    mail,
    secrets,
    policy,
    log,
    close: () => opened.close(),
  };
}
