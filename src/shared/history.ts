// History entries: one per scan, newest first when listed. Browser-safe types.
import type { Change } from './changes.ts';

export type ScanStatus =
  /** nmap finished; the changes (possibly none) are trustworthy. */
  | 'ok'
  /** nmap failed, was killed, timed out, or its XML was incomplete. No alerts. */
  | 'failed'
  /** Every host up in the reference is now down and this machine looks offline. No alerts. */
  | 'offline'
  /** Cancelled by the user or by shutdown. */
  | 'cancelled';

/** Whether the report about a scan reached its recipients. */
export type DeliveryState =
  | { state: 'none' }
  | { state: 'waiting'; attempts: number; nextAttemptAt?: string; lastError?: string }
  | { state: 'delivered'; at: string }
  | { state: 'failed'; error: string };

/** How the report about a scan went on one channel ('email' or a channel's name). */
export interface ChannelDelivery {
  channel: string;
  delivery: DeliveryState;
}

export interface HistoryEntry {
  id: string;
  profile: string;
  startedAt: string;
  durationMs: number;
  status: ScanStatus;
  /** Why a scan failed or was considered offline. */
  reason?: string;
  /** The exact nmap argv used (without the nmap path). */
  nmapArgs: string[];
  counts: { hostsUp: number; hostsScanned: number; openPorts: number; changes: number; alerted: number };
  /** The change model, against the reference in force at the time. */
  changes: Change[];
  /** Changes that were not alerted because an expected/snooze rule matched them, by changeKey. */
  suppressed: string[];
  /** The reference this scan was compared with. */
  referenceId?: string;
  /** Raw XML kept (references and scans that changed something; the rest are pruned by retention). */
  hasXml: boolean;
  /** Over every channel: failed if any failed, waiting if any waits, delivered when all were. */
  delivery: DeliveryState;
  /** Per channel, mail first; absent when nothing was to be sent. */
  deliveries?: ChannelDelivery[];
  /** Something the user should know about this scan, e.g. that it became the first reference. */
  note?: string;
  /** When changes were confirmed by a second scan of just the changed hosts and ports. */
  confirmation?: {
    /** That scan's nmap argv. */
    args: string[];
    /** How many changes did not show again and were dropped. */
    dropped: number;
    /** Why the confirmation could not be made (all changes are then kept). */
    reason?: string;
  };
}
