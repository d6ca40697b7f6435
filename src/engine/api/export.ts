// Exporting one scan: ndiff text and XML and the HTML report come from the engine; JSON and CSV are built here
// from the change model.
import type { Change } from '../../shared/changes.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import type { ExportFormat, ExportedFile } from '../../shared/ipc.ts';
import type { AppEngine } from './engine.ts';

const csvCell = (value: string | number | undefined): string => {
  const text = value === undefined ? '' : String(value);
  // Quote when needed; a leading = + - @ is prefixed so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

function sideText(change: Change, side: 'before' | 'after'): string {
  const s = change[side] as Record<string, unknown> | null;
  if (!s) return '';
  if ('state' in s && 'service' in s && s.service) {
    const svc = s.service as Record<string, string | undefined>;
    return [s.state, svc.name, svc.product, svc.version].filter(Boolean).join(' ');
  }
  if ('state' in s) return String(s.state);
  if ('matches' in s) return (s.matches as string[]).join('; ');
  if ('output' in s) return String(s.output);
  return '';
}

export function changesCsv(entry: HistoryEntry): string {
  const header = ['scan', 'profile', 'started', 'host', 'port', 'protocol', 'kind', 'before', 'after'];
  const lines = [header.join(',')];
  for (const c of entry.changes) {
    const port = 'port' in c ? c.port : undefined;
    const protocol = 'protocol' in c ? c.protocol : undefined;
    lines.push(
      [
        entry.id,
        entry.profile,
        entry.startedAt,
        c.host,
        port,
        protocol,
        c.kind,
        sideText(c, 'before'),
        sideText(c, 'after'),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

export async function exportScan(
  engine: AppEngine,
  entry: HistoryEntry,
  format: ExportFormat,
): Promise<ExportedFile> {
  const base = `portwatch-${entry.profile}-${entry.startedAt.replace(/[:.]/g, '-')}`.replace(
    /[^\w.-]+/g,
    '_',
  );
  switch (format) {
    case 'ndiff-text':
      return {
        fileName: `${base}.ndiff.txt`,
        mimeType: 'text/plain',
        content: await engine.ndiff(entry.id, 'text'),
      };
    case 'ndiff-xml':
      return {
        fileName: `${base}.ndiff.xml`,
        mimeType: 'application/xml',
        content: await engine.ndiff(entry.id, 'xml'),
      };
    case 'json':
      return {
        fileName: `${base}.json`,
        mimeType: 'application/json',
        content: JSON.stringify(entry, null, 2) + '\n',
      };
    case 'csv':
      return { fileName: `${base}.csv`, mimeType: 'text/csv', content: changesCsv(entry) };
    case 'html':
      return { fileName: `${base}.html`, mimeType: 'text/html', content: await engine.htmlReport(entry.id) };
  }
}
