// Desktop notifications: one per recorded scan that warrants it, content from the engine's notification
// builder; a click opens the history window on that scan. Failed-scan notices are rate-limited per profile so a
// broken network does not produce one every few minutes.
import type { ScanReport } from '../engine/reporter.ts';
import type { Settings } from '../shared/settings.ts';
import type { ElectronDeps, NotificationLike } from './deps.ts';

export interface NotificationContent {
  title: string;
  body: string;
  urgency: 'low' | 'normal' | 'critical';
  /** The history entry a click opens. */
  entryId: string;
}

export interface NotifierOptions {
  deps: Pick<ElectronDeps, 'notificationsSupported' | 'createNotification'>;
  /** The engine's notification builder: what to say about a scan, or null for nothing. */
  content: (report: ScanReport) => NotificationContent | null;
  settings: () => Promise<Pick<Settings, 'notifications'>>;
  openScan: (entryId: string) => void;
  icon?: string;
  /** Where a notification that could not be shown is reported. */
  log?: (line: string) => void;
  /** At most one failed-scan notice per profile per this many ms (default: one hour). */
  failedEveryMs?: number;
  now?: () => number;
}

export class Notifier {
  private readonly lastFailedAt = new Map<string, number>();
  /** Shown notifications are kept referenced, or their click handler can be garbage-collected. */
  private readonly live = new Set<NotificationLike>();
  private readonly options: NotifierOptions;

  constructor(options: NotifierOptions) {
    this.options = options;
  }

  /** Returns what was shown (or null), for the tests and the log. */
  async scanRecorded(report: ScanReport): Promise<NotificationContent | null> {
    const { deps, content, settings, openScan } = this.options;
    if (!deps.notificationsSupported()) return null;
    const { notifications } = await settings();
    if (!notifications.desktop) return null;
    const failed = report.entry.status === 'failed';
    if (failed) {
      if (!notifications.failedScans) return null;
      const now = (this.options.now ?? Date.now)();
      const last = this.lastFailedAt.get(report.profile.name);
      if (last !== undefined && now - last < (this.options.failedEveryMs ?? 3600_000)) return null;
      this.lastFailedAt.set(report.profile.name, now);
    } else {
      this.lastFailedAt.delete(report.profile.name);
    }
    const what = content(report);
    if (!what) return null;
    this.show(what, () => openScan(what.entryId));
    return what;
  }

  /** Shows a notice now (the watchdog's, say); `onClick` runs when the user clicks it. */
  show(what: Pick<NotificationContent, 'title' | 'body' | 'urgency'>, onClick: () => void): void {
    const notification = this.options.deps.createNotification({
      title: what.title,
      body: what.body,
      urgency: what.urgency,
      ...(this.options.icon ? { icon: this.options.icon } : {}),
    });
    this.live.add(notification);
    notification.on('click', () => {
      this.live.delete(notification);
      onClick();
    });
    // Kept until clicked or closed; a Windows toast that timed out waits in the Action Center, still clickable.
    notification.on('close', (reason) => {
      if (reason !== 'timedOut') this.live.delete(notification);
    });
    // macOS refuses notifications from unsigned builds with `failed` (see the README).
    notification.on('failed', (error) => {
      this.live.delete(notification);
      (this.options.log ?? console.error)(
        `portwatch: the desktop notification failed: ${error ?? 'no reason given'}`,
      );
    });
    notification.show();
    // Forget it after a day: the notification centre has long dropped it by then.
    setTimeout(() => this.live.delete(notification), 86400_000).unref?.();
  }
}
