// The persistent delivery outbox: nothing a scan reports is lost because the mail server or a channel's
// webhook was down, slow or refusing. Each report is queued once per channel (mail is the channel 'email').
//
// <data dir>/outbox/<id>.json   one message for one channel: content, a stable Message-ID (mail) or event id
//                               (the channels' Idempotency-Key), its state and attempts
// <data dir>/outbox/<id>.lock   held by the process sending it (the data directory's lock, store/lock.ts)
//
// Sending is at-least-once: the record is marked "sending" (and locked) before the SMTP transaction and
// "sent" after the server's 250. A crash in between leaves "sending" with a dead lock; the next sender
// re-sends it with the same Message-ID and Date, so in that rare case a recipient may get two identical
// copies that mail clients can recognise as one. We never risk the opposite (a message marked sent that
// was not). Transient failures (connection refused, timeouts, 4xx, TLS/DNS problems) are retried with
// bounded exponential backoff and jitter; permanent ones (5xx, bad credentials) are recorded as failed
// and shown, and `portwatch mail flush` tries them again once the user has fixed the cause.
import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EMAIL_CHANNEL } from '../../shared/channels.ts';
import type { ChannelDelivery, DeliveryState } from '../../shared/history.ts';
import { messageOf } from '../errors.ts';
import { readIfExists, writeFileAtomicAsync } from '../store/atomic.ts';
import { tryAcquireLock } from '../store/lock.ts';
import type { MailContent, ReportItem, ReportMode } from './report.ts';
import type { OutgoingMessage, SendFailure } from './transport.ts';

export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed';

export interface OutboxRecord {
  /** File name stem; sorts by creation time. */
  id: string;
  /** Where it goes: 'email' (also when absent: records from before channels) or a channel's name. */
  channel?: string;
  /** Mail: the Message-ID. A channel: the event id sent as Idempotency-Key. Stable across every attempt. */
  messageId: string;
  createdAt: string;
  /** History entries this message reports on. */
  entryIds: string[];
  /** Held items this message was composed from (so a crash after composing does not compose them twice). */
  heldIds: string[];
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string;
  lastAttemptAt?: string;
  lastError?: string;
  sentAt?: string;
  /** The mail message; dropped once sent (the record stays as proof of delivery). */
  content?: MailContent;
  /** A channel's message, formatted when sent (a 413 asks for a shorter one); dropped once sent. */
  report?: { items: ReportItem[]; mode: ReportMode };
  subject: string;
}

export interface RetryPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** Longest delay between two attempts. */
  maxMs: number;
  /** After this long since the message was created, a transient failure becomes permanent. */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, maxMs: 3_600_000, giveUpAfterMs: 72 * 3_600_000 };

/** Record files: "<time base36>-<random hex>.json" (the outbox directory also holds state.json and held/). */
const RECORD_FILE = /^[0-9a-z]+-[0-9a-f]+\.json$/;

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so senders do not align. */
export function backoffMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

export interface OutboxOptions {
  dataDir: string;
  now?: () => Date;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
}

/** Why an attempt failed; a channel's Retry-After says exactly when to try again. */
export interface AttemptFailure extends SendFailure {
  retryAfterMs?: number;
}

export interface AttemptResult {
  record: OutboxRecord;
  outcome: 'sent' | 'waiting' | 'failed' | 'skipped';
  error?: string;
}

export class Outbox {
  readonly dir: string;
  private readonly now: () => Date;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;

  constructor(options: OutboxOptions) {
    this.dir = path.join(options.dataDir, 'outbox');
    this.now = options.now ?? (() => new Date());
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.random = options.random ?? Math.random;
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  private lockFile(id: string): string {
    return path.join(this.dir, `${id}.lock`);
  }

  private async write(record: OutboxRecord): Promise<void> {
    await writeFileAtomicAsync(this.file(record.id), JSON.stringify(record) + '\n', { mode: 0o600 });
  }

  async read(id: string): Promise<OutboxRecord | undefined> {
    const text = await readIfExists(this.file(id));
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as OutboxRecord;
    } catch {
      return undefined; // cannot happen with atomic writes; a damaged file is left for a human to look at
    }
  }

  /** Queues a message for sending now. Returns once it is safely on disk. */
  async enqueue(
    content: MailContent,
    entryIds: string[],
    heldIds: string[] = [],
    fromAddress = '',
  ): Promise<OutboxRecord> {
    const domain = /@([^@>\s]+)>?$/.exec(fromAddress)?.[1] ?? (os.hostname() || 'portwatch.invalid');
    return this.add({
      messageId: `<portwatch.${randomUUID()}@${domain}>`,
      entryIds,
      heldIds,
      content,
      subject: content.subject,
    });
  }

  /** Queues a channel's message (formatted when sent). Returns once it is safely on disk. */
  async enqueueReport(
    channel: string,
    report: { items: ReportItem[]; mode: ReportMode },
    subject: string,
    entryIds: string[],
    heldIds: string[] = [],
  ): Promise<OutboxRecord> {
    return this.add({ channel, messageId: `portwatch-${randomUUID()}`, entryIds, heldIds, report, subject });
  }

  /** A new queued record, due now, written before this returns. */
  private async add(
    fields: Pick<OutboxRecord, 'messageId' | 'entryIds' | 'heldIds' | 'subject'> &
      Partial<Pick<OutboxRecord, 'channel' | 'content' | 'report'>>,
  ): Promise<OutboxRecord> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const now = this.now();
    const record: OutboxRecord = {
      id: `${now.getTime().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`,
      createdAt: now.toISOString(),
      state: 'queued',
      attempts: 0,
      nextAttemptAt: now.toISOString(),
      ...fields,
    };
    await this.write(record);
    return record;
  }

  private cache: { stamp: bigint; records: OutboxRecord[] } | undefined;

  /**
   * Every record, oldest first. Every change to a record is a rename in the directory, so the directory's
   * mtime tells whether the last reading still holds (the history window asks for many entries at once).
   * A directory changed in the last second is always read again: file times can be coarser than that.
   */
  async list(): Promise<OutboxRecord[]> {
    let stamp: bigint;
    let names: string[];
    try {
      const stat = await fs.stat(this.dir, { bigint: true });
      stamp = stat.mtimeNs;
      if (this.cache?.stamp === stamp) return this.cache.records;
      names = await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: OutboxRecord[] = [];
    for (const name of names.filter((n) => RECORD_FILE.test(n)).sort()) {
      const record = await this.read(name.slice(0, -'.json'.length));
      if (record) records.push(record);
    }
    const settled = Date.now() - Number(stamp / 1_000_000n) > 1000;
    const unchanged = (await fs.stat(this.dir, { bigint: true }).catch(() => undefined))?.mtimeNs === stamp;
    this.cache = settled && unchanged ? { stamp, records } : undefined;
    return records;
  }

  /** The message as it goes out: the same Message-ID and Date on every attempt. */
  static outgoing(record: OutboxRecord): OutgoingMessage {
    const content = record.content!;
    return { messageId: record.messageId, date: record.createdAt, ...content };
  }

  /** Whether a record should be attempted now. `force` ignores the backoff; `includeFailed` retries failed ones. */
  isDue(record: OutboxRecord, options: { force?: boolean; includeFailed?: boolean } = {}): boolean {
    if (record.state === 'sent') return false;
    if (record.state === 'failed') return options.includeFailed === true;
    // "sending": a crashed sender's leftover (the lock decides whether someone is still at it).
    if (record.state === 'sending') return true;
    return options.force === true || Date.parse(record.nextAttemptAt) <= this.now().getTime();
  }

  /**
   * Attempts one record: lock, mark sending, send, mark sent / waiting / failed, unlock.
   * `send` throws on failure; `explain` classifies the error.
   */
  async attempt(
    id: string,
    send: (record: OutboxRecord) => Promise<void>,
    explain: (error: unknown) => AttemptFailure,
    options: { force?: boolean; includeFailed?: boolean } = {},
  ): Promise<AttemptResult> {
    // The data directory's one lock (store/lock.ts): a crashed sender's lock is stale once its process is gone.
    const lock = tryAcquireLock(this.lockFile(id), `sending ${id}`);
    if (!lock) {
      const record = await this.read(id);
      return { record: record!, outcome: 'skipped' };
    }
    try {
      let record = await this.read(id);
      if (!record || !(record.content || record.report) || !this.isDue(record, options)) {
        return { record: record!, outcome: 'skipped' };
      }
      const startedAt = this.now();
      record = {
        ...record,
        state: 'sending',
        attempts: record.attempts + 1,
        lastAttemptAt: startedAt.toISOString(),
      };
      await this.write(record);
      try {
        await send(record);
      } catch (error) {
        const failure = explain(error);
        const now = this.now();
        const tooOld = now.getTime() - Date.parse(record.createdAt) >= this.retry.giveUpAfterMs;
        if (failure.permanent || tooOld) {
          const message = failure.permanent
            ? failure.message
            : `gave up after ${record.attempts} attempts: ${failure.message}`;
          record = { ...record, state: 'failed', lastError: message };
          await this.write(record);
          return { record, outcome: 'failed', error: message };
        }
        // A server's Retry-After is honoured as given (within the give-up window); otherwise backoff.
        const delay =
          failure.retryAfterMs !== undefined
            ? Math.min(failure.retryAfterMs, this.retry.giveUpAfterMs)
            : backoffMs(record.attempts, this.retry, this.random);
        const next = new Date(now.getTime() + delay);
        record = {
          ...record,
          state: 'queued',
          lastError: failure.message,
          nextAttemptAt: next.toISOString(),
        };
        await this.write(record);
        return { record, outcome: 'waiting', error: failure.message };
      }
      const { content: _sent, report: _sentReport, ...rest } = record;
      record = { ...rest, state: 'sent', sentAt: this.now().toISOString() };
      delete record.lastError;
      await this.write(record);
      return { record, outcome: 'sent' };
    } catch (error) {
      // Disk trouble: leave the record as it is on disk; it will be picked up again.
      return { record: (await this.read(id))!, outcome: 'waiting', error: messageOf(error) };
    } finally {
      lock.release();
    }
  }

  /** The earliest time a queued record is due, or undefined. */
  async nextDueAt(): Promise<Date | undefined> {
    const times = (await this.list())
      .filter((r) => r.state === 'queued' || r.state === 'sending')
      .map((r) => (r.state === 'sending' ? this.now().getTime() : Date.parse(r.nextAttemptAt)));
    return times.length > 0 ? new Date(Math.min(...times)) : undefined;
  }

  /** Removes sent records older than `keepMs` (their only use is answering "was it delivered?"). */
  async prune(keepMs: number): Promise<number> {
    let removed = 0;
    const cutoff = this.now().getTime() - keepMs;
    for (const record of await this.list()) {
      if (record.state === 'sent' && Date.parse(record.sentAt ?? record.createdAt) < cutoff) {
        await fs.rm(this.file(record.id), { force: true });
        removed++;
      }
    }
    return removed;
  }
}

/** The channel a record goes to ('email' for mail). */
export function channelOf(record: OutboxRecord): string {
  return record.channel ?? EMAIL_CHANNEL;
}

/** Per channel, the delivery state of the report about a history entry; mail first, then by channel name. */
export function deliveriesFromRecords(records: OutboxRecord[], entryId: string): ChannelDelivery[] {
  const names = [...new Set(records.filter((r) => r.entryIds.includes(entryId)).map(channelOf))];
  names.sort((a, b) => Number(b === EMAIL_CHANNEL) - Number(a === EMAIL_CHANNEL) || a.localeCompare(b));
  return names.map((channel) => ({
    channel,
    delivery: deliveryFromRecords(
      records.filter((r) => channelOf(r) === channel),
      entryId,
    )!,
  }));
}

/** One state for several channels: failed if any failed, waiting if any waits, delivered when all were. */
export function overallDelivery(deliveries: ChannelDelivery[]): DeliveryState {
  const failed = deliveries.filter((d) => d.delivery.state === 'failed');
  if (failed.length > 0)
    return {
      state: 'failed',
      error: failed.map((d) => `${d.channel}: ${(d.delivery as { error: string }).error}`).join('; '),
    };
  const waiting = deliveries.find((d) => d.delivery.state === 'waiting');
  if (waiting && waiting.delivery.state === 'waiting') {
    const why = waiting.delivery.lastError;
    return {
      ...waiting.delivery,
      ...(why !== undefined ? { lastError: deliveries.length > 1 ? `${waiting.channel}: ${why}` : why } : {}),
    };
  }
  const delivered = deliveries.flatMap((d) => (d.delivery.state === 'delivered' ? [d.delivery.at] : []));
  if (delivered.length > 0) return { state: 'delivered', at: delivered.sort().at(-1)! };
  return { state: 'none' };
}

/** A history entry's delivery state from the records that mention it (the most advanced one wins). */
export function deliveryFromRecords(records: OutboxRecord[], entryId: string): DeliveryState | undefined {
  const mine = records.filter((r) => r.entryIds.includes(entryId));
  const sent = mine.find((r) => r.state === 'sent');
  if (sent) return { state: 'delivered', at: sent.sentAt ?? sent.createdAt };
  const waiting = mine.find((r) => r.state === 'queued' || r.state === 'sending');
  if (waiting) {
    return {
      state: 'waiting',
      attempts: waiting.attempts,
      nextAttemptAt: waiting.nextAttemptAt,
      ...(waiting.lastError !== undefined ? { lastError: waiting.lastError } : {}),
    };
  }
  const failed = mine.find((r) => r.state === 'failed');
  if (failed) return { state: 'failed', error: failed.lastError ?? 'not delivered' };
  return undefined;
}
