// Turning history entries into what the windows show: timeline rows, filters, pages and the chart's series.
import type { HistoryEntry } from '../../shared/history.ts';
import type { HistoryQuery, HistoryRow, SeriesPoint } from '../../shared/ipc.ts';

export function toRow(entry: HistoryEntry): HistoryRow {
  const { id, profile, startedAt, durationMs, status, reason, counts, delivery } = entry;
  return { id, profile, startedAt, durationMs, status, ...(reason ? { reason } : {}), counts, delivery };
}

function matches(entry: HistoryEntry, q: HistoryQuery): boolean {
  if (q.profile && entry.profile !== q.profile) return false;
  if (q.status && entry.status !== q.status) return false;
  if (q.onlyChanges && entry.counts.changes === 0) return false;
  if (q.from && entry.startedAt < q.from) return false;
  if (q.to && entry.startedAt > q.to) return false;
  if (q.host || q.port !== undefined || q.kind) {
    return entry.changes.some(
      (c) =>
        (!q.host || c.host === q.host) &&
        (q.port === undefined || ('port' in c && c.port === q.port)) &&
        (!q.kind || c.kind === q.kind),
    );
  }
  return true;
}

/** One page of the timeline, newest first, and how many entries match in all. */
export function pageOf(entries: HistoryEntry[], q: HistoryQuery): { rows: HistoryRow[]; total: number } {
  const hits = entries.filter((e) => matches(e, q));
  hits.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  return { rows: hits.slice(q.offset, q.offset + q.limit).map(toRow), total: hits.length };
}

/**
 * Open ports over time, oldest first. For one host, the count is rebuilt from the change stream (opened +1,
 * closed -1), since a history entry keeps only the profile-wide count.
 */
export function seriesOf(entries: HistoryEntry[], host?: string): SeriesPoint[] {
  const ordered = [...entries].sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
  const points: SeriesPoint[] = [];
  let hostOpen = 0;
  for (const e of ordered) {
    const t = Math.floor(Date.parse(e.startedAt) / 1000);
    if (!host) {
      points.push({ t, openPorts: e.status === 'ok' ? e.counts.openPorts : NaN, status: e.status });
      continue;
    }
    for (const c of e.changes) {
      if (c.host !== host) continue;
      if (c.kind === 'port-opened') hostOpen++;
      if (c.kind === 'port-closed' && c.before?.state === 'open') hostOpen = Math.max(0, hostOpen - 1);
    }
    points.push({ t, openPorts: e.status === 'ok' ? hostOpen : NaN, status: e.status });
  }
  return points;
}
