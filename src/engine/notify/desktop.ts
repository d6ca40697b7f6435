// The desktop channel, without Electron: asks the policy, says it with scanNotice/watchdogNotice, and hands
// the notice to `show` (the app's Electron Notification). What quiet hours hold is kept here and shown as ONE
// summary notice when they end (heldSummary): a night of scans becomes one notice in the morning, not ten.
// Held notices live in memory: an app quit during quiet hours drops them (the history keeps every scan).
import type { Profile } from '../../shared/profile.ts';
import type { Settings } from '../../shared/settings.ts';
import type { ScanReport } from '../reporter.ts';
import { heldSummary, scanNotice, watchdogNotice, type DesktopNotice } from './notification.ts';
import type { NotificationPolicy, Verdict } from './policy.ts';

export interface DesktopChannelOptions {
  policy: NotificationPolicy;
  settings: () => Promise<Settings>;
  show: (notice: DesktopNotice) => void;
  now?: () => Date;
}

export type DesktopOutcome = { shown: DesktopNotice } | { held: DesktopNotice } | null;

export class DesktopChannel {
  readonly #options: DesktopChannelOptions;
  #held: DesktopNotice[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: DesktopChannelOptions) {
    this.#options = options;
  }

  /** After a recorded scan: shows its notice, holds it through quiet hours, or nothing. */
  async scanRecorded(report: ScanReport): Promise<DesktopOutcome> {
    const settings = await this.#options.settings();
    const verdict = this.#options.policy.decide('desktop', report, settings);
    if (verdict.tell === 'no') return null;
    const notice = scanNotice(report);
    return notice ? this.#deliver(notice, verdict) : null;
  }

  /** The watchdog fired: no successful scan for a while. */
  async watchdog(profile: Pick<Profile, 'name'>, lastSuccessAt: string | null): Promise<DesktopOutcome> {
    const settings = await this.#options.settings();
    if (!this.#options.policy.enabled('desktop', settings)) return null;
    const now = this.#options.now?.() ?? new Date();
    return this.#deliver(
      watchdogNotice(profile.name, lastSuccessAt, now),
      this.#options.policy.timing('failed', settings),
    );
  }

  /** What quiet hours are holding. */
  get held(): readonly DesktopNotice[] {
    return this.#held;
  }

  /** Shows the summary of what was held, unless it is still quiet. Runs by itself when quiet hours end. */
  async releaseHeld(): Promise<DesktopNotice | null> {
    if (this.#held.length === 0) return null;
    const timing = this.#options.policy.timing('changes', await this.#options.settings());
    if (timing.tell === 'hold') {
      this.#wakeAt(timing.until);
      return null;
    }
    const summary = heldSummary(this.#held);
    this.#held = [];
    if (summary) this.#options.show(summary);
    return summary;
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #deliver(notice: DesktopNotice, verdict: Exclude<Verdict, { tell: 'no' }>): DesktopOutcome {
    if (verdict.tell === 'hold') {
      this.#held.push(notice);
      this.#wakeAt(verdict.until);
      return { held: notice };
    }
    this.#options.show(notice);
    return { shown: notice };
  }

  #wakeAt(until: Date): void {
    if (this.#timer) clearTimeout(this.#timer);
    const now = this.#options.now?.() ?? new Date();
    const delay = Math.min(Math.max(until.getTime() - now.getTime(), 0) + 1000, 2 ** 31 - 1);
    this.#timer = setTimeout(() => void this.releaseHeld().catch(() => undefined), delay);
    this.#timer.unref?.();
  }
}
