// Desktop-notification content: short title and body, urgency, and the history entry a click opens.
// The app shows it with Electron's Notification; nothing here depends on Electron.
import { alertedChanges, describeChange, groupByHost, isNewOpenPort, plural } from '../../shared/wording.ts';
import type { ScanReport } from '../reporter.ts';

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

/**
 * What to say about a recorded scan on the desktop, or null when there is nothing to say. Whether to say it
 * now is the policy's call (policy.ts), not this function's.
 */
export function scanNotice(report: ScanReport): DesktopNotice | null {
  const { entry, profile } = report;
  if (entry.status === 'failed')
    return {
      title: `Scan failed: ${profile.name}`,
      body: clip(entry.reason ?? 'nmap did not finish'),
      urgency: 'normal',
      entryId: entry.id,
      profile: profile.name,
      kind: 'failed',
    };
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

/**
 * The one notice shown when quiet hours end, in place of everything held through them: what happened, per
 * kind, and which profiles. A click opens the history (the latest held scan when there was only one).
 */
export function heldSummary(held: readonly DesktopNotice[]): DesktopNotice | null {
  if (held.length === 0) return null;
  if (held.length === 1) return held[0]!;
  const profiles = [...new Set(held.map((n) => n.profile))];
  const count = (kind: DesktopNotice['kind']) => held.filter((n) => n.kind === kind).length;
  const parts = [
    count('changes') > 0 ? plural(count('changes'), 'scan') + ' with changes' : '',
    count('failed') > 0 ? plural(count('failed'), 'failed scan') : '',
    count('watchdog') > 0 ? plural(count('watchdog'), 'watchdog alert') : '',
  ].filter(Boolean);
  return {
    title: `While quiet: ${parts.join(', ')}`,
    body: clip(`${profiles.join(', ')}. Click to see the history.`),
    urgency: held.some((n) => n.urgency === 'critical') ? 'critical' : 'normal',
    profile: profiles.length === 1 ? profiles[0]! : '',
    kind: count('changes') > 0 ? 'changes' : count('failed') > 0 ? 'failed' : 'watchdog',
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
