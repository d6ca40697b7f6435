// The monitor: one object over a data directory that the CLI and the tray app drive alike.
//
//   const monitor = new Monitor({ dataDir, reporter });
//   monitor.on('scan-finished', ({ entry }) => ...);
//   await monitor.start();                 // schedules (runs what was missed, once), watchdog
//   const outcome = await monitor.scanNow('home');   // joins a scan of 'home' already running
//   await monitor.stop();                  // cancels running scans, waits until they are recorded
//
// Events: 'scan-started', 'progress', 'scan-finished', 'waiting' (another process is scanning the profile),
// 'watchdog', 'changed' (profiles, references, pauses or running scans changed: re-read what you show),
// 'scan-ended' (a scan's work is over, recorded or not), 'error' (a background failure, e.g. a reporter
// that threw; never thrown at the caller of a scheduled scan).
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Change } from '../../shared/changes.ts';
import { changeKey } from '../../shared/changes.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import type { ExpectedRule, Profile, Schedule, ScanOptions } from '../../shared/profile.ts';
import type { NmapRun } from '../../shared/scan.ts';
import { validateTargets } from '../../shared/validate/targets.ts';
import { validateScanOptions } from '../../shared/validate/options.ts';
import { describeError } from '../../shared/validate/result.ts';
import { UserError } from '../errors.ts';
import { parseNmapXml, parseNmapXmlFile } from '../nmap/parse.ts';
import type { ScanProgress } from '../nmap/run.ts';
import type { Reporter } from '../reporter.ts';
import { silentReporter } from '../reporter.ts';
import { checkSchedule, describeSchedule, nextRuns } from '../schedule/cron.ts';
import { Scheduler, systemClock, type Clock, type SchedulerOptions } from '../schedule/scheduler.ts';
import { removeStaleTemps } from '../store/atomic.ts';
import { acquireLock, lockHolder, type LockOwner, type Lock } from '../store/lock.ts';
import { runCycle, type CycleOutcome, type ScanPhase } from './cycle.ts';
import type { HeadStart } from './head-start.ts';
import { HistoryStore } from './history.ts';
import type { ProfilePaths } from './layout.ts';
import { machineLooksOffline, type OfflineCheck } from './offline.ts';
import { ProfileStore, defaultScanOptions, type NewProfile } from './profiles.ts';
import { ReferenceStore, type ReferenceMeta } from './references.ts';
import { hostKey } from '../nmap/hosts.ts';
import { mergeHosts, mergePort } from './runs.ts';
import { readState, updateState, type ProfileState } from './state.ts';
import { parseHostPort } from './noise.ts';
import type { LogPage } from '../store/log.ts';

export type ScanTrigger = 'manual' | 'schedule' | 'capture';

export interface ScanOutcome extends CycleOutcome {
  /** True when this call joined a scan that was already running (here or in another process). */
  joined: boolean;
}

export interface MonitorEvents {
  'scan-started': [{ profile: string; trigger: ScanTrigger }];
  progress: [{ profile: string; phase: ScanPhase } & ScanProgress];
  'nmap-started': [{ profile: string; phase: ScanPhase; pid: number; args: string[] }];
  'scan-finished': [{ profile: string; trigger: ScanTrigger } & CycleOutcome];
  waiting: [{ profile: string; holder: LockOwner | undefined }];
  watchdog: [{ profile: string; lastSuccessAt: string | null }];
  'scan-ended': [{ profile: string }];
  changed: [];
  error: [{ profile?: string; error: unknown }];
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

export interface ExpectedInput {
  /** "HOST", "HOST:PORT" or "HOST:PORT/PROTO". */
  target: string;
  note?: string;
  /** ISO date (or anything Date.parse reads); after it the rule no longer applies. */
  until?: string;
}

interface Running {
  promise: Promise<ScanOutcome>;
  controller: AbortController;
}

export class Monitor extends EventEmitter<MonitorEvents> {
  readonly dataDir: string;
  readonly store: ProfileStore;
  readonly scheduler: Scheduler;
  #reporter: Reporter;
  #nmapPath: string | undefined;
  #isOffline: OfflineCheck;
  #retentionDays: number;
  #clock: Clock;
  #running = new Map<string, Running>();

  constructor(options: MonitorOptions) {
    super();
    this.dataDir = options.dataDir;
    this.store = new ProfileStore(options.dataDir);
    this.#reporter = options.reporter ?? silentReporter;
    this.#nmapPath = options.nmapPath;
    this.#isOffline = options.isOffline ?? machineLooksOffline;
    this.#retentionDays = options.retentionDays ?? 30;
    this.#clock = options.clock ?? systemClock;
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
    this.#nmapPath = settings.nmapPath;
    if (settings.retentionDays !== undefined) this.#retentionDays = settings.retentionDays;
  }

  /** Swaps the reporter (e.g. once mail settings are saved). */
  setReporter(reporter: Reporter): void {
    this.#reporter = reporter;
  }

  // ---- profiles -------------------------------------------------------------------------------------

  listProfiles(): Profile[] {
    return this.store.list();
  }

  getProfile(name: string): Profile {
    return this.store.get(name);
  }

  /** Adds a profile after checking its targets and options with the shared rules. */
  addProfile(input: NewProfile): Profile {
    const targets = checkTargets(input.targets);
    const options = checkOptions({ ...defaultScanOptions, ...input.options });
    const schedule = input.schedule ? checkSchedule(input.schedule) : undefined;
    const profile = this.store.add({ ...input, targets, options, ...(schedule ? { schedule } : {}) });
    this.#changed();
    return profile;
  }

  /** Changes a profile (targets, options, schedule, watchdog); the name stays. */
  updateProfile(name: string, change: (profile: Profile) => Profile): Profile {
    const profile = this.store.update(name, (current) => {
      const next = change(current);
      return {
        ...next,
        targets: checkTargets(next.targets),
        options: checkOptions(next.options),
        schedule: checkSchedule(next.schedule),
      };
    });
    this.#changed();
    return profile;
  }

  /** Moves the profile's folder to DATA/removed/; returns where it went. */
  removeProfile(name: string): string {
    if (this.#running.has(this.#key(name)))
      throw new UserError(`profile '${name}' is being scanned; try again when the scan is over`);
    const where = this.store.remove(name);
    this.#changed();
    return where;
  }

  // ---- references -----------------------------------------------------------------------------------

  /** Every reference of the profile, newest (the one in force) first. */
  references(name: string): ReferenceMeta[] {
    this.store.get(name);
    return this.#refs(name).list();
  }

  currentReference(name: string): { meta: ReferenceMeta; run: NmapRun } | undefined {
    this.store.get(name);
    const refs = this.#refs(name);
    const meta = refs.current();
    return meta ? { meta, run: refs.load(meta.id) } : undefined;
  }

  /** Makes an existing nmap XML file (e.g. the old routine's reference.xml) the reference. */
  importReference(name: string, file: string): ReferenceMeta {
    const profile = this.store.get(name);
    const run = parseNmapXmlFile(file, { source: file });
    return this.#saveImported(profile, run, undefined, file);
  }

  /** The same from XML text (the app reads the file in the window). */
  importReferenceXml(name: string, xml: string, fileName: string): ReferenceMeta {
    const profile = this.store.get(name);
    const run = parseNmapXml(xml, { source: fileName });
    return this.#saveImported(profile, run, xml, fileName);
  }

  #saveImported(profile: Profile, run: NmapRun, xml: string | undefined, file: string): ReferenceMeta {
    if (run.completeness.status !== 'complete')
      throw new UserError(
        `${file} is not a complete nmap scan (${run.completeness.reason}); use the XML of a scan that finished`,
      );
    if (run.hosts.length === 0)
      throw new UserError(`${file} has no hosts; scan the profile's targets with -oX and import that`);
    const text = xml ?? readText(file);
    const meta = this.#refs(profile.name).save(run, text, { source: 'import', file });
    this.#changed();
    return meta;
  }

  /**
   * Runs a scan and makes it the reference, through the same scan cycle as every scan (nothing is compared).
   * A scan of the profile already running is waited for first. A failed scan is recorded and throws a
   * UserError saying why.
   */
  async captureReference(
    name: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ entry: HistoryEntry; reference: ReferenceMeta }> {
    const profile = this.store.get(name);
    await this.#running.get(this.#key(name))?.promise.catch(() => undefined);
    const outcome = await this.#start(profile.name, { ...options, trigger: 'capture' });
    if (!outcome.newReference)
      throw new UserError(
        `capturing a reference for '${profile.name}' failed: ${outcome.entry.reason}; the reference is unchanged`,
      );
    return { entry: outcome.entry, reference: outcome.newReference };
  }

  /**
   * Accepts a scan (default: the latest successful one) as the new reference: wholly, or only for `hosts`
   * (those hosts are taken from the scan, the rest of the reference stays).
   */
  acceptScan(name: string, options: { entryId?: string; hosts?: string[] } = {}): ReferenceMeta {
    const profile = this.store.get(name);
    const paths = this.store.paths(name);
    const { entry, run, xml } = this.#scanRun(profile, paths, options.entryId);
    const refs = this.#refs(name);
    const current = refs.current();
    const hosts = options.hosts ?? [];
    let meta: ReferenceMeta;
    if (hosts.length === 0 || !current) {
      meta = refs.save(run, xml, { source: 'accept', fromScanId: entry.id });
    } else {
      const known = new Set([...run.hosts, ...refs.load(current.id).hosts].map(hostKey));
      const unknown = hosts.filter((h) => !known.has(h));
      if (unknown.length > 0)
        throw new UserError(
          `host ${unknown.join(', ')} is neither in that scan nor in the reference; give addresses as nmap shows them`,
        );
      const merged = mergeHosts(refs.load(current.id), run, hosts);
      meta = refs.save(merged, undefined, {
        source: 'accept',
        fromScanId: entry.id,
        hosts,
        basedOn: current.id,
      });
    }
    this.#changed();
    return meta;
  }

  /** Takes one change (by its changeKey) of a scan into the reference, leaving the rest of the reference. */
  acknowledge(name: string, key: string, entryId?: string): ReferenceMeta {
    const profile = this.store.get(name);
    const paths = this.store.paths(name);
    const { entry, run } = this.#scanRun(profile, paths, entryId);
    const change = entry.changes.find((c) => changeKey(c) === key);
    if (!change)
      throw new UserError(
        `scan ${entry.id} has no change '${key}'; 'portwatch history ${profile.name} --json' lists the changes`,
      );
    const refs = this.#refs(name);
    const current = refs.current();
    if (!current)
      throw new UserError(`profile '${profile.name}' has no reference yet; capture or import one first`);
    const base = refs.load(current.id);
    const merged =
      'port' in change && change.port !== undefined
        ? mergePort(base, run, change.host, change.port, change.protocol!)
        : mergeHosts(base, run, [change.host]);
    const meta = refs.save(merged, undefined, {
      source: 'acknowledge',
      fromScanId: entry.id,
      changeKey: key,
      basedOn: current.id,
    });
    this.#changed();
    return meta;
  }

  #scanRun(
    profile: Profile,
    paths: ProfilePaths,
    entryId?: string,
  ): { entry: HistoryEntry; run: NmapRun; xml: string } {
    const history = this.#history(profile.name);
    const id = entryId ?? readState(paths).lastSuccessId;
    const entry = id ? history.get(id) : undefined;
    if (!entry) {
      throw new UserError(
        entryId
          ? `no scan ${entryId} in the history of '${profile.name}'`
          : `profile '${profile.name}' has no successful scan yet; run 'portwatch scan ${profile.name}' first`,
      );
    }
    if (entry.status !== 'ok')
      throw new UserError(
        `scan ${entry.id} ${entry.status === 'offline' ? 'ran offline' : 'failed'}; only a successful scan can become the reference`,
      );
    const xml = history.xml(entry.id);
    if (xml === undefined)
      throw new UserError(
        `the XML of scan ${entry.id} was pruned by retention; scan again and accept that scan`,
      );
    return { entry, run: parseNmapXml(xml, { source: `scan ${entry.id}` }), xml };
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
    const where = parseHostPort(input.target);
    let until: string | undefined;
    if (input.until !== undefined) {
      const time = Date.parse(input.until);
      if (Number.isNaN(time))
        throw new UserError(`'${input.until}' is not a date; use e.g. 2026-12-31 or 2026-12-31T18:00`);
      until = new Date(time).toISOString();
    }
    const rule: ExpectedRule = {
      id: Math.random().toString(16).slice(2, 8),
      ...where,
      ...(input.note ? { note: input.note } : {}),
      ...(until ? { until } : {}),
      createdAt: this.#clock.now().toISOString(),
    };
    this.updateProfile(name, (profile) => ({ ...profile, expected: [...profile.expected, rule] }));
    return rule;
  }

  /** Silences one host:port for a while (an expected rule with an end). */
  snooze(name: string, target: string, hours: number, note?: string): ExpectedRule {
    if (!(hours > 0)) throw new UserError('snooze needs a positive number of hours, e.g. --hours 24');
    const until = new Date(this.#clock.now().getTime() + hours * 3_600_000).toISOString();
    return this.addExpected(name, { target, until, note: note ?? `snoozed for ${hours} h` });
  }

  removeExpected(name: string, id: string): ExpectedRule {
    let removed: ExpectedRule | undefined;
    this.updateProfile(name, (profile) => {
      removed = profile.expected.find((rule) => rule.id === id);
      return { ...profile, expected: profile.expected.filter((rule) => rule.id !== id) };
    });
    if (!removed)
      throw new UserError(
        `profile '${name}' has no ignore rule ${id}; 'portwatch ignore list ${name}' shows them`,
      );
    return removed;
  }

  // ---- scanning -------------------------------------------------------------------------------------

  isScanning(name: string): boolean {
    return this.#running.has(this.#key(name));
  }

  /**
   * Scans the profile now, compares, records and reports. A scan of this profile already running in this
   * process is joined; one running in another process is waited for and its result returned (joined).
   * `headStart`: a scan of this profile already started by `startScanEarly` (holding the lock), taken over.
   */
  scanNow(
    name: string,
    options: { trigger?: Exclude<ScanTrigger, 'capture'>; signal?: AbortSignal; headStart?: HeadStart } = {},
  ): Promise<ScanOutcome> {
    const running = this.#running.get(this.#key(name));
    if (running) return running.promise.then((outcome) => ({ ...outcome, joined: true }));
    return this.#start(name, options);
  }

  /** The scan runner: one scan per profile in this process, registered for joining, status and cancel. */
  #start(
    name: string,
    options: { trigger?: ScanTrigger; signal?: AbortSignal; headStart?: HeadStart },
  ): Promise<ScanOutcome> {
    const key = this.#key(name);
    const { headStart } = options;
    const profile = headStart?.profile ?? this.store.get(name);
    const controller = linkedController(options.signal);
    if (headStart) controller.signal.addEventListener('abort', () => headStart.cancel(), { once: true });
    const entry: Running = { controller, promise: undefined as unknown as Promise<ScanOutcome> };
    entry.promise = this.#scan(profile, options.trigger ?? 'manual', entry, headStart).finally(() => {
      this.#running.delete(key);
      this.emit('scan-ended', { profile: profile.name });
      this.#changed();
    });
    this.#running.set(key, entry);
    this.#changed();
    return entry.promise;
  }

  /** Cancels the running scan of a profile (it is recorded as cancelled). */
  cancel(name: string): boolean {
    const running = this.#running.get(this.#key(name));
    running?.controller.abort();
    return running !== undefined;
  }

  async #scan(
    profile: Profile,
    trigger: ScanTrigger,
    running: Running,
    headStart?: HeadStart,
  ): Promise<ScanOutcome> {
    const paths = this.store.paths(profile.name);
    const before = readState(paths).lastScanId;
    const capture = trigger === 'capture';
    const busy = !headStart && !capture && lockHolder(paths.scanLock);
    const lock = headStart?.lock ?? (await this.#lock(profile, paths, running.controller.signal));
    try {
      // Another process scanned while we waited: that scan is ours too.
      const after = readState(paths).lastScanId;
      if (busy && after && after !== before) {
        const entry = this.#history(profile.name).get(after);
        if (entry) {
          const alerted = entry.changes.filter((c) => !entry.suppressed.includes(changeKey(c)));
          return { entry, alerted: entry.status === 'ok' ? alerted : [], ndiffText: '', joined: true };
        }
      }
      this.emit('scan-started', { profile: profile.name, trigger });
      const outcome = await runCycle({
        profile,
        ...(headStart ? { started: headStart } : {}),
        paths,
        references: this.#refs(profile.name),
        history: this.#history(profile.name),
        nmapPath: this.#nmapPath,
        isOffline: this.#isOffline,
        retentionDays: this.#retentionDays,
        capture,
        signal: running.controller.signal,
        now: () => this.#clock.now(),
        onProgress: (progress, phase) => this.emit('progress', { profile: profile.name, phase, ...progress }),
        onStart: (info, phase) => this.emit('nmap-started', { profile: profile.name, phase, ...info }),
      });
      // A capture is the user's own doing, answered where they asked for it: no report.
      if (!capture) {
        try {
          await this.#reporter.scanRecorded({ profile, entry: outcome.entry, ndiffText: outcome.ndiffText });
        } catch (error) {
          this.emit('error', { profile: profile.name, error });
        }
      }
      this.emit('scan-finished', { profile: profile.name, trigger, ...outcome });
      return { ...outcome, joined: false };
    } finally {
      lock.release();
    }
  }

  async #lock(profile: Profile, paths: ProfilePaths, signal?: AbortSignal): Promise<Lock> {
    const purpose = `scanning ${profile.name}`;
    let lock = await acquireLock(paths.scanLock, { purpose });
    if (lock) return lock;
    this.emit('waiting', { profile: profile.name, holder: lockHolder(paths.scanLock) });
    // Wait as long as the other scan may take, plus its confirmation.
    lock = await acquireLock(paths.scanLock, {
      purpose,
      waitMs: profile.options.timeoutSeconds * 2000 + 60_000,
      signal,
    });
    if (lock) return lock;
    const holder = lockHolder(paths.scanLock);
    throw new UserError(
      `profile '${profile.name}' is locked by process ${holder?.pid ?? '?'} (${holder?.purpose ?? 'unknown'}) for too long; if that process is hung, stop it`,
    );
  }

  async #watchdog(profile: Profile): Promise<void> {
    const paths = this.store.paths(profile.name);
    const lastSuccessAt = readState(paths).lastSuccessAt ?? null;
    updateState(paths, (state) => ({ ...state, lastWatchdogAt: this.#clock.now().toISOString() }));
    this.emit('watchdog', { profile: profile.name, lastSuccessAt });
    await this.#reporter.watchdog(profile, lastSuccessAt);
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
    const running = [...this.#running.values()];
    for (const entry of running) entry.controller.abort();
    await Promise.allSettled(running.map((entry) => entry.promise));
  }

  /** Pauses one profile (persisted) or, without a name, every schedule of this monitor. */
  pause(name?: string): void {
    if (name === undefined) this.scheduler.pause();
    else this.store.update(name, (profile) => ({ ...profile, paused: true }));
    this.#changed();
  }

  resume(name?: string): Promise<void> {
    if (name !== undefined) this.store.update(name, (profile) => ({ ...profile, paused: false }));
    this.#changed();
    return name === undefined ? this.scheduler.resume() : this.scheduler.check();
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

  // ---- internals ------------------------------------------------------------------------------------

  #key(name: string): string {
    return this.store.paths(name).dir;
  }

  #refs(name: string): ReferenceStore {
    return new ReferenceStore(this.store.paths(name));
  }

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

function checkTargets(targets: string[]): string[] {
  const result = validateTargets(targets);
  if (!result.ok) throw new UserError(describeError(result.errors[0]!));
  return result.value.targets;
}

function checkOptions(options: ScanOptions): ScanOptions {
  const result = validateScanOptions(options);
  if (!result.ok) throw new UserError(describeError(result.errors[0]!, 'option'));
  return result.value;
}

function linkedController(signal?: AbortSignal): AbortController {
  const controller = new AbortController();
  if (signal) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener('abort', () => controller.abort(), { once: true });
  }
  return controller;
}

function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

export type { Change };
