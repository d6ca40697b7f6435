// The one notification policy, for every channel (desktop notices, mail, and the channels to come):
// "may we tell the user now" and "what kind of news is it". The wording is src/shared/wording.ts and
// notification.ts (desktop) / mail/report.ts (mail); the channels only deliver.
//
// The rules, per channel and profile:
// - a channel that is switched off hears nothing (desktop: notifications.desktop, and notifications.failedScans
//   for failed scans; mail: email.enabled);
// - a scan with alerted changes is news; a failed scan is news at most once per `failedScanEveryHours`
//   (notifications.* for the desktop, email.* for mail; email's 0 = never), and a successful scan makes the
//   next failure news again; a scan with no change is news only to mail with email.heartbeat on;
// - inside quiet hours news is held (verdict 'hold', with the time quiet hours end): mail keeps it in its
//   held queue, the desktop keeps it and shows ONE summary notice when quiet hours end.
// When a failed-scan notice last went out is kept in DATA/notify-state.json, so the limit holds across
// restarts and between the app and the CLI.
import path from 'node:path';
import type { HistoryEntry } from '../../shared/history.ts';
import type { Settings } from '../../shared/settings.ts';
import { inQuietHours, quietHoursEnd } from '../../shared/time-of-day.ts';
import { alertedChanges } from '../../shared/wording.ts';
import type { ScanReport } from '../reporter.ts';
import { readJson, writeJsonAtomic } from '../store/atomic.ts';
import { withLockSync } from '../store/lock.ts';
import { mayNotifyFailure } from './rate-limit.ts';

/** 'channels': the alert channels (ntfy, chat, webhooks) together; the reporter knows which serve a profile. */
export type Channel = 'desktop' | 'mail' | 'channels';

/** What a recorded scan has to tell. */
export type NewsKind = 'changes' | 'failed' | 'heartbeat';

export type Verdict =
  | { tell: 'now'; kind: NewsKind }
  /** Quiet hours: keep it until `until`. */
  | { tell: 'hold'; kind: NewsKind; until: Date }
  | { tell: 'no'; why: 'off' | 'no-news' | 'rate-limited' };

export const NOTIFY_STATE_FILE = 'notify-state.json';

interface NotifyState {
  /** Per channel, per profile: when the last failed-scan notice was let through (ISO). */
  lastFailedNoticeAt: Partial<Record<Channel, Record<string, string>>>;
}

export interface NotificationPolicyOptions {
  dataDir: string;
  now?: () => Date;
}

/** What kind of news a scan is, before any channel's rules: null when it is none at all. */
export function newsOf(entry: Pick<HistoryEntry, 'status' | 'changes' | 'suppressed'>): NewsKind | null {
  if (entry.status === 'failed') return 'failed';
  if (entry.status !== 'ok') return null; // offline or cancelled: nothing to tell
  return alertedChanges(entry).length > 0 ? 'changes' : 'heartbeat';
}

export class NotificationPolicy {
  readonly #file: string;
  readonly #lock: string;
  readonly #now: () => Date;

  constructor(options: NotificationPolicyOptions) {
    this.#file = path.join(options.dataDir, NOTIFY_STATE_FILE);
    this.#lock = path.join(options.dataDir, 'notify-state.lock');
    this.#now = options.now ?? (() => new Date());
  }

  /** Whether `channel` may tell the user about this recorded scan now. A 'now' or 'hold' for a failed scan
   *  starts the failed-scan limit; a successful scan clears it. */
  decide(channel: Channel, report: ScanReport, settings: Settings): Verdict {
    if (!this.enabled(channel, settings)) return { tell: 'no', why: 'off' };
    const kind = newsOf(report.entry);
    const profile = report.profile.name;
    if (kind === null) return { tell: 'no', why: 'no-news' };
    if (kind === 'heartbeat') {
      this.#clearFailure(channel, profile, report.entry.status);
      if (channel !== 'mail' || !settings.email.heartbeat) return { tell: 'no', why: 'no-news' };
    } else if (kind === 'changes') {
      this.#clearFailure(channel, profile, report.entry.status);
    } else {
      if (channel === 'desktop' && !settings.notifications.failedScans) return { tell: 'no', why: 'off' };
      if (!this.#takeFailureSlot(channel, profile, failedEveryHours(channel, settings)))
        return { tell: 'no', why: 'rate-limited' };
    }
    return this.timing(kind, settings);
  }

  /** 'now', or 'hold' until quiet hours end: for news that is not about one scan (the watchdog). */
  timing<K extends NewsKind>(
    kind: K,
    settings: Settings,
  ): { tell: 'now'; kind: K } | { tell: 'hold'; kind: K; until: Date } {
    const at = this.#now();
    return inQuietHours(at, settings.quietHours)
      ? { tell: 'hold', kind, until: quietHoursEnd(at, settings.quietHours) }
      : { tell: 'now', kind };
  }

  /** Whether the channel is switched on at all. */
  enabled(channel: Channel, settings: Settings): boolean {
    if (channel === 'channels') return true; // configured at all is switched on (the reporter asks only then)
    return channel === 'mail' ? settings.email.enabled : settings.notifications.desktop;
  }

  #read(): NotifyState {
    const state = readJson<Partial<NotifyState>>(this.#file);
    return { lastFailedNoticeAt: state?.lastFailedNoticeAt ?? {} };
  }

  #takeFailureSlot(channel: Channel, profile: string, everyHours: number): boolean {
    const now = this.#now();
    return withLockSync(this.#lock, 'notification limits', () => {
      const state = this.#read();
      const seen = state.lastFailedNoticeAt[channel] ?? {};
      if (!mayNotifyFailure(seen[profile], now, everyHours)) return false;
      state.lastFailedNoticeAt[channel] = { ...seen, [profile]: now.toISOString() };
      writeJsonAtomic(this.#file, state);
      return true;
    });
  }

  #clearFailure(channel: Channel, profile: string, status: string): void {
    if (status !== 'ok' || this.#read().lastFailedNoticeAt[channel]?.[profile] === undefined) return;
    withLockSync(this.#lock, 'notification limits', () => {
      const state = this.#read();
      const seen = { ...state.lastFailedNoticeAt[channel] };
      delete seen[profile];
      state.lastFailedNoticeAt[channel] = seen;
      writeJsonAtomic(this.#file, state);
    });
  }
}

function failedEveryHours(channel: Channel, settings: Settings): number {
  // The alert channels follow mail's limit: both are "messages that reach me anywhere".
  return channel === 'desktop'
    ? settings.notifications.failedScanEveryHours
    : settings.email.failedScanEveryHours;
}
