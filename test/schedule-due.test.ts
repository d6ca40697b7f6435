import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Profile, Schedule } from '../src/shared/profile.ts';
import {
  describeSchedule,
  nextRuns,
  parseSchedule,
  previousRun,
  scheduleToCron,
} from '../src/engine/schedule/cron.ts';
import { dueSlot, watchdogDue, type RunMemory } from '../src/engine/schedule/due.ts';
import { Scheduler, type Clock, type SchedulerHost } from '../src/engine/schedule/scheduler.ts';
import { defaultScanOptions } from '../src/engine/monitor/profiles.ts';
import { UserError } from '../src/engine/errors.ts';

// Local times, as schedules are: the tests hold in any time zone.
const at = (hhmm: string, day = 10) =>
  new Date(2026, 2, day, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3, 5)));

function profile(schedule: Schedule, extra: Partial<Profile> = {}): Profile {
  return {
    name: 'p',
    targets: ['127.0.30.1'],
    options: defaultScanOptions,
    schedule,
    paused: false,
    expected: [],
    watchdogHours: 0,
    createdAt: at('08:00').toISOString(),
    updatedAt: at('08:00').toISOString(),
    ...extra,
  };
}

test('presets become cron expressions with descriptions; impossible ones are refused', () => {
  assert.equal(scheduleToCron({ kind: 'every', minutes: 15 }), '*/15 * * * *');
  assert.equal(scheduleToCron({ kind: 'every', minutes: 120 }), '0 */2 * * *');
  assert.equal(scheduleToCron({ kind: 'daily', time: '07:30' }), '30 7 * * *');
  assert.equal(scheduleToCron({ kind: 'weekly', day: 1, time: '09:05' }), '5 9 * * 1');
  assert.equal(scheduleToCron({ kind: 'manual' }), null);
  assert.equal(scheduleToCron({ kind: 'every', minutes: 7 }), null, 'cron cannot say every 7 minutes');
  assert.throws(() => scheduleToCron({ kind: 'every', minutes: 0 }), UserError);
  assert.throws(() => parseSchedule('every 20000 minutes'), UserError);
  assert.deepEqual(parseSchedule('@daily'), { kind: 'cron', expression: '0 0 * * *' });
  assert.throws(() => parseSchedule('0 25 * * *'), UserError);
  assert.throws(() => parseSchedule('sometimes'), /not a schedule/);
  assert.deepEqual(parseSchedule('every 2h'), { kind: 'every', minutes: 120 });
  assert.deepEqual(parseSchedule('weekly mon 09:00'), { kind: 'weekly', day: 1, time: '09:00' });
  assert.deepEqual(parseSchedule('*/30 * * * *'), { kind: 'cron', expression: '*/30 * * * *' });
  assert.equal(describeSchedule({ kind: 'every', minutes: 15 }), 'Every 15 minutes');
  assert.match(describeSchedule({ kind: 'daily', time: '07:30' }), /07:30/);
  const runs = nextRuns({ kind: 'daily', time: '07:30' }, at('08:00'), 2);
  assert.deepEqual(runs, [at('07:30', 11), at('07:30', 12)]);
});

test('every N minutes that cron cannot express runs on a fixed N-minute grid', () => {
  const every90: Schedule = { kind: 'every', minutes: 90 };
  assert.equal(describeSchedule(every90), 'Every 1 h 30 min');
  const from = at('10:07');
  const runs = nextRuns(every90, from, 3);
  assert.equal(runs.length, 3);
  assert.ok(runs[0]!.getTime() > from.getTime() && runs[0]!.getTime() <= from.getTime() + 90 * 60_000);
  assert.equal(runs[1]!.getTime() - runs[0]!.getTime(), 90 * 60_000);
  assert.equal(runs[2]!.getTime() - runs[1]!.getTime(), 90 * 60_000);
  const previous = previousRun(every90, from)!;
  assert.equal(runs[0]!.getTime() - previous.getTime(), 90 * 60_000);
  assert.deepEqual(previousRun(every90, runs[1]!), runs[1], 'a slot counts at its own time');
  // A profile on that grid is due once after a long sleep, too.
  const p = profile(every90);
  assert.deepEqual(
    dueSlot(p, { lastRunAt: previous.toISOString() }, new Date(runs[2]!.getTime() + 60_000)),
    runs[2],
  );
});

test('a profile is due once per slot; a long sleep makes it due once, at the latest slot', () => {
  const p = profile({ kind: 'every', minutes: 15 });
  assert.equal(dueSlot(p, {}, at('08:10')), undefined, 'a new profile waits for its first slot');
  assert.deepEqual(dueSlot(p, {}, at('08:15')), at('08:15'));
  const memory: RunMemory = { lastRunAt: at('08:15').toISOString() };
  assert.equal(dueSlot(p, memory, at('08:29')), undefined);
  // The machine slept from 08:29 to 15:47: 29 slots were missed, one run is due, for 15:45.
  assert.deepEqual(dueSlot(p, memory, at('15:47')), at('15:45'));
  assert.equal(dueSlot({ ...p, paused: true }, memory, at('15:47')), undefined);
  assert.equal(dueSlot(profile({ kind: 'manual' }), {}, at('15:47')), undefined);
});

test('the watchdog fires after watchdogHours without success, once per period', () => {
  const p = profile({ kind: 'manual' }, { watchdogHours: 6 });
  const lastSuccessAt = at('08:00').toISOString();
  assert.equal(watchdogDue(p, { lastSuccessAt }, at('13:59')), false);
  assert.equal(watchdogDue(p, { lastSuccessAt }, at('14:00')), true);
  assert.equal(
    watchdogDue(p, { lastSuccessAt, lastWatchdogAt: at('14:00').toISOString() }, at('19:00')),
    false,
  );
  assert.equal(
    watchdogDue(p, { lastSuccessAt, lastWatchdogAt: at('14:00').toISOString() }, at('20:00')),
    true,
  );
  assert.equal(watchdogDue({ ...p, watchdogHours: 0 }, { lastSuccessAt }, at('23:00')), false);
});

/** A scheduler host that records runs the way the monitor does (lastRunAt persisted at the run). */
class FakeHost implements SchedulerHost {
  list: Profile[];
  memories = new Map<string, RunMemory>();
  runs: { name: string; slot: Date }[] = [];
  watchdogs: string[] = [];
  clock: ManualClock;
  constructor(list: Profile[], clock: ManualClock) {
    this.list = list;
    this.clock = clock;
  }
  profiles() {
    return this.list;
  }
  memory(name: string) {
    return this.memories.get(name) ?? {};
  }
  async runScheduled(name: string, slot: Date) {
    this.runs.push({ name, slot });
    const now = this.clock.now().toISOString();
    this.memories.set(name, { ...this.memory(name), lastRunAt: now, lastSuccessAt: now });
  }
  async watchdog(p: Profile) {
    this.watchdogs.push(p.name);
    this.memories.set(p.name, { ...this.memory(p.name), lastWatchdogAt: this.clock.now().toISOString() });
  }
}

class ManualClock implements Clock {
  wall: number;
  mono = 0;
  constructor(start: Date) {
    this.wall = start.getTime();
  }
  now() {
    return new Date(this.wall);
  }
  monotonic() {
    return this.mono;
  }
  advance(ms: number, monoMs = ms) {
    this.wall += ms;
    this.mono += monoMs;
  }
}

test('the scheduler runs a missed slot once at start, then only on new slots', async () => {
  const clock = new ManualClock(at('12:07'));
  const host = new FakeHost([{ ...profile({ kind: 'every', minutes: 15 }), name: 'a' }], clock);
  host.memories.set('a', { lastRunAt: at('09:00').toISOString() }); // the app was closed since 09:00
  const scheduler = new Scheduler(host, { clock, timers: false });
  await scheduler.start();
  assert.deepEqual(host.runs, [{ name: 'a', slot: at('12:00') }]);
  await scheduler.check();
  assert.equal(host.runs.length, 1, 'checking again does not run again');
  clock.advance(8 * 60_000); // 12:15
  await scheduler.check();
  assert.deepEqual(host.runs.at(-1), { name: 'a', slot: at('12:15') });
  assert.equal(host.runs.length, 2);
});

test('pause and resume: nothing runs while paused; a missed slot runs once on resume', async () => {
  const clock = new ManualClock(at('10:00'));
  const host = new FakeHost(
    [
      { ...profile({ kind: 'every', minutes: 30 }), name: 'a' },
      { ...profile({ kind: 'every', minutes: 30 }), name: 'b', paused: true },
    ],
    clock,
  );
  const scheduler = new Scheduler(host, { clock, timers: false });
  await scheduler.start();
  assert.deepEqual(
    host.runs.map((r) => r.name),
    ['a'],
    'a paused profile does not run',
  );
  scheduler.pause();
  clock.advance(2 * 3_600_000); // 12:00
  await scheduler.check();
  assert.equal(host.runs.length, 1, 'nothing runs while all is paused');
  await scheduler.resume();
  assert.deepEqual(
    host.runs.map((r) => [r.name, r.slot]),
    [
      ['a', at('10:00')],
      ['a', at('12:00')],
    ],
  );
});

test('a wall-clock jump is noticed by the heartbeat and the due run happens once', async () => {
  const clock = new ManualClock(at('10:01'));
  const host = new FakeHost([{ ...profile({ kind: 'daily', time: '11:00' }), name: 'a' }], clock);
  const scheduler = new Scheduler(host, { clock, timers: false });
  const jumps: number[] = [];
  scheduler.on('clock-jump', ({ byMs }) => jumps.push(byMs));
  await scheduler.start();
  assert.equal(host.runs.length, 0);
  clock.advance(3 * 3_600_000, 30_000); // suspended: 3 h of wall time, 30 s of monotonic time
  await scheduler.heartbeat();
  assert.equal(jumps.length, 1);
  assert.ok(jumps[0]! > 2 * 3_600_000);
  assert.deepEqual(host.runs, [{ name: 'a', slot: at('11:00') }]);
  clock.advance(30_000);
  await scheduler.heartbeat();
  assert.equal(jumps.length, 1, 'a normal beat is not a jump');
  assert.equal(host.runs.length, 1);
});

test('the watchdog is raised through the host once per silent period', async () => {
  const clock = new ManualClock(at('08:00'));
  const host = new FakeHost([{ ...profile({ kind: 'manual' }, { watchdogHours: 2 }), name: 'w' }], clock);
  const scheduler = new Scheduler(host, { clock, timers: false });
  await scheduler.start();
  assert.deepEqual(host.watchdogs, []);
  clock.advance(2 * 3_600_000);
  await scheduler.check();
  await scheduler.check();
  assert.deepEqual(host.watchdogs, ['w']);
  clock.advance(2 * 3_600_000);
  await scheduler.check();
  assert.deepEqual(host.watchdogs, ['w', 'w']);
});
