// What the schedule and the watchdog need to remember across restarts, per profile.
import { readJson, writeJsonAtomic } from '../store/atomic.ts';
import { withLockSync } from '../store/lock.ts';
import type { ProfilePaths } from './layout.ts';

export interface ProfileState {
  /** Start of the last scan, whatever its outcome (ISO). */
  lastRunAt?: string;
  /** Start of the last scan with status ok (ISO). */
  lastSuccessAt?: string;
  /** When the watchdog last alerted (ISO). */
  lastWatchdogAt?: string;
  /** The newest scan's history id. */
  lastScanId?: string;
  /** The newest successful scan's history id (what `reference accept` takes). */
  lastSuccessId?: string;
}

export function readState(paths: ProfilePaths): ProfileState {
  return readJson<ProfileState>(paths.state) ?? {};
}

export function writeState(paths: ProfilePaths, state: ProfileState): void {
  writeJsonAtomic(paths.state, state);
}

/** Changes the state under the profile's edit lock (the scheduler and a scan may both write it). */
export function updateState(
  paths: ProfilePaths,
  change: (state: ProfileState) => ProfileState,
): ProfileState {
  return withLockSync(paths.editLock, 'updating scan state', () => {
    const next = change(readState(paths));
    writeState(paths, next);
    return next;
  });
}
