// Times of day ("HH:MM", 24-hour, this machine's local time), the one rule for them: what is a valid time
// (settings, schedules, the windows' forms), quiet hours and the daily digest time. Pure, browser-safe.
import type { QuietHours } from './settings.ts';

/** "HH:MM" from 00:00 to 23:59. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isTimeOfDay(text: string): boolean {
  return TIME_OF_DAY.test(text);
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** Whether `now` is inside the quiet hours (which may wrap past midnight; start == end means none). */
export function inQuietHours(now: Date, quiet: QuietHours): boolean {
  if (!quiet.enabled) return false;
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  if (start === end) return false;
  const m = now.getHours() * 60 + now.getMinutes();
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** The first local time `hhmm` strictly after `after`. */
export function nextTimeOfDay(after: Date, hhmm: string): Date {
  const [h, m] = hhmm.split(':').map(Number);
  const next = new Date(after.getFullYear(), after.getMonth(), after.getDate(), h!, m!, 0, 0);
  while (next.getTime() <= after.getTime()) next.setDate(next.getDate() + 1);
  return next;
}

/** When quiet hours that contain `now` end (now itself when not inside them). */
export function quietHoursEnd(now: Date, quiet: QuietHours): Date {
  return inQuietHours(now, quiet) ? nextTimeOfDay(now, quiet.end) : now;
}
