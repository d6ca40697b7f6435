// When a profile should run: the pure rules the scheduler applies, kept apart so they can be tested with any
// clock. A missed run (the machine slept, the app was closed, the wall clock jumped) runs once, not once per
// missed slot: a profile is due when its latest slot is later than its last run.
import type { Profile } from '../../shared/profile.ts';
import { previousRun } from './cron.ts';

export interface RunMemory {
  lastRunAt?: string;
  lastSuccessAt?: string;
  lastWatchdogAt?: string;
}

/** The slot that makes the profile due now, or undefined when it is not due. */
export function dueSlot(profile: Profile, memory: RunMemory, now: Date): Date | undefined {
  if (profile.paused || profile.schedule.kind === 'manual') return undefined;
  const slot = previousRun(profile.schedule, now);
  if (!slot) return undefined;
  // A new profile waits for its first slot after it was made, rather than scanning on creation.
  const since = Date.parse(memory.lastRunAt ?? profile.createdAt);
  return slot.getTime() > since ? slot : undefined;
}

/** Whether the watchdog should alert now: no successful scan for watchdogHours, and not alerted since. */
export function watchdogDue(profile: Profile, memory: RunMemory, now: Date): boolean {
  if (profile.paused || !(profile.watchdogHours > 0)) return false;
  const limit = profile.watchdogHours * 3_600_000;
  const lastSuccess = Date.parse(memory.lastSuccessAt ?? profile.createdAt);
  if (now.getTime() - lastSuccess < limit) return false;
  // Alert once per silent period, then again every watchdogHours while it lasts.
  if (memory.lastWatchdogAt === undefined) return true;
  const lastAlert = Date.parse(memory.lastWatchdogAt);
  return lastAlert < lastSuccess || now.getTime() - lastAlert >= limit;
}
