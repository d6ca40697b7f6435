// What a user does to profiles: add and change them (targets, options and schedule checked by the shared
// rules the settings window applies too), remove one that is not being scanned, pause and resume one, and
// the expected / snoozed rules of its noise control. The files themselves are ProfileStore's (profiles.ts).
import type { ExpectedRule, Profile, ScanOptions } from '../../shared/profile.ts';
import { validateScanOptions } from '../../shared/validate/options.ts';
import { describeError } from '../../shared/validate/result.ts';
import { validateTargets } from '../../shared/validate/targets.ts';
import { UserError } from '../errors.ts';
import { checkSchedule } from '../schedule/cron.ts';
import type { Clock } from '../schedule/scheduler.ts';
import { parseHostPort } from './noise.ts';
import { defaultScanOptions, type NewProfile, type ProfileStore } from './profiles.ts';

export interface ExpectedInput {
  /** "HOST", "HOST:PORT" or "HOST:PORT/PROTO". */
  target: string;
  note?: string;
  /** ISO date (or anything Date.parse reads); after it the rule no longer applies. */
  until?: string;
}

export interface ProfileActionsOptions {
  store: ProfileStore;
  clock: Clock;
  /** Whether a scan of the profile runs in this process (it is then not removed). */
  isScanning: (name: string) => boolean;
  /** A profile changed. */
  changed: () => void;
}

export class ProfileActions {
  #options: ProfileActionsOptions;

  constructor(options: ProfileActionsOptions) {
    this.#options = options;
  }

  list(): Profile[] {
    return this.#options.store.list();
  }

  get(name: string): Profile {
    return this.#options.store.get(name);
  }

  /** Adds a profile after checking its targets and options with the shared rules. */
  add(input: NewProfile): Profile {
    const targets = checkTargets(input.targets);
    const options = checkOptions({ ...defaultScanOptions, ...input.options });
    const schedule = input.schedule ? checkSchedule(input.schedule) : undefined;
    const profile = this.#options.store.add({
      ...input,
      targets,
      options,
      ...(schedule ? { schedule } : {}),
    });
    this.#options.changed();
    return profile;
  }

  /** Changes a profile (targets, options, schedule, watchdog); the name stays. */
  update(name: string, change: (profile: Profile) => Profile): Profile {
    const profile = this.#options.store.update(name, (current) => {
      const next = change(current);
      return {
        ...next,
        targets: checkTargets(next.targets),
        options: checkOptions(next.options),
        schedule: checkSchedule(next.schedule),
      };
    });
    this.#options.changed();
    return profile;
  }

  /** Moves the profile's folder to DATA/removed/; returns where it went. */
  remove(name: string): string {
    if (this.#options.isScanning(name))
      throw new UserError(`profile '${name}' is being scanned; try again when the scan is over`);
    const where = this.#options.store.remove(name);
    this.#options.changed();
    return where;
  }

  /** Pauses or resumes one profile's schedule (persisted in the profile). */
  setPaused(name: string, paused: boolean): void {
    this.#options.store.update(name, (profile) => ({ ...profile, paused }));
    this.#options.changed();
  }

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
      createdAt: this.#options.clock.now().toISOString(),
    };
    this.update(name, (profile) => ({ ...profile, expected: [...profile.expected, rule] }));
    return rule;
  }

  /** Silences one host:port for a while (an expected rule with an end). */
  snooze(name: string, target: string, hours: number, note?: string): ExpectedRule {
    if (!(hours > 0)) throw new UserError('snooze needs a positive number of hours, e.g. --hours 24');
    const until = new Date(this.#options.clock.now().getTime() + hours * 3_600_000).toISOString();
    return this.addExpected(name, { target, until, note: note ?? `snoozed for ${hours} h` });
  }

  removeExpected(name: string, id: string): ExpectedRule {
    let removed: ExpectedRule | undefined;
    this.update(name, (profile) => {
      removed = profile.expected.find((rule) => rule.id === id);
      return { ...profile, expected: profile.expected.filter((rule) => rule.id !== id) };
    });
    if (!removed)
      throw new UserError(
        `profile '${name}' has no ignore rule ${id}; 'portwatch ignore list ${name}' shows them`,
      );
    return removed;
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
