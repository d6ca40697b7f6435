// How the monitor tells the user: it calls a Reporter after every recorded scan. The mail module provides
// one (email reports through the outbox); the app adds desktop notifications; the CLI may use none.
import type { HistoryEntry, DeliveryState } from '../shared/history.ts';
import type { Profile } from '../shared/profile.ts';

export interface ScanReport {
  profile: Profile;
  entry: HistoryEntry;
  /** The classic ndiff text (reference -> this scan), for the report's familiar block. */
  ndiffText: string;
}

export interface Reporter {
  /** After a scan is recorded, whatever its status. Queues and returns quickly: never blocks scanning. */
  scanRecorded(report: ScanReport): Promise<void>;
  /** The watchdog fired: no successful scan of this profile since `lastSuccessAt` (ISO, or null for never). */
  watchdog(profile: Profile, lastSuccessAt: string | null): Promise<void>;
  /** Whether the report about this history entry was delivered, is waiting, or failed. */
  deliveryState(entryId: string): Promise<DeliveryState>;
}

/** Reports nothing: for runs with no channel configured. */
export const silentReporter: Reporter = {
  async scanRecorded() {},
  async watchdog() {},
  async deliveryState() {
    return { state: 'none' };
  },
};
