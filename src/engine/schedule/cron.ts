// Schedules as cron: presets and cron expressions, their human description and their run times.
// Times are the machine's local time, as a user means "daily at 07:30".
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';
import type { Schedule } from '../../shared/profile.ts';
import { UserError } from '../errors.ts';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** The cron expression that runs a schedule; null for manual. Throws UserError for impossible presets. */
export function scheduleToCron(schedule: Schedule): string | null {
  switch (schedule.kind) {
    case 'manual':
      return null;
    case 'cron':
      checkCron(schedule.expression);
      return schedule.expression.trim();
    case 'every': {
      const m = schedule.minutes;
      if (Number.isInteger(m) && m >= 1 && m < 60 && 60 % m === 0)
        return m === 1 ? '* * * * *' : `*/${m} * * * *`;
      if (Number.isInteger(m) && m >= 60 && m % 60 === 0 && 24 % (m / 60) === 0)
        return m === 60 ? '0 * * * *' : m === 1440 ? '0 0 * * *' : `0 */${m / 60} * * *`;
      throw new UserError(
        `every ${m} minutes cannot be scheduled evenly; use a number that divides an hour or a day (5, 10, 15, 30, 60, 120, 360, ...) or a cron expression`,
      );
    }
    case 'daily': {
      const [h, min] = parseTime(schedule.time);
      return `${min} ${h} * * *`;
    }
    case 'weekly': {
      const [h, min] = parseTime(schedule.time);
      if (!Number.isInteger(schedule.day) || schedule.day < 0 || schedule.day > 6)
        throw new UserError(`weekday ${schedule.day} is not 0 (Sunday) to 6 (Saturday)`);
      return `${min} ${h} * * ${schedule.day}`;
    }
  }
}

function parseTime(time: string): [number, number] {
  const match = TIME.exec(time.trim());
  if (!match) throw new UserError(`'${time}' is not a time of day; use HH:MM, e.g. 07:30`);
  return [Number(match[1]), Number(match[2])];
}

function checkCron(expression: string): void {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5)
    throw new UserError(
      `'${expression}' is not a 5-field cron expression (minute hour day-of-month month weekday), e.g. '30 7 * * 1-5'`,
    );
  try {
    CronExpressionParser.parse(expression);
  } catch (error) {
    throw new UserError(`'${expression}' is not a valid cron expression: ${(error as Error).message}`);
  }
}

/** "Every 15 minutes", "At 07:30 AM", "Manual (only when you scan)". */
export function describeSchedule(schedule: Schedule): string {
  const cron = scheduleToCron(schedule);
  if (cron === null) return 'Manual (only when you scan)';
  if (schedule.kind === 'every' && schedule.minutes < 60)
    return `Every ${schedule.minutes} minute${schedule.minutes === 1 ? '' : 's'}`;
  return cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false });
}

/** The next `count` run times after `from`. */
export function nextRuns(schedule: Schedule, from: Date, count: number): Date[] {
  const cron = scheduleToCron(schedule);
  if (cron === null || count <= 0) return [];
  const expression = CronExpressionParser.parse(cron, { currentDate: from });
  return expression.take(count).map((d) => d.toDate());
}

/** The latest run time at or before `at`; undefined for manual. */
export function previousRun(schedule: Schedule, at: Date): Date | undefined {
  const cron = scheduleToCron(schedule);
  if (cron === null) return undefined;
  // cron-parser's prev() is strictly before its current date: step past `at` so a slot at `at` counts.
  const expression = CronExpressionParser.parse(cron, { currentDate: new Date(at.getTime() + 1000) });
  return expression.prev().toDate();
}

/**
 * Parses the CLI's --schedule: manual, hourly, daily [HH:MM], weekly [DAY] [HH:MM], "every N minutes|hours"
 * (also "every 15m", "every 2h"), or a 5-field cron expression.
 */
export function parseSchedule(text: string): Schedule {
  const words = text.trim().toLowerCase().split(/\s+/);
  const [first, ...rest] = words;
  let schedule: Schedule;
  if (first === 'manual' && rest.length === 0) schedule = { kind: 'manual' };
  else if (first === 'hourly' && rest.length === 0) schedule = { kind: 'every', minutes: 60 };
  else if (first === 'daily' && rest.length <= 1) schedule = { kind: 'daily', time: rest[0] ?? '00:00' };
  else if (first === 'weekly' && rest.length <= 2) {
    const day = rest.find((w) => /^[a-z]/.test(w));
    const time = rest.find((w) => /^\d/.test(w)) ?? '00:00';
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
  } else if (words.length === 5) schedule = { kind: 'cron', expression: words.join(' ') };
  else
    throw new UserError(
      `'${text}' is not a schedule; use manual, hourly, 'daily 07:30', 'weekly mon 09:00', 'every 15 minutes' or a cron expression like '*/30 * * * *'`,
    );
  scheduleToCron(schedule); // validates
  return schedule;
}
