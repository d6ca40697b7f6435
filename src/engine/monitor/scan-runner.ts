// The scan runner: at most one scan per profile in this process, each under the profile's scan lock (across
// processes), registered so a second caller joins it, the status shows it and `cancel` stops it. A scan that
// another process ran while this one waited for the lock is returned as this caller's result. A head start's
// scan (head-start.ts), already holding the lock, is taken over. The cycle itself is runCycle (cycle.ts).
import { changeKey } from '../../shared/changes.ts';
import type { Profile } from '../../shared/profile.ts';
import { UserError } from '../errors.ts';
import type { ScanProgress } from '../nmap/run.ts';
import type { Clock } from '../schedule/scheduler.ts';
import { acquireLock, lockHolder, type Lock, type LockOwner } from '../store/lock.ts';
import { runCycle, type CycleOutcome, type ScanPhase } from './cycle.ts';
import type { HeadStart } from './head-start.ts';
import { HistoryStore } from './history.ts';
import type { ProfilePaths } from './layout.ts';
import type { OfflineCheck } from './offline.ts';
import type { ProfileStore } from './profiles.ts';
import { ReferenceStore } from './references.ts';
import { readState } from './state.ts';

export type ScanTrigger = 'manual' | 'schedule' | 'capture';

export interface ScanOutcome extends CycleOutcome {
  /** True when this call joined a scan that was already running (here or in another process). */
  joined: boolean;
}

/** What the runner tells the monitor's listeners. */
export interface ScanEvents {
  'scan-started': [{ profile: string; trigger: ScanTrigger }];
  progress: [{ profile: string; phase: ScanPhase } & ScanProgress];
  'nmap-started': [{ profile: string; phase: ScanPhase; pid: number; args: string[] }];
  'scan-finished': [{ profile: string; trigger: ScanTrigger } & CycleOutcome];
  waiting: [{ profile: string; holder: LockOwner | undefined }];
  'scan-ended': [{ profile: string }];
  error: [{ profile?: string; error: unknown }];
}

export type EmitScanEvent = <E extends keyof ScanEvents>(event: E, ...args: ScanEvents[E]) => void;

export interface ScanRunnerOptions {
  store: ProfileStore;
  nmapPath?: string;
  isOffline: OfflineCheck;
  retentionDays: number;
  clock: Clock;
  emit: EmitScanEvent;
  /** Tells the user about a recorded scan (not for captures); a failure here is an 'error' event. */
  report: (profile: Profile, outcome: CycleOutcome) => Promise<void>;
  /** A scan started or ended (what is running changed). */
  changed: () => void;
}

interface Running {
  promise: Promise<ScanOutcome>;
  controller: AbortController;
}

export class ScanRunner {
  #options: ScanRunnerOptions;
  #running = new Map<string, Running>();

  constructor(options: ScanRunnerOptions) {
    this.#options = { ...options };
  }

  /** Applies changed settings (nmap's path, retention) to the scans that start from now on. */
  configure(settings: { nmapPath?: string; retentionDays?: number }): void {
    this.#options.nmapPath = settings.nmapPath;
    if (settings.retentionDays !== undefined) this.#options.retentionDays = settings.retentionDays;
  }

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

  /** A capture's scan: waits for a scan of the profile already running, then runs its own (no report). */
  async captureScan(name: string, options: { signal?: AbortSignal } = {}): Promise<ScanOutcome> {
    await this.#running.get(this.#key(name))?.promise.catch(() => undefined);
    return this.#start(name, { ...options, trigger: 'capture' });
  }

  /** Cancels the running scan of a profile (it is recorded as cancelled). */
  cancel(name: string): boolean {
    const running = this.#running.get(this.#key(name));
    running?.controller.abort();
    return running !== undefined;
  }

  /** Cancels every running scan and waits until each is recorded. */
  async cancelAll(): Promise<void> {
    const running = [...this.#running.values()];
    for (const entry of running) entry.controller.abort();
    await Promise.allSettled(running.map((entry) => entry.promise));
  }

  #start(
    name: string,
    options: { trigger?: ScanTrigger; signal?: AbortSignal; headStart?: HeadStart },
  ): Promise<ScanOutcome> {
    const key = this.#key(name);
    const { headStart } = options;
    const profile = headStart?.profile ?? this.#options.store.get(name);
    const controller = linkedController(options.signal);
    if (headStart) controller.signal.addEventListener('abort', () => headStart.cancel(), { once: true });
    const entry: Running = { controller, promise: undefined as unknown as Promise<ScanOutcome> };
    entry.promise = this.#scan(profile, options.trigger ?? 'manual', entry, headStart).finally(() => {
      this.#running.delete(key);
      this.#options.emit('scan-ended', { profile: profile.name });
      this.#options.changed();
    });
    this.#running.set(key, entry);
    this.#options.changed();
    return entry.promise;
  }

  async #scan(
    profile: Profile,
    trigger: ScanTrigger,
    running: Running,
    headStart?: HeadStart,
  ): Promise<ScanOutcome> {
    const { emit } = this.#options;
    const paths = this.#options.store.paths(profile.name);
    const history = new HistoryStore(paths);
    const before = readState(paths).lastScanId;
    const capture = trigger === 'capture';
    const busy = !headStart && !capture && lockHolder(paths.scanLock);
    const lock = headStart?.lock ?? (await this.#lock(profile, paths, running.controller.signal));
    try {
      // Another process scanned while we waited: that scan is ours too.
      const after = readState(paths).lastScanId;
      if (busy && after && after !== before) {
        const entry = history.get(after);
        if (entry) {
          const alerted = entry.changes.filter((c) => !entry.suppressed.includes(changeKey(c)));
          return { entry, alerted: entry.status === 'ok' ? alerted : [], ndiffText: '', joined: true };
        }
      }
      emit('scan-started', { profile: profile.name, trigger });
      const outcome = await runCycle({
        profile,
        ...(headStart ? { started: headStart } : {}),
        paths,
        references: new ReferenceStore(paths),
        history,
        nmapPath: this.#options.nmapPath,
        isOffline: this.#options.isOffline,
        retentionDays: this.#options.retentionDays,
        capture,
        signal: running.controller.signal,
        now: () => this.#options.clock.now(),
        onProgress: (progress, phase) => emit('progress', { profile: profile.name, phase, ...progress }),
        onStart: (info, phase) => emit('nmap-started', { profile: profile.name, phase, ...info }),
      });
      // A capture is the user's own doing, answered where they asked for it: no report.
      if (!capture) {
        try {
          await this.#options.report(profile, outcome);
        } catch (error) {
          emit('error', { profile: profile.name, error });
        }
      }
      emit('scan-finished', { profile: profile.name, trigger, ...outcome });
      return { ...outcome, joined: false };
    } finally {
      lock.release();
    }
  }

  async #lock(profile: Profile, paths: ProfilePaths, signal?: AbortSignal): Promise<Lock> {
    const purpose = `scanning ${profile.name}`;
    let lock = await acquireLock(paths.scanLock, { purpose });
    if (lock) return lock;
    this.#options.emit('waiting', { profile: profile.name, holder: lockHolder(paths.scanLock) });
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

  /** Scans are told apart by the profile's folder ("Home" and "home" are one profile). */
  #key(name: string): string {
    return this.#options.store.paths(name).dir;
  }
}

function linkedController(signal?: AbortSignal): AbortController {
  const controller = new AbortController();
  if (signal) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener('abort', () => controller.abort(), { once: true });
  }
  return controller;
}
