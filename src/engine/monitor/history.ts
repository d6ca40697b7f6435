// A profile's scan history: an append-only log, one line per scan, listed newest first by reading the file
// from its end (the last 100 of 100,000 scans cost as much as the last 100 of 100). Raw XML of scans is kept
// beside it; `prune` drops the XML of old scans that changed nothing.
import fs from 'node:fs';
import type { HistoryEntry } from '../../shared/history.ts';
import { removeFile, writeFileAtomic } from '../store/atomic.ts';
import { AppendLog, type LogPage } from '../store/log.ts';
import { idTime, type ProfilePaths } from './layout.ts';

export class HistoryStore {
  readonly paths: ProfilePaths;
  readonly log: AppendLog<HistoryEntry>;

  constructor(paths: ProfilePaths) {
    this.paths = paths;
    this.log = new AppendLog<HistoryEntry>(paths.historyLog);
  }

  // Entries come back with `hasXml` as it is now: the log line says the XML was kept, retention may have
  // removed it since (the log is append-only, so the line is not rewritten).

  /** Newest first; pass the returned `next` as `before` for the page before. */
  list(limit = 100, before?: number): LogPage<HistoryEntry> {
    const page = this.log.readLast(limit, before);
    return { ...page, records: page.records.map((entry) => this.#current(entry)) };
  }

  get(id: string): HistoryEntry | undefined {
    return this.findLast((entry) => entry.id === id);
  }

  /** The newest entry that satisfies `match` (e.g. the last successful scan). */
  findLast(match: (entry: HistoryEntry) => boolean): HistoryEntry | undefined {
    const entry = this.log.findLast(match);
    return entry && this.#current(entry);
  }

  #current(entry: HistoryEntry): HistoryEntry {
    return entry.hasXml && !fs.existsSync(this.paths.scanXml(entry.id)) ? { ...entry, hasXml: false } : entry;
  }

  /** Records a scan: its XML first (if any), then its line. */
  record(entry: HistoryEntry, xml?: string): void {
    if (xml !== undefined && entry.hasXml) writeFileAtomic(this.paths.scanXml(entry.id), xml);
    this.log.append(entry);
  }

  xml(id: string): string | undefined {
    try {
      return fs.readFileSync(this.paths.scanXml(id), 'utf8');
    } catch {
      return undefined;
    }
  }

  /**
   * Deletes the raw XML of scans older than `retentionDays` that changed nothing, except `keep` (the newest
   * scan, which `reference accept` may still need). Scans with changes keep their XML.
   */
  prune(retentionDays: number, keep: Set<string>, now: Date = new Date()): number {
    let names: string[];
    try {
      names = fs.readdirSync(this.paths.scansDir);
    } catch {
      return 0;
    }
    const cutoff = now.getTime() - retentionDays * 86_400_000;
    // A scan's id holds its start time, so the log is read only when some XML is old enough to go.
    const candidates = new Set(
      names
        .filter((n) => n.endsWith('.xml'))
        .map((n) => n.slice(0, -4))
        .filter((id) => (idTime(id) ?? -Infinity) < cutoff),
    );
    if (candidates.size === 0) return 0;
    let removed = 0;
    // Walk back only as far as needed: every candidate is looked at once.
    for (const { record } of this.log.backwards()) {
      if (!candidates.delete(record.id)) {
        if (candidates.size === 0) break;
        continue;
      }
      if (keep.has(record.id) || record.changes.length > 0) continue;
      if (Date.parse(record.startedAt) >= cutoff) continue;
      removeFile(this.paths.scanXml(record.id));
      removed++;
      if (candidates.size === 0) break;
    }
    return removed;
  }
}
