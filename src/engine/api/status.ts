// The app's live state, the one model of it, for the tray icon and the windows: which profiles are scanning
// (and how far), which scans with changes are unseen, and the latest failure. Fed by the monitor's events only
// (`follow`; captures are scans too); the user's "seen" is the one other input. No electron here.
import type { HistoryEntry } from '../../shared/history.ts';
import type { AppState, HistoryRow, ProfileState, ScanProgressEvent, TrayState } from '../../shared/ipc.ts';
import { messageOf } from '../errors.ts';
import type { MonitorEvents } from '../monitor/monitor.ts';
import { toRow } from './rows.ts';

/** The part of the Monitor the status listens to. */
export interface MonitorEventSource {
  on<E extends keyof MonitorEvents>(event: E, listener: (...args: MonitorEvents[E]) => void): unknown;
  off<E extends keyof MonitorEvents>(event: E, listener: (...args: MonitorEvents[E]) => void): unknown;
}

export class AppStatus {
  private readonly scanning = new Map<string, ScanProgressEvent | undefined>();
  private readonly unseen = new Set<string>();
  private readonly lastScan = new Map<string, HistoryRow>();
  private readonly listeners = new Set<() => void>();
  private lastError: { profile: string; message: string } | undefined;

  /** Called whenever something the tray shows changes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Follows the monitor's scans; returns the function that stops following. */
  follow(monitor: MonitorEventSource): () => void {
    const started = ({ profile }: { profile: string }) => this.scanStarted(profile);
    const progress = (p: MonitorEvents['progress'][0]) =>
      this.progress({
        profile: p.profile,
        task: p.task,
        percent: p.percent,
        ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}),
      });
    const finished = ({ entry }: MonitorEvents['scan-finished'][0]) => this.scanRecorded(entry);
    const ended = ({ profile }: { profile: string }) => this.scanEnded(profile);
    // A scan that could not even start (no nmap, say): the tray shows it as a failure, not just the log.
    const failed = ({ profile, error }: MonitorEvents['error'][0]) => {
      if (profile) this.scanFailed(profile, messageOf(error));
    };
    monitor.on('scan-started', started);
    monitor.on('progress', progress);
    monitor.on('scan-finished', finished);
    monitor.on('scan-ended', ended);
    monitor.on('error', failed);
    return () => {
      monitor.off('scan-started', started);
      monitor.off('progress', progress);
      monitor.off('scan-finished', finished);
      monitor.off('scan-ended', ended);
      monitor.off('error', failed);
    };
  }

  scanStarted(profile: string): void {
    this.scanning.set(profile, undefined);
    this.changed();
  }

  progress(event: ScanProgressEvent): void {
    this.scanning.set(event.profile, event);
    this.changed();
  }

  scanRecorded(entry: HistoryEntry): void {
    this.scanning.delete(entry.profile);
    this.lastScan.set(entry.profile, toRow(entry));
    if (entry.status === 'ok' && entry.counts.alerted > 0) this.unseen.add(entry.id);
    if (entry.status === 'failed') {
      this.lastError = {
        profile: entry.profile,
        message: `${entry.profile}: ${entry.reason ?? 'the scan failed'}`,
      };
    } else if (this.lastError?.profile === entry.profile) {
      this.lastError = undefined;
    }
    this.changed();
  }

  /** A scan that failed without a history entry (it could not start): shown like a failed scan. */
  scanFailed(profile: string, message: string): void {
    this.scanning.delete(profile);
    this.lastError = { profile, message: profile ? `${profile}: ${message}` : message };
    this.changed();
  }

  scanEnded(profile: string): void {
    if (this.scanning.delete(profile)) this.changed();
  }

  /** The user opened the history (or this scan): its changes are seen. */
  markSeen(id?: string): void {
    if (id === undefined) this.unseen.clear();
    else this.unseen.delete(id);
    this.changed();
  }

  /** Seeds the last scans from history at start-up. */
  seed(entries: HistoryEntry[]): void {
    for (const e of entries) {
      const known = this.lastScan.get(e.profile);
      if (!known || known.startedAt < e.startedAt) this.lastScan.set(e.profile, toRow(e));
    }
  }

  snapshot(profiles: { name: string; paused: boolean; nextRun: string | null }[]): AppState {
    const states: ProfileState[] = profiles.map((p) => ({
      name: p.name,
      paused: p.paused,
      scanning: this.scanning.has(p.name),
      ...(this.scanning.get(p.name) ? { progress: this.scanning.get(p.name) } : {}),
      lastScan: this.lastScan.get(p.name) ?? null,
      nextRun: p.paused ? null : p.nextRun,
    }));
    const state: TrayState = states.some((p) => p.scanning)
      ? 'scanning'
      : this.lastError
        ? 'error'
        : this.unseen.size > 0
          ? 'unseen'
          : states.length > 0 && states.every((p) => p.paused)
            ? 'paused'
            : 'quiet';
    return {
      state,
      profiles: states,
      unseen: this.unseen.size,
      ...(this.lastError ? { error: this.lastError.message } : {}),
    };
  }
}
