// The monitor: one object over a data directory that the CLI and the tray app drive alike. It composes the
// parts that each do one job (profile-actions.ts, reference-actions.ts, scan-runner.ts; history.ts for
// reading the history), runs the schedules and the watchdog, and is the one place events come from.
//
//   const monitor = new Monitor({ dataDir, reporter });
//   monitor.on('scan-finished', ({ entry }) => ...);
//   await monitor.start();                 // schedules (runs what was missed, once), watchdog
//   const outcome = await monitor.scanNow('home');   // joins a scan of 'home' already running
//   await monitor.stop();                  // cancels running scans, waits until they are recorded
//
// Events: 'scan-started', 'progress', 'nmap-started', 'scan-finished', 'waiting' (another process is
// scanning the profile), 'watchdog', 'changed' (profiles, references, pauses or running scans changed:
// re-read what you show), 'scan-ended' (a scan's work is over, recorded or not), 'error' (a background
// failure, e.g. a reporter that threw; never thrown at the caller of a scheduled scan).
import { EventEmitter } from 'node:events';
import type { HistoryEntry } from '../../shared/history.ts';
import type { ExpectedRule, Profile, Schedule } from '../../shared/profile.ts';
import type { NmapRun } from '../../shared/scan.ts';
import type { Reporter } from '../reporter.ts';
import { silentReporter } from '../reporter.ts';
import { describeSchedule, nextRuns } from '../schedule/cron.ts';
import { Scheduler, systemClock, type Clock, type SchedulerOptions } from '../schedule/scheduler.ts';
import { removeStaleTemps } from '../store/atomic.ts';
import type { LogPage } from '../store/log.ts';
import type { HeadStart } from './head-start.ts';
import { HistoryStore } from './history.ts';
import { machineLooksOffline, type OfflineCheck } from './offline.ts';
import { ProfileActions, type ExpectedInput } from './profile-actions.ts';
import { ProfileStore, type NewProfile } from './profiles.ts';
import { ReferenceActions } from './reference-actions.ts';
import type { ReferenceMeta } from './references.ts';
import {
  ScanRunner,
  type EmitScanEvent,
  type ScanEvents,
  type ScanOutcome,
  type ScanTrigger,
} from './scan-runner.ts';
import { readState, updateState, type ProfileState } from './state.ts';

export type { ExpectedInput, ScanOutcome, ScanTrigger };

/** The runner's events and the monitor's own. */
export interface MonitorEvents extends ScanEvents {
  watchdog: [{ profile: string; lastSuccessAt: string | null }];
  changed: [];
}

export interface MonitorOptions {
  dataDir: string;
  reporter?: Reporter;
  /** Path to nmap; default: found on PATH. */
  nmapPath?: string;
  /** "This machine looks offline" (injectable for tests). */
  isOffline?: OfflineCheck;
  /** Keep the raw XML of no-change scans this many days (default 30). */
  retentionDays?: number;
  clock?: Clock;
  scheduler?: Omit<SchedulerOptions, 'clock'>;
}

export class Monitor extends EventEmitter<MonitorEvents> {
  readonly dataDir: string;
  readonly store: ProfileStore;
  readonly scheduler: Scheduler;
  #reporter: Reporter;
  #clock: Clock;
  #runner: ScanRunner;
  #profiles: ProfileActions;
  #references: ReferenceActions;

  constructor(options: MonitorOptions) {
    super();
    this.dataDir = options.dataDir;
    this.store = new ProfileStore(options.dataDir);
    this.#reporter = options.reporter ?? silentReporter;
    this.#clock = options.clock ?? systemClock;
    this.#runner = new ScanRunner({
      store: this.store,
      nmapPath: options.nmapPath,
      isOffline: options.isOffline ?? machineLooksOffline,
      retentionDays: options.retentionDays ?? 30,
      clock: this.#clock,
      // MonitorEvents extends ScanEvents, which TypeScript cannot see through emit's conditional types.
      emit: this.emit.bind(this) as EmitScanEvent,
      report: (profile, { entry, ndiffText }) => this.#reporter.scanRecorded({ profile, entry, ndiffText }),
      changed: () => this.#changed(),
    });
    this.#profiles = new ProfileActions({
      store: this.store,
      clock: this.#clock,
      isScanning: (name) => this.#runner.isScanning(name),
      changed: () => this.#changed(),
    });
    this.#references = new ReferenceActions({
      store: this.store,
      runner: this.#runner,
      changed: () => this.#changed(),
    });
    this.scheduler = new Scheduler(
      {
        profiles: () => this.store.list(),
        memory: (name) => readState(this.store.paths(name)),
        runScheduled: (name) => this.scanNow(name, { trigger: 'schedule' }),
        watchdog: (profile) => this.#watchdog(profile),
      },
      { ...options.scheduler, clock: this.#clock },
    );
    this.scheduler.on('error', (event) => this.emit('error', event));
  }

  /** Applies changed settings (nmap's path, retention) to the scans that start from now on. */
  configure(settings: { nmapPath?: string; retentionDays?: number }): void {
    this.#runner.configure(settings);
  }

  /** Swaps the reporter (e.g. once mail settings are saved). */
  setReporter(reporter: Reporter): void {
    this.#reporter = reporter;
  }

  // ---- profiles -------------------------------------------------------------------------------------

  listProfiles(): Profile[] {
    return this.#profiles.list();
  }

  getProfile(name: string): Profile {
    return this.#profiles.get(name);
  }

  /** Adds a profile after checking its targets and options with the shared rules. */
  addProfile(input: NewProfile): Profile {
    return this.#profiles.add(input);
  }

  /** Changes a profile (targets, options, schedule, watchdog); the name stays. */
  updateProfile(name: string, change: (profile: Profile) => Profile): Profile {
    return this.#profiles.update(name, change);
  }

  /** Moves the profile's folder to DATA/removed/ (not while it is scanned here); returns where it went. */
  removeProfile(name: string): string {
    return this.#profiles.remove(name);
  }

  // ---- references -----------------------------------------------------------------------------------

  /** Every reference of the profile, newest (the one in force) first. */
  references(name: string): ReferenceMeta[] {
    return this.#references.list(name);
  }

  currentReference(name: string): { meta: ReferenceMeta; run: NmapRun } | undefined {
    return this.#references.current(name);
  }

  /** Makes an existing nmap XML file (e.g. the old routine's reference.xml) the reference. */
  importReference(name: string, file: string): ReferenceMeta {
    return this.#references.importFile(name, file);
  }

  /** The same from XML text (the app reads the file in the window). */
  importReferenceXml(name: string, xml: string, fileName: string): ReferenceMeta {
    return this.#references.importXml(name, xml, fileName);
  }

  /** Runs a scan and makes it the reference, through the one scan cycle; a failed scan throws a UserError. */
  captureReference(
    name: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ entry: HistoryEntry; reference: ReferenceMeta }> {
    return this.#references.capture(name, options);
  }

  /** Accepts a scan (default: the latest successful one) as the reference, wholly or only for `hosts`. */
  acceptScan(name: string, options: { entryId?: string; hosts?: string[] } = {}): ReferenceMeta {
    return this.#references.accept(name, options);
  }

  /** Takes one change (by its changeKey) of a scan into the reference, leaving the rest of the reference. */
  acknowledge(name: string, key: string, entryId?: string): ReferenceMeta {
    return this.#references.acknowledge(name, key, entryId);
  }

  // ---- history --------------------------------------------------------------------------------------

  /** Newest first; pass `page.next` as `before` for older entries. */
  history(name: string, limit = 100, before?: number): LogPage<HistoryEntry> {
    this.store.get(name);
    return this.#history(name).list(limit, before);
  }

  entry(name: string, id: string): HistoryEntry | undefined {
    return this.#history(name).get(id);
  }

  /** The raw XML of a scan, while retention keeps it. */
  scanXml(name: string, id: string): string | undefined {
    return this.#history(name).xml(id);
  }

  // ---- noise control --------------------------------------------------------------------------------

  /** Records-but-does-not-alert changes of a host or host:port (optionally until a date). */
  addExpected(name: string, input: ExpectedInput): ExpectedRule {
    return this.#profiles.addExpected(name, input);
  }

  /** Silences one host:port for a while (an expected rule with an end). */
  snooze(name: string, target: string, hours: number, note?: string): ExpectedRule {
    return this.#profiles.snooze(name, target, hours, note);
  }

  removeExpected(name: string, id: string): ExpectedRule {
    return this.#profiles.removeExpected(name, id);
  }

  // ---- scanning -------------------------------------------------------------------------------------

  isScanning(name: string): boolean {
    return this.#runner.isScanning(name);
  }

  /**
   * Scans the profile now, compares, records and reports; joins a scan of it already running (scan-runner.ts).
   * `headStart`: a scan of this profile already started by `startScanEarly` (holding the lock), taken over.
   */
  scanNow(
    name: string,
    options: { trigger?: Exclude<ScanTrigger, 'capture'>; signal?: AbortSignal; headStart?: HeadStart } = {},
  ): Promise<ScanOutcome> {
    return this.#runner.scanNow(name, options);
  }

  /** Cancels the running scan of a profile (it is recorded as cancelled). */
  cancel(name: string): boolean {
    return this.#runner.cancel(name);
  }

  // ---- schedule -------------------------------------------------------------------------------------

  /**
   * Starts every schedule; what was missed while nothing ran runs now, once per profile. Temp files left by
   * writes that a crash interrupted are removed first.
   */
  start(): Promise<void> {
    removeStaleTemps(this.dataDir); // settings.json, notify-state.json
    for (const profile of this.store.list()) {
      const paths = this.store.paths(profile.name);
      for (const dir of [paths.dir, paths.referencesDir, paths.scansDir]) removeStaleTemps(dir);
    }
    return this.scheduler.start();
  }

  /** Stops the schedules, cancels running scans and waits until they are recorded. */
  async stop(): Promise<void> {
    this.scheduler.stop();
    await this.#runner.cancelAll();
  }

  /** Pauses one profile (persisted) or, without a name, every schedule of this monitor. */
  pause(name?: string): void {
    if (name === undefined) {
      this.scheduler.pause();
      this.#changed();
    } else this.#profiles.setPaused(name, true);
  }

  resume(name?: string): Promise<void> {
    if (name !== undefined) {
      this.#profiles.setPaused(name, false);
      return this.scheduler.check();
    }
    this.#changed();
    return this.scheduler.resume();
  }

  describeSchedule(schedule: Schedule, count = 3): { text: string; nextRuns: string[] } {
    return {
      text: describeSchedule(schedule),
      nextRuns: nextRuns(schedule, this.#clock.now(), count).map((d) => d.toISOString()),
    };
  }

  nextRun(name: string): string | null {
    const profile = this.store.find(name);
    if (!profile || profile.paused || this.scheduler.paused) return null;
    return nextRuns(profile.schedule, this.#clock.now(), 1)[0]?.toISOString() ?? null;
  }

  profileState(name: string): ProfileState {
    return readState(this.store.paths(name));
  }

  /** The watchdog's alert: no successful scan for too long (the scheduler decides when). */
  async #watchdog(profile: Profile): Promise<void> {
    const paths = this.store.paths(profile.name);
    const lastSuccessAt = readState(paths).lastSuccessAt ?? null;
    updateState(paths, (state) => ({ ...state, lastWatchdogAt: this.#clock.now().toISOString() }));
    this.emit('watchdog', { profile: profile.name, lastSuccessAt });
    await this.#reporter.watchdog(profile, lastSuccessAt);
  }

  // ---- internals ------------------------------------------------------------------------------------

  #history(name: string): HistoryStore {
    return new HistoryStore(this.store.paths(name));
  }

  #changed(): void {
    this.scheduler.refresh();
    try {
      this.emit('changed');
    } catch (error) {
      this.emit('error', { error });
    }
  }
}
