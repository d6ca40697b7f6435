// The email report: a subject that says it all, a text part, and an HTML part that reads well in common mail
// clients (inline styles, tables, no scripts, no remote images, everything escaped). One renderer serves a
// single scan, a digest, and alerts held through quiet hours: each is a list of report items.
import type { Change } from '../../shared/changes.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import type { ScanReport } from '../reporter.ts';
import { alertedChanges, describeChange, groupByHost, isNewOpenPort, plural } from '../../shared/wording.ts';

/** What one scan contributes to a mail. Serialisable: held items wait on disk for a digest or quiet hours' end. */
export interface ScanItem extends Pick<
  HistoryEntry,
  'profile' | 'startedAt' | 'durationMs' | 'status' | 'reason' | 'counts'
> {
  kind: 'changes' | 'heartbeat' | 'failed';
  entryId: string;
  /** The alerted changes only. */
  changes: Change[];
  ndiffText: string;
  /** Why ndiff's block shows changes not listed (it compares the scan as nmap wrote it), when it does. */
  ndiffNote?: string;
}

export interface WatchdogItem {
  kind: 'watchdog';
  profile: string;
  lastSuccessAt: string | null;
  at: string;
}

export type ReportItem = ScanItem | WatchdogItem;

export interface MailContent {
  subject: string;
  text: string;
  html: string;
  attachments?: Array<{ filename: string; content: string; contentType: string }>;
}

export interface ReportLimits {
  /** Change lines listed in the body before "and N more". */
  maxChanges: number;
  /** ndiff lines shown in the body before it is cut (the full text is attached). */
  maxNdiffLines: number;
}

export const DEFAULT_LIMITS: ReportLimits = { maxChanges: 100, maxNdiffLines: 300 };

export function scanItem(report: ScanReport, kind: ScanItem['kind']): ScanItem {
  const { entry, profile } = report;
  const changes = alertedChanges(entry);
  const note = ndiffNote(entry.confirmation?.dropped ?? 0, entry.changes.length - changes.length);
  return {
    kind,
    entryId: entry.id,
    profile: profile.name,
    startedAt: entry.startedAt,
    durationMs: entry.durationMs,
    status: entry.status,
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    counts: entry.counts,
    changes,
    ndiffText: report.ndiffText,
    ...(note ? { ndiffNote: note } : {}),
  };
}

/** ndiff is not filtered: say what it shows beyond the listed changes, so its extra lines don't alarm. */
function ndiffNote(dropped: number, quiet: number): string | undefined {
  const extra = [
    ...(dropped > 0 ? [`${plural(dropped, 'change')} that did not show again when rescanned`] : []),
    ...(quiet > 0 ? [plural(quiet, 'expected or snoozed change')] : []),
  ];
  return extra.length > 0
    ? `It compares the reference with the scan as nmap wrote it, so it also shows ${extra.join(' and ')}, not listed above.`
    : undefined;
}

/** "2026-11-24 07:05 UTC+01:00", in this machine's time zone. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const tz = `UTC${sign}${p(Math.floor(Math.abs(offset) / 60))}:${p(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())} ${tz}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function hostCount(changes: Change[]): number {
  return new Set(changes.map((c) => c.host)).size;
}

function names(list: string[]): string {
  return [...new Set(list)].join(', ');
}

export type ReportMode = 'single' | 'digest' | 'held';

export function subjectFor(items: ReportItem[], mode: ReportMode): string {
  const prefix = mode === 'digest' ? 'Portwatch digest' : 'Portwatch';
  const suffix = mode === 'held' ? ' (held during quiet hours)' : '';
  const scans = items.filter((i): i is ScanItem => i.kind !== 'watchdog');
  const changed = scans.filter((i) => i.kind === 'changes');
  const failed = scans.filter((i) => i.kind === 'failed');
  const watchdogs = items.filter((i): i is WatchdogItem => i.kind === 'watchdog');
  const parts: string[] = [];
  if (changed.length > 0) {
    const all = changed.flatMap((i) => i.changes);
    parts.push(
      `${plural(all.length, 'change')} on ${names(changed.map((i) => i.profile))} (${plural(hostCount(all), 'host')})`,
    );
  }
  if (failed.length > 0) {
    const where = names(failed.map((i) => i.profile));
    parts.push(failed.length === 1 ? `scan failed on ${where}` : `${failed.length} scans failed on ${where}`);
  }
  for (const w of watchdogs) parts.push(`no successful scan of ${w.profile} ${sinceText(w)}`);
  if (parts.length === 0) {
    const where = names(scans.map((i) => i.profile));
    parts.push(
      scans.length > 1
        ? `no change on ${where} (${scans.length} scans)`
        : `no change on ${where || 'your profiles'}`,
    );
  }
  return `${prefix}: ${parts.join('; ')}${suffix}`;
}

function sinceText(w: WatchdogItem): string {
  if (w.lastSuccessAt === null) return 'yet';
  const hours = Math.max(0, Math.round((Date.parse(w.at) - Date.parse(w.lastSuccessAt)) / 3_600_000));
  return `for ${plural(hours, 'hour')}`;
}

interface Budget {
  changesLeft: number;
  ndiffLinesLeft: number;
  changesCut: number;
  ndiffCut: boolean;
}

function statusLine(item: ScanItem): string {
  const c = item.counts;
  return `${plural(c.hostsUp, 'host')} up of ${c.hostsScanned} scanned, ${plural(c.openPorts, 'open port')}`;
}

function intro(mode: ReportMode): string {
  if (mode === 'digest') return 'What your scheduled scans found since the last digest.';
  if (mode === 'held') return 'These alerts came in during your quiet hours and were held until they ended.';
  return '';
}

function cutNdiff(text: string, budget: Budget): string {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length <= budget.ndiffLinesLeft) {
    budget.ndiffLinesLeft -= lines.length;
    return lines.join('\n');
  }
  const shown = lines.slice(0, Math.max(0, budget.ndiffLinesLeft));
  budget.ndiffLinesLeft = 0;
  budget.ndiffCut = true;
  return [
    ...shown,
    `... and ${plural(lines.length - shown.length, 'more line')} (the full diff is attached)`,
  ].join('\n');
}

function textItem(item: ReportItem, budget: Budget): string {
  if (item.kind === 'watchdog') {
    return [
      `== ${item.profile}: no successful scan ${sinceText(item)}`,
      `Last successful scan: ${item.lastSuccessAt ? formatTime(item.lastSuccessAt) : 'never'}. Check that the machine is on and nmap runs: portwatch scan '${item.profile}'.`,
    ].join('\n');
  }
  const out: string[] = [];
  const title =
    item.kind === 'failed'
      ? 'scan failed'
      : item.kind === 'heartbeat'
        ? 'no change'
        : plural(item.changes.length, 'change');
  out.push(`== ${item.profile}: ${title}`);
  out.push(`Scan:     ${formatTime(item.startedAt)}, took ${duration(item.durationMs)}`);
  if (item.kind === 'failed') {
    out.push(`Reason:   ${item.reason ?? item.status}`);
    out.push('No changes are reported from a failed scan; the next scan compares with the same reference.');
  } else {
    out.push(`Hosts:    ${statusLine(item)}`);
  }
  if (item.kind === 'changes') {
    const opened = item.changes.filter(isNewOpenPort).length;
    out.push(
      `Changes:  ${plural(item.changes.length, 'change')} on ${plural(hostCount(item.changes), 'host')}${opened ? `, ${plural(opened, 'new open port')}` : ''}`,
    );
    for (const group of groupByHost(item.changes)) {
      if (budget.changesLeft <= 0) {
        budget.changesCut += group.changes.length;
        continue;
      }
      out.push('', group.host);
      for (const change of group.changes) {
        if (budget.changesLeft <= 0) {
          budget.changesCut++;
          continue;
        }
        budget.changesLeft--;
        out.push(`  ${isNewOpenPort(change) ? '+ NEW ' : '  '}${describeChange(change)}`);
      }
    }
  }
  if (item.kind !== 'failed' && item.ndiffText.trim() !== '') {
    out.push('', 'ndiff:', ...(item.ndiffNote ? [item.ndiffNote] : []), cutNdiff(item.ndiffText, budget));
  }
  out.push('', `History entry: ${item.entryId}`);
  return out.join('\n');
}

const STYLE = {
  body: 'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328;line-height:1.4',
  h1: 'font-size:18px;margin:0 0 8px 0',
  h2: 'font-size:16px;margin:20px 0 6px 0;border-bottom:1px solid #d0d7de;padding-bottom:4px',
  table: 'border-collapse:collapse;margin:4px 0 8px 0',
  th: 'text-align:left;padding:2px 12px 2px 0;color:#57606a;font-weight:normal;vertical-align:top',
  td: 'padding:2px 12px 2px 0;vertical-align:top',
  host: 'font-family:Consolas,Menlo,monospace;font-weight:bold;padding:8px 0 2px 0',
  newRow: 'background:#ffebe9;color:#82071e;font-weight:bold',
  badge:
    'display:inline-block;background:#cf222e;color:#ffffff;border-radius:3px;padding:0 4px;font-size:11px',
  pre: 'font-family:Consolas,Menlo,monospace;font-size:12px;background:#f6f8fa;border:1px solid #d0d7de;padding:8px;white-space:pre-wrap;word-break:break-all',
  muted: 'color:#57606a;font-size:12px',
  more: 'color:#57606a;font-style:italic',
};

function htmlItem(item: ReportItem, budget: Budget): string {
  const e = escapeHtml;
  const row = (label: string, value: string) =>
    `<tr><th style="${STYLE.th}">${e(label)}</th><td style="${STYLE.td}">${e(value)}</td></tr>`;
  if (item.kind === 'watchdog') {
    return [
      `<h2 style="${STYLE.h2}">${e(item.profile)}: no successful scan ${e(sinceText(item))}</h2>`,
      `<p>Last successful scan: ${e(item.lastSuccessAt ? formatTime(item.lastSuccessAt) : 'never')}. Check that the machine is on and that nmap runs.</p>`,
    ].join('\n');
  }
  const out: string[] = [];
  const title =
    item.kind === 'failed'
      ? 'scan failed'
      : item.kind === 'heartbeat'
        ? 'no change'
        : plural(item.changes.length, 'change');
  out.push(`<h2 style="${STYLE.h2}">${e(item.profile)}: ${e(title)}</h2>`);
  out.push(`<table style="${STYLE.table}" role="presentation">`);
  out.push(row('Scan', `${formatTime(item.startedAt)}, took ${duration(item.durationMs)}`));
  if (item.kind === 'failed') out.push(row('Reason', item.reason ?? item.status));
  else out.push(row('Hosts', statusLine(item)));
  if (item.kind === 'changes') {
    const opened = item.changes.filter(isNewOpenPort).length;
    out.push(
      row(
        'Changes',
        `${plural(item.changes.length, 'change')} on ${plural(hostCount(item.changes), 'host')}${opened ? `, ${plural(opened, 'new open port')}` : ''}`,
      ),
    );
  }
  out.push('</table>');
  if (item.kind === 'failed') {
    out.push(
      `<p style="${STYLE.muted}">No changes are reported from a failed scan; the next scan compares with the same reference.</p>`,
    );
  }
  if (item.kind === 'changes') {
    out.push(`<table style="${STYLE.table}" role="presentation">`);
    for (const group of groupByHost(item.changes)) {
      if (budget.changesLeft <= 0) {
        budget.changesCut += group.changes.length;
        continue;
      }
      out.push(`<tr><td colspan="2" style="${STYLE.host}">${e(group.host)}</td></tr>`);
      for (const change of group.changes) {
        if (budget.changesLeft <= 0) {
          budget.changesCut++;
          continue;
        }
        budget.changesLeft--;
        out.push(
          isNewOpenPort(change)
            ? `<tr style="${STYLE.newRow}"><td style="${STYLE.td}"><span style="${STYLE.badge}">NEW</span></td><td style="${STYLE.td}">${e(describeChange(change))}</td></tr>`
            : `<tr><td style="${STYLE.td}"></td><td style="${STYLE.td}">${e(describeChange(change))}</td></tr>`,
        );
      }
    }
    out.push('</table>');
  }
  if (item.kind !== 'failed' && item.ndiffText.trim() !== '') {
    out.push(
      `<p style="${STYLE.muted}">ndiff:${item.ndiffNote ? ` ${e(item.ndiffNote)}` : ''}</p><pre style="${STYLE.pre}">${e(cutNdiff(item.ndiffText, budget))}</pre>`,
    );
  }
  out.push(`<p style="${STYLE.muted}">History entry: ${e(item.entryId)}</p>`);
  return out.join('\n');
}

function fullText(items: ReportItem[]): string {
  const unlimited: Budget = {
    changesLeft: Infinity,
    ndiffLinesLeft: Infinity,
    changesCut: 0,
    ndiffCut: false,
  };
  return items.map((i) => textItem(i, unlimited)).join('\n\n') + '\n';
}

/** Renders items into one mail. */
export function renderReport(
  items: ReportItem[],
  mode: ReportMode,
  limits: ReportLimits = DEFAULT_LIMITS,
): MailContent {
  const subject = subjectFor(items, mode);
  const textBudget: Budget = {
    changesLeft: limits.maxChanges,
    ndiffLinesLeft: limits.maxNdiffLines,
    changesCut: 0,
    ndiffCut: false,
  };
  const htmlBudget: Budget = { ...textBudget };
  const lead = intro(mode);

  const textParts = [subject, ...(lead ? [lead] : []), ...items.map((i) => textItem(i, textBudget))];
  const htmlParts = items.map((i) => htmlItem(i, htmlBudget));
  const cut = textBudget.changesCut > 0 || textBudget.ndiffCut;
  const more =
    textBudget.changesCut > 0
      ? `... and ${plural(textBudget.changesCut, 'more change')}: the full report is attached (portwatch-report.txt).`
      : '';
  if (more) textParts.push(more);
  else if (cut) textParts.push('The full diff is attached (portwatch-report.txt).');
  textParts.push(
    '-- \nSent by Portwatch. Change what is mailed with `portwatch config set email.on changes|digest`.',
  );

  const html = [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    `<body style="${STYLE.body}">`,
    `<h1 style="${STYLE.h1}">${escapeHtml(subject)}</h1>`,
    lead ? `<p>${escapeHtml(lead)}</p>` : '',
    ...htmlParts,
    more
      ? `<p style="${STYLE.more}">${escapeHtml(more)}</p>`
      : cut
        ? `<p style="${STYLE.more}">The full diff is attached (portwatch-report.txt).</p>`
        : '',
    `<p style="${STYLE.muted}">Sent by Portwatch.</p>`,
    '</body></html>',
  ]
    .filter((l) => l !== '')
    .join('\n');

  return {
    subject,
    text: textParts.join('\n\n') + '\n',
    html,
    ...(cut
      ? {
          attachments: [
            {
              filename: 'portwatch-report.txt',
              content: fullText(items),
              contentType: 'text/plain; charset=utf-8',
            },
          ],
        }
      : {}),
  };
}

/** `portwatch mail test`: proves the whole path works. */
export function testMessageContent(now: Date): MailContent {
  const subject = 'Portwatch: test message';
  const text = `This is a test message from Portwatch, sent ${formatTime(now.toISOString())}.\nIf you can read it, email reports will reach you.\n`;
  const html = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body style="${STYLE.body}"><h1 style="${STYLE.h1}">${escapeHtml(subject)}</h1><p>This is a test message from Portwatch, sent ${escapeHtml(formatTime(now.toISOString()))}.</p><p>If you can read it, email reports will reach you.</p></body></html>`;
  return { subject, text, html };
}

/** The mail one scan would produce on its own (also the app's "HTML report" view of a history entry). */
export function reportForScan(report: ScanReport, limits: ReportLimits = DEFAULT_LIMITS): MailContent {
  const kind: ScanItem['kind'] =
    report.entry.status === 'failed'
      ? 'failed'
      : alertedChanges(report.entry).length > 0
        ? 'changes'
        : 'heartbeat';
  return renderReport([scanItem(report, kind)], 'single', limits);
}
