// A scan's head start, for one-shot processes (`portwatch scan`). nmap is most of a scan's time, and loading
// the rest of Portwatch (comparison, ndiff, reports, mail, schedules) is most of what is left, so this starts
// nmap first, under the profile's scan lock, importing only what that needs: the settings, the profile, the
// lock and the nmap runner. The Monitor, loaded while nmap runs, takes the scan over (`scanNow`'s `headStart`)
// and finishes the cycle as usual. Long-lived processes (the app, `portwatch watch`) have no use for it.
import type { Profile } from '../../shared/profile.ts';
import type { Settings } from '../../shared/settings.ts';
import { loadSettings, monitorSettingsOf } from '../config/settings-file.ts';
import { runNmap, type NmapResult, type ScanProgress } from '../nmap/run.ts';
import { tryAcquireLock, type Lock } from '../store/lock.ts';
import { ProfileStore } from './profiles.ts';

export interface NmapStart {
  pid: number;
  args: string[];
}

export interface HeadStartFollower {
  onProgress(progress: ScanProgress): void;
  onStart(info: NmapStart): void;
}

export interface HeadStart {
  /** The settings this process read (pass them to openEngine so the file is read once). */
  readonly settings: Settings;
  /** The profile as the scan runs it. */
  readonly profile: Profile;
  /** When the scan was started: the cycle's start. */
  readonly startedAt: Date;
  /** The profile's scan lock, held until the cycle is recorded (the Monitor releases it). */
  readonly lock: Lock;
  /** The running scan: settles like `runNmap` (rejects when nmap can't run at all). */
  readonly result: Promise<NmapResult>;
  /** Stops nmap (the scan is then recorded as cancelled). */
  cancel(): void;
  /** Follows the scan; nmap's start and its latest progress, if they happened already, are passed on at once. */
  follow(follower: HeadStartFollower): void;
  /** For when nobody took the scan over (an error on the way): stops nmap, then frees the lock. Idempotent. */
  abandon(): Promise<void>;
}

/**
 * Starts a scan of profile `name` now. Returns undefined when another process holds the profile's scan lock:
 * the Monitor then waits for that scan and joins it, as it always does.
 */
export async function startScanEarly(
  dataDir: string,
  name: string,
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<HeadStart | undefined> {
  const store = new ProfileStore(dataDir);
  const profile = store.get(name);
  const settings = await loadSettings(dataDir);
  const { nmapPath } = monitorSettingsOf(settings, options.env);
  const lock = tryAcquireLock(store.paths(profile.name).scanLock, `scanning ${profile.name}`);
  if (!lock) return undefined;
  const startedAt = new Date();

  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  let started: NmapStart | undefined;
  let progress: ScanProgress | undefined;
  let follower: HeadStartFollower | undefined;
  let spawned!: () => void;
  const running = new Promise<void>((resolve) => (spawned = resolve));
  const result = runNmap({
    targets: profile.targets,
    options: profile.options,
    ...(nmapPath ? { nmapPath } : {}),
    signal,
    ...(options.env ? { env: options.env } : {}),
    hostDigests: true, // for runCycle's comparison (see comparison.ts)
    onProgress: (p) => {
      progress = p;
      follower?.onProgress(p);
    },
    onStart: ({ pid, args }) => {
      started = { pid, args };
      spawned();
      follower?.onStart(started);
    },
  });
  result.catch(() => {}); // the Monitor awaits it; this only keeps an early failure from being "unhandled"
  // Return once nmap runs (or could not start), so loading the rest does not hold up starting it.
  await Promise.race([running, result.catch(() => {})]);
  return {
    settings,
    profile,
    startedAt,
    lock,
    result,
    cancel: () => controller.abort(),
    follow(next) {
      follower = next;
      if (started) next.onStart(started);
      if (progress) next.onProgress(progress);
    },
    async abandon() {
      controller.abort();
      // The lock is freed only once nmap is gone, so no second nmap can start beside it.
      await result.catch(() => {});
      lock.release();
    },
  };
}
