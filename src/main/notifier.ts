// Desktop notifications through Electron: the engine's desktop channel (engine/notify/desktop.ts) decides
// whether, when and what to show, with the one notification policy mail uses too; this only shows a notice
// and opens the history when it is clicked (on its scan, when it has one).
import { DesktopChannel, type DesktopOutcome } from '../engine/notify/desktop.ts';
import type { DesktopNotice } from '../engine/notify/notification.ts';
import type { NotificationPolicy } from '../engine/notify/policy.ts';
import type { ScanReport } from '../engine/reporter.ts';
import type { Profile } from '../shared/profile.ts';
import type { Settings } from '../shared/settings.ts';
import type { ElectronDeps, NotificationLike } from './deps.ts';

export interface NotifierOptions {
  deps: Pick<ElectronDeps, 'notificationsSupported' | 'createNotification'>;
  policy: NotificationPolicy;
  settings: () => Promise<Settings>;
  /** A click: the notice's scan, or the history without one (a summary, the watchdog). */
  openScan: (entryId: string | undefined) => void;
  icon?: string;
  now?: () => Date;
  /** Where a notification that could not be shown is reported. */
  log?: (line: string) => void;
}

export class Notifier {
  /** Shown notifications are kept referenced, or their click handler can be garbage-collected. */
  private readonly live = new Set<NotificationLike>();
  private readonly options: NotifierOptions;
  readonly channel: DesktopChannel;

  constructor(options: NotifierOptions) {
    this.options = options;
    this.channel = new DesktopChannel({
      policy: options.policy,
      settings: options.settings,
      show: (notice) => this.show(notice),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Returns what was shown or held (or null), for the tests and the log. */
  async scanRecorded(report: ScanReport): Promise<DesktopOutcome> {
    if (!this.options.deps.notificationsSupported()) return null;
    return this.channel.scanRecorded(report);
  }

  async watchdog(profile: Pick<Profile, 'name'>, lastSuccessAt: string | null): Promise<DesktopOutcome> {
    if (!this.options.deps.notificationsSupported()) return null;
    return this.channel.watchdog(profile, lastSuccessAt);
  }

  close(): void {
    this.channel.close();
  }

  /** Shows a notice now; a click opens its scan (or the history), or runs `onClick` when given. */
  show(notice: Pick<DesktopNotice, 'title' | 'body' | 'urgency' | 'entryId'>, onClick?: () => void): void {
    const notification = this.options.deps.createNotification({
      title: notice.title,
      body: notice.body,
      urgency: notice.urgency,
      ...(this.options.icon ? { icon: this.options.icon } : {}),
    });
    this.live.add(notification);
    notification.on('click', () => {
      this.live.delete(notification);
      if (onClick) onClick();
      else this.options.openScan(notice.entryId);
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
