// Schedules: the presets and standard five-field cron expressions (minute hour day-of-month month day-of-week),
// the subset every cron reader Portwatch uses agrees on. Browser-safe (cron-parser's file reader is unused).
import { CronExpressionParser } from 'cron-parser';
import type { Schedule } from '../profile.ts';
import { controlOrInvisible, describeChar, firstMatch } from './chars.ts';
import { invalid, valid, type FieldError, type Validation } from './result.ts';
import { isTimeOfDay } from '../time-of-day.ts';

/** cron's @-shortcuts, written out, so the scheduler gets a plain five-field expression. */
const shortcuts: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

const MAX_EVERY_MINUTES = 7 * 24 * 60;

type Result = Validation<Schedule>;

function refuse(field: string, input: unknown, message: string): Result {
  return invalid([{ field, input: String(input), message }]);
}

/** A cron expression, normalised to five space-separated fields. */
export function validateCron(input: string): Validation<string> {
  const fail = (message: string) => invalid<string>([{ field: 'schedule', input, message }]);
  const hidden = firstMatch(input, controlOrInvisible);
  if (hidden !== undefined) return fail(`contains ${describeChar(hidden)}`);
  const trimmed = input.trim();
  if (trimmed === '') return fail('is empty: write five fields, e.g. "0 3 * * *" for 03:00 every day');
  const expression = shortcuts[trimmed.toLowerCase()] ?? trimmed.split(/\s+/).join(' ');
  if (expression.startsWith('@')) return fail('is not a cron shortcut: use @hourly, @daily, @weekly…');
  const odd = firstMatch(expression, /[^0-9A-Za-z*,/ -]/);
  if (odd !== undefined) return fail(`contains ${describeChar(odd)}, which standard cron does not use`);
  const fields = expression.split(' ');
  if (fields.length !== 5)
    return fail(
      `has ${fields.length} field${fields.length === 1 ? '' : 's'}; cron needs 5: minute hour day-of-month month day-of-week`,
    );
  if (/\b[LWH]\b|[0-9][LW]\b/.test(expression))
    return fail("'L', 'W' and 'H' are not standard cron: list the days or hours instead");
  try {
    CronExpressionParser.parse(expression, { strict: false });
  } catch (error) {
    return fail(`is not a valid cron expression: ${(error as Error).message}`);
  }
  return valid(expression);
}

/** One line for a refused schedule: "schedule '61 * * * *' is not a valid cron expression: …". */
export function describeScheduleError(error: FieldError): string {
  return error.field === 'schedule'
    ? `schedule '${error.input}' ${error.message}`
    : `schedule ${error.field ?? ''} '${error.input}': ${error.message}`;
}

export function validateSchedule(input: Schedule): Result {
  switch (input.kind) {
    case 'manual':
      return valid({ kind: 'manual' });
    case 'cron': {
      const cron = validateCron(input.expression);
      return cron.ok ? valid({ kind: 'cron', expression: cron.value }) : cron;
    }
    case 'every':
      if (!Number.isInteger(input.minutes) || input.minutes < 1 || input.minutes > MAX_EVERY_MINUTES)
        return refuse('minutes', input.minutes, `scan every 1 to ${MAX_EVERY_MINUTES} minutes (a week)`);
      return valid(
        { kind: 'every', minutes: input.minutes },
        input.minutes < 5 ? ['a scan every few minutes may still be running when the next one is due'] : [],
      );
    case 'daily':
      if (!isTimeOfDay(input.time))
        return refuse('time', input.time, 'write the time as HH:MM, from 00:00 to 23:59');
      return valid({ kind: 'daily', time: input.time });
    case 'weekly':
      if (!Number.isInteger(input.day) || input.day < 0 || input.day > 6)
        return refuse('day', input.day, 'the day must be 0 (Sunday) to 6 (Saturday)');
      if (!isTimeOfDay(input.time))
        return refuse('time', input.time, 'write the time as HH:MM, from 00:00 to 23:59');
      return valid({ kind: 'weekly', day: input.day, time: input.time });
    default:
      return refuse(
        'schedule',
        JSON.stringify(input),
        'unknown schedule: choose manual, cron, every, daily or weekly',
      );
  }
}
