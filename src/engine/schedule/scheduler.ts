// Drives every profile's schedule. node-schedule fires at each slot; a heartbeat re-checks every
// `heartbeatMs` so that a slot missed while the machine slept, or skipped by a wall-clock jump, still runs
// (once). Every decision goes through check(), which compares the latest slot with the persisted last run,
// so firing twice never scans twice and a missed day never scans N times.
import { EventEmitter } from 'node:events';
import type { Job } from 'node-schedule';
import type { Profile } from '../../shared/profile.ts';
import { nextRuns } from './cron.ts';
import { dueSlot, watchdogDue, type RunMemory } from './due.ts';

export interface Clock {
  now(): Date;
  /** Monotonic milliseconds (does not jump with the wall clock). */
  monotonic(): number;
}

export const systemClock: Clock = { now: () => new Date(), monotonic: () => performance.now() };

/** What the scheduler drives (the Monitor). */
export interface SchedulerHost {
  profiles(): Profile[];
  memory(name: string): RunMemory;
  /** Runs a scheduled scan (joining one already running). */
  runScheduled(name: string, slot: Date): Promise<unknown>;
  /** The watchdog fired for this profile; the host reports it and persists lastWatchdogAt. */
  watchdog(profile: Profile): Promise<void>;
}

export interface SchedulerOptions {
  clock?: Clock;
  /** How often the heartbeat re-checks (default 30 s). */
  heartbeatMs?: number;
  /** false: no timers at all; the caller calls check() (tests). */
  timers?: boolean;
}

export interface SchedulerEvents {
  'clock-jump': [{ byMs: number }];
  error: [{ profile: string; error: unknown }];
}

type NodeSchedule = typeof import('node-schedule');
let nodeSchedule: NodeSchedule | undefined;

/** node-schedule is loaded when timers start: a one-shot `portwatch scan` never arms one and skips its load. */
async function loadNodeSchedule(): Promise<NodeSchedule> {
  nodeSchedule ??= ((await import('node-schedule')) as { default: NodeSchedule }).default;
  return nodeSchedule;
}

export class Scheduler extends EventEmitter<SchedulerEvents> {
  readonly host: SchedulerHost;
  readonly clock: Clock;
  readonly heartbeatMs: number;
  readonly timers: boolean;
  #jobs = new Map<string, Job>();
  #heartbeat: NodeJS.Timeout | undefined;
  #running = new Map<string, Promise<unknown>>();
  #paused = false;
  #started = false;
  /** Bumped by start() and stop(), so a stop() during start()'s load wins. */
  #generation = 0;
  #lastWall = 0;
  #lastMono = 0;

  constructor(host: SchedulerHost, options: SchedulerOptions = {}) {
    super();
    this.host = host;
    this.clock = options.clock ?? systemClock;
    this.heartbeatMs = options.heartbeatMs ?? 30_000;
    this.timers = options.timers ?? true;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Starts the schedules; runs what was missed while nothing was running (once per profile). */
  async start(): Promise<void> {
    const generation = ++this.#generation;
    if (this.timers) await loadNodeSchedule();
    if (generation !== this.#generation) return; // stopped while loading
    this.#started = true;
    this.#lastWall = this.clock.now().getTime();
    this.#lastMono = this.clock.monotonic();
    if (this.timers) {
      this.refresh();
      this.#heartbeat = setInterval(() => void this.heartbeat(), this.heartbeatMs);
      this.#heartbeat.unref?.();
    }
    return this.check();
  }

  /** Stops firing; scans already running are the host's to finish or cancel. */
  stop(): void {
    this.#generation++;
    this.#started = false;
    for (const job of this.#jobs.values()) job.cancel();
    this.#jobs.clear();
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /** Pauses every schedule (profiles keep their own `paused` flag too). */
  pause(): void {
    this.#paused = true;
  }

  resume(): Promise<void> {
    this.#paused = false;
    return this.check();
  }

  /**
   * Rebuilds the timers after profiles or schedules changed: one node-schedule job per profile at its next
   * run time, re-armed after it fires. (Profiles added by another process are still found by the heartbeat.)
   */
  refresh(): void {
    if (!this.#started || !this.timers) return;
    for (const job of this.#jobs.values()) job.cancel();
    this.#jobs.clear();
    for (const profile of this.host.profiles()) this.#arm(profile);
  }

  #arm(profile: Profile): void {
    this.#jobs.get(profile.name)?.cancel();
    this.#jobs.delete(profile.name);
    if (profile.schedule.kind === 'manual' || profile.paused) return;
    let next: Date | undefined;
    try {
      next = nextRuns(profile.schedule, this.clock.now(), 1)[0];
    } catch (error) {
      this.emit('error', { profile: profile.name, error });
      return;
    }
    if (!next) return;
    const job = nodeSchedule!.scheduleJob(next, () => {
      this.#jobs.delete(profile.name);
      void this.check().finally(() => {
        const current = this.host.profiles().find((p) => p.name === profile.name);
        if (current && this.#started) this.#arm(current);
      });
    });
    if (job) this.#jobs.set(profile.name, job);
  }

  /** Whether a scheduled scan of this profile is running now. */
  isRunning(name: string): boolean {
    return this.#running.has(name);
  }

  /**
   * Starts every profile that is due (at most one run each, however many slots were missed) and fires the
   * watchdog where it is due. Resolves when the runs it started have finished.
   */
  async check(): Promise<void> {
    const now = this.clock.now();
    const started: Promise<unknown>[] = [];
    for (const profile of this.host.profiles()) {
      const memory = this.host.memory(profile.name);
      if (watchdogDue(profile, memory, now)) {
        started.push(
          this.host.watchdog(profile).catch((error) => this.emit('error', { profile: profile.name, error })),
        );
      }
      if (this.#paused || this.#running.has(profile.name)) continue;
      const slot = dueSlot(profile, memory, now);
      if (!slot) continue;
      const run = this.host
        .runScheduled(profile.name, slot)
        .catch((error) => this.emit('error', { profile: profile.name, error }))
        .finally(() => this.#running.delete(profile.name));
      this.#running.set(profile.name, run);
      started.push(run);
    }
    await Promise.all(started);
  }

  /** The heartbeat: notices wall-clock jumps (sleep, NTP, DST by hand) and re-checks. */
  async heartbeat(): Promise<void> {
    const wall = this.clock.now().getTime();
    const mono = this.clock.monotonic();
    const drift = wall - this.#lastWall - (mono - this.#lastMono);
    this.#lastWall = wall;
    this.#lastMono = mono;
    if (Math.abs(drift) > 60_000) {
      this.emit('clock-jump', { byMs: drift });
      this.refresh(); // node-schedule's timers were set for the old clock
    }
    await this.check();
  }
}
