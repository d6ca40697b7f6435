// What a channel message says, before any app's format: the same report items mail is made of, in short
// lines a phone or a chat window shows well. Every kind (ntfy, Slack, Discord, Teams, webhook) formats this.
import type { Change } from '../../shared/changes.ts';
import { describeChange, groupByHost, plural } from '../../shared/wording.ts';
import { subjectFor, type ReportItem, type ReportMode } from '../mail/report.ts';

export interface MessageSection {
  /** "home: 2 changes", "home: scan failed". */
  heading: string;
  /** "127.0.0.1 443/tcp open: https nginx"; capped, see `more`. */
  lines: string[];
  /** Lines left out to keep the message short ("and N more"). */
  more: number;
  /** ISO time of the scan (or of the watchdog alert). */
  at: string;
}

export interface ChannelMessage {
  /** The mail subject without "Portwatch: " (the apps show who sent it). */
  title: string;
  sections: MessageSection[];
  /** A new open port is in it: what an intruder or a mistake looks like. */
  urgent: boolean;
  profiles: string[];
  /** The latest time any section is about. */
  at: string;
}

/** How many change lines a message lists before "and N more"; the short version is for 413 answers. */
export const FULL_LINES = 20;
export const SHORT_LINES = 3;

function changeLine(change: Change): string {
  return `${change.host} ${describeChange(change)}`;
}

function section(item: ReportItem, maxLines: number): MessageSection {
  if (item.kind === 'watchdog') {
    const since = item.lastSuccessAt ? `since ${item.lastSuccessAt}` : 'ever';
    return {
      heading: `${item.profile}: no successful scan ${since}`,
      lines: [`Check that the machine is on and nmap runs: portwatch scan '${item.profile}'`],
      more: 0,
      at: item.at,
    };
  }
  if (item.kind === 'failed')
    return {
      heading: `${item.profile}: scan failed`,
      lines: [item.reason ?? 'unknown reason', 'The reference is unchanged.'],
      more: 0,
      at: item.startedAt,
    };
  if (item.kind === 'heartbeat')
    return { heading: `${item.profile}: no change`, lines: [], more: 0, at: item.startedAt };
  const all = groupByHost(item.changes).flatMap((g) => g.changes.map(changeLine));
  return {
    heading: `${item.profile}: ${plural(item.changes.length, 'change')}`,
    lines: all.slice(0, maxLines),
    more: Math.max(0, all.length - maxLines),
    at: item.startedAt,
  };
}

export function channelMessage(items: ReportItem[], mode: ReportMode, maxLines = FULL_LINES): ChannelMessage {
  let left = maxLines;
  const sections = items.map((item) => {
    const s = section(item, Math.max(0, left));
    left -= s.lines.length;
    return s;
  });
  return {
    title: subjectFor(items, mode).replace(/^Portwatch: /, ''),
    sections,
    urgent: items.some((i) => i.kind === 'changes' && i.changes.some((c) => c.kind === 'port-opened')),
    profiles: [...new Set(items.map((i) => i.profile))],
    at:
      sections
        .map((s) => s.at)
        .sort()
        .at(-1) ?? new Date(0).toISOString(),
  };
}

/** "and 4 more" lines, or nothing. */
export function moreLine(s: MessageSection): string[] {
  return s.more > 0 ? [`… and ${s.more} more`] : [];
}

/** Plain text: a heading per section, its lines, "and N more", and when. For ntfy and as a fallback. */
export function plainText(message: ChannelMessage): string {
  return message.sections
    .map((s) => [s.heading, ...s.lines.map((l) => `• ${l}`), ...moreLine(s), `at ${s.at}`].join('\n'))
    .join('\n\n');
}

/** The test message every kind sends for `channel test`. */
export function testMessage(now: Date): ChannelMessage {
  const at = now.toISOString();
  return {
    title: 'test message',
    sections: [
      {
        heading: 'Portwatch can reach this channel',
        lines: ['Alerts about port changes will arrive here.'],
        more: 0,
        at,
      },
    ],
    urgent: false,
    profiles: [],
    at,
  };
}
