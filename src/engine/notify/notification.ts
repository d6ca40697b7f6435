// Desktop-notification content: short title and body, urgency, and the history entry a click opens.
// The app shows it with Electron's Notification; nothing here depends on Electron.
import type { NotificationSettings } from '../../shared/settings.ts';
import { alertedChanges, describeChange, groupByHost, isNewOpenPort, plural } from '../../shared/wording.ts';
import type { ScanReport } from '../reporter.ts';
import { mayNotifyFailure } from './rate-limit.ts';

export type Urgency = 'low' | 'normal' | 'critical';

export interface DesktopNotice {
  title: string;
  body: string;
  urgency: Urgency;
  /** The history entry a click opens (undefined for the watchdog). */
  entryId?: string;
  profile: string;
  kind: 'changes' | 'failed' | 'watchdog';
}

/** Above this many changes the body summarises instead of listing. */
const LIST_AT_MOST = 3;
const BODY_MAX = 200;

function clip(text: string): string {
  return text.length <= BODY_MAX ? text : `${text.slice(0, BODY_MAX - 1)}…`;
}

export interface NoticeContext {
  settings: NotificationSettings;
  /** When the last failed-scan notice for this profile was shown, for the rate limit. */
  lastFailureNoticeAt?: Date | string | null;
  /** Failed-scan notices at most once per this many hours (default 6). */
  failureEveryHours?: number;
  now?: Date;
}

/** The notice for a recorded scan, or null when there is nothing to show (no change, off, rate-limited). */
export function scanNotice(report: ScanReport, context: NoticeContext): DesktopNotice | null {
  const { entry, profile } = report;
  if (!context.settings.desktop) return null;
  if (entry.status === 'failed') {
    if (!context.settings.failedScans) return null;
    if (
      !mayNotifyFailure(
        context.lastFailureNoticeAt,
        context.now ?? new Date(),
        context.failureEveryHours ?? 6,
      )
    )
      return null;
    return {
      title: `Scan failed: ${profile.name}`,
      body: clip(entry.reason ?? 'nmap did not finish'),
      urgency: 'normal',
      entryId: entry.id,
      profile: profile.name,
      kind: 'failed',
    };
  }
  if (entry.status !== 'ok') return null;
  const changes = alertedChanges(entry);
  if (changes.length === 0) return null;
  const opened = changes.filter(isNewOpenPort);
  const hosts = new Set(changes.map((c) => c.host)).size;
  const title = `${profile.name}: ${plural(changes.length, 'change')}${hosts > 1 ? ` on ${plural(hosts, 'host')}` : ''}`;
  let body: string;
  if (changes.length <= LIST_AT_MOST) {
    body = groupByHost(changes)
      .flatMap((g) => g.changes.map((c) => `${g.host} ${describeChange(c)}`))
      .join('\n');
  } else {
    const parts: string[] = [];
    if (opened.length > 0)
      parts.push(
        `${plural(opened.length, 'new open port')} (${opened
          .slice(0, 3)
          .map((c) => `${c.host} ${'port' in c ? c.port : ''}`)
          .join(', ')}${opened.length > 3 ? ', …' : ''})`,
      );
    const rest = changes.length - opened.length;
    if (rest > 0) parts.push(`${plural(rest, 'other change')}`);
    body = `${parts.join(', ')}. Click to see them.`;
  }
  return {
    title,
    body: clip(body),
    // New open ports are what an intruder or a mistake looks like.
    urgency: opened.length > 0 ? 'critical' : 'normal',
    entryId: entry.id,
    profile: profile.name,
    kind: 'changes',
  };
}

/** The watchdog's notice: no successful scan for a while. */
export function watchdogNotice(
  profileName: string,
  lastSuccessAt: string | null,
  now: Date = new Date(),
): DesktopNotice {
  const hours = lastSuccessAt ? Math.round((now.getTime() - Date.parse(lastSuccessAt)) / 3_600_000) : null;
  return {
    title: `No successful scan: ${profileName}`,
    body:
      hours === null
        ? 'This profile has never been scanned successfully.'
        : `The last successful scan was ${plural(hours, 'hour')} ago.`,
    urgency: 'normal',
    profile: profileName,
    kind: 'watchdog',
  };
}
