// When held mail goes out: quiet hours and the daily digest time, in this machine's local time. Pure.
import type { QuietHours } from '../../shared/settings.ts';

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
