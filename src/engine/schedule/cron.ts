// Schedules: their run times, their human description, and the CLI's way of writing them.
// Every schedule the shared validator accepts can run: presets that cron can express become cron (so local
// time and daylight-saving changes are handled by cron-parser); "every N minutes" that cron cannot express
// (7, 90, ...) runs on a fixed grid of N minutes from local midnight, 1 January 2001.
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';
import type { Schedule } from '../../shared/profile.ts';
import { describeScheduleError, validateSchedule } from '../../shared/validate/schedule.ts';
import { UserError } from '../errors.ts';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const GRID_ANCHOR = new Date(2001, 0, 1).getTime();

/** The schedule as the shared rules normalise it, or a UserError saying what to fix. */
export function checkSchedule(schedule: Schedule): Schedule {
  const result = validateSchedule(schedule);
  if (!result.ok) throw new UserError(describeScheduleError(result.errors[0]!));
  return result.value;
}

/** The cron expression that runs a schedule; null for manual and for an "every" cron cannot express. */
export function scheduleToCron(schedule: Schedule): string | null {
  const s = checkSchedule(schedule);
  switch (s.kind) {
    case 'manual':
      return null;
    case 'cron':
      return s.expression;
    case 'every': {
      const m = s.minutes;
      if (m < 60 && 60 % m === 0) return m === 1 ? '* * * * *' : `*/${m} * * * *`;
      if (m % 60 === 0 && 24 % (m / 60) === 0)
        return m === 60 ? '0 * * * *' : m === 1440 ? '0 0 * * *' : `0 */${m / 60} * * *`;
      return null;
    }
    case 'daily': {
      const [h, min] = s.time.split(':').map(Number);
      return `${min} ${h} * * *`;
    }
    case 'weekly': {
      const [h, min] = s.time.split(':').map(Number);
      return `${min} ${h} * * ${s.day}`;
    }
  }
}

/** A fixed grid of N minutes, for "every N minutes" that cron cannot express; undefined otherwise. */
function gridMinutes(schedule: Schedule): number | undefined {
  return schedule.kind === 'every' && scheduleToCron(schedule) === null ? schedule.minutes : undefined;
}

/** "Every 15 minutes", "At 07:30", "At 09:00, only on Monday", "Manual (only when you scan)". */
export function describeSchedule(schedule: Schedule): string {
  const s = checkSchedule(schedule);
  if (s.kind === 'manual') return 'Manual (only when you scan)';
  if (s.kind === 'every' && (s.minutes < 60 || gridMinutes(s) !== undefined)) {
    const h = Math.floor(s.minutes / 60);
    const m = s.minutes % 60;
    if (s.minutes < 60) return `Every ${m} minute${m === 1 ? '' : 's'}`;
    return `Every ${h} h${m ? ` ${m} min` : ''}`;
  }
  return cronstrue.toString(scheduleToCron(s)!, { use24HourTimeFormat: true, verbose: false });
}

/** The next `count` run times after `from`. */
export function nextRuns(schedule: Schedule, from: Date, count: number): Date[] {
  if (count <= 0) return [];
  const grid = gridMinutes(schedule);
  if (grid !== undefined) {
    const step = grid * 60_000;
    const first = GRID_ANCHOR + (Math.floor((from.getTime() - GRID_ANCHOR) / step) + 1) * step;
    return Array.from({ length: count }, (_, i) => new Date(first + i * step));
  }
  const cron = scheduleToCron(schedule);
  if (cron === null) return [];
  return CronExpressionParser.parse(cron, { currentDate: from })
    .take(count)
    .map((d) => d.toDate());
}

/** The latest run time at or before `at`; undefined for manual. */
export function previousRun(schedule: Schedule, at: Date): Date | undefined {
  const grid = gridMinutes(schedule);
  if (grid !== undefined) {
    const step = grid * 60_000;
    return new Date(GRID_ANCHOR + Math.floor((at.getTime() - GRID_ANCHOR) / step) * step);
  }
  const cron = scheduleToCron(schedule);
  if (cron === null) return undefined;
  // cron-parser's prev() is strictly before its current date: step past `at` so a slot at `at` counts.
  return CronExpressionParser.parse(cron, { currentDate: new Date(at.getTime() + 1000) })
    .prev()
    .toDate();
}

/**
 * Parses the CLI's --schedule: manual, hourly, daily [HH:MM], weekly [DAY] [HH:MM], "every N minutes|hours"
 * (also "every 15m", "every 2h"), a cron shortcut (@daily) or a 5-field cron expression.
 */
export function parseSchedule(text: string): Schedule {
  const words = text.trim().toLowerCase().split(/\s+/);
  const [first, ...rest] = words;
  let schedule: Schedule;
  if (first === 'manual' && rest.length === 0) schedule = { kind: 'manual' };
  else if (first === 'hourly' && rest.length === 0) schedule = { kind: 'every', minutes: 60 };
  else if (first === 'daily' && rest.length <= 1)
    schedule = { kind: 'daily', time: padTime(rest[0] ?? '00:00') };
  else if (first === 'weekly' && rest.length <= 2) {
    const day = rest.find((w) => /^[a-z]/.test(w));
    const time = padTime(rest.find((w) => /^\d/.test(w)) ?? '00:00');
    const index = day === undefined ? 0 : DAYS.indexOf(day.slice(0, 3));
    if (index === -1)
      throw new UserError(`'${day}' is not a weekday; use mon, tue, wed, thu, fri, sat or sun`);
    schedule = { kind: 'weekly', day: index, time };
  } else if (first === 'every') {
    const match = /^(\d+)\s*(m|min|mins|minutes?|h|hours?)$/.exec(rest.join(' '));
    if (!match)
      throw new UserError(`'${text}' is not a schedule; write e.g. 'every 15 minutes' or 'every 2h'`);
    const n = Number(match[1]);
    schedule = { kind: 'every', minutes: match[2]!.startsWith('h') ? n * 60 : n };
  } else if (words.length === 5 || (words.length === 1 && first?.startsWith('@')))
    schedule = { kind: 'cron', expression: text.trim() };
  else
    throw new UserError(
      `'${text}' is not a schedule; use manual, hourly, 'daily 07:30', 'weekly mon 09:00', 'every 15 minutes' or a cron expression like '*/30 * * * *'`,
    );
  return checkSchedule(schedule);
}

/** "7:30" -> "07:30", as the shared rule wants. */
function padTime(time: string): string {
  return /^\d:\d\d$/.test(time) ? `0${time}` : time;
}
