// How the monitor tells the user: it calls a Reporter after every recorded scan. The mail module provides
// one (email reports through the outbox); the app adds desktop notifications; the CLI may use none.
import type { ChannelDelivery, HistoryEntry, DeliveryState } from '../shared/history.ts';
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
  /** Per channel ('email' and each alert channel), when the reporter sends to more than one. */
  deliveries?(entryId: string): Promise<ChannelDelivery[]>;
}

/** Reports nothing: for runs with no channel configured. */
export const silentReporter: Reporter = {
  async scanRecorded() {},
  async watchdog() {},
  async deliveryState() {
    return { state: 'none' };
  },
};

/**
 * History entries with their report's delivery state. The outbox knows it, not the history log (a report is
 * delivered, retried or failed long after its scan was recorded), so readers ask the reporter. One at a time:
 * the first call warms the outbox's cache for the rest.
 */
export async function withDelivery(
  entries: readonly HistoryEntry[],
  reporter: Pick<Reporter, 'deliveryState' | 'deliveries'>,
): Promise<HistoryEntry[]> {
  const filled: HistoryEntry[] = [];
  for (const entry of entries) {
    const delivery = await reporter.deliveryState(entry.id);
    const deliveries = (await reporter.deliveries?.(entry.id)) ?? [];
    filled.push({ ...entry, delivery, ...(deliveries.length > 0 ? { deliveries } : {}) });
  }
  return filled;
}

/** "email: report delivered ...; phone: report failed: ..."; the overall state when there is one channel. */
export function describeDeliveries(entry: Pick<HistoryEntry, 'delivery' | 'deliveries'>): string | undefined {
  const list = entry.deliveries ?? [];
  if (list.length <= 1 || list.every((d) => d.channel === 'email')) return describeDelivery(entry.delivery);
  const parts = list.flatMap((d) => {
    const text = describeDelivery(d.delivery);
    return text ? [`${d.channel}: ${text.replace(/^report /, '')}`] : [];
  });
  return parts.length > 0 ? `report ${parts.join('; ')}` : undefined;
}

/** "report delivered", "report waiting (...)", "report failed: ..."; undefined when nothing was to be sent. */
export function describeDelivery(delivery: DeliveryState): string | undefined {
  switch (delivery.state) {
    case 'none':
      return undefined;
    case 'delivered':
      return `report delivered ${delivery.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`;
    case 'waiting': {
      const next = delivery.nextAttemptAt
        ? `, next try ${delivery.nextAttemptAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`
        : '';
      const why = delivery.lastError ? `: ${delivery.lastError}` : '';
      return `report waiting (${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}${next})${why}`;
    }
    case 'failed':
      return `report failed: ${delivery.error}`;
  }
}
