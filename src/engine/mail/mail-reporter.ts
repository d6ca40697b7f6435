// The delivery side of the Reporter (mail and the alert channels): after each recorded scan it asks the
// notification policy (notify/policy.ts) whether and what to tell, holds it for the digest or through quiet
// hours, or queues it in the outbox once per channel, and returns at once. A sender loop drains the outbox in
// the background.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EMAIL_CHANNEL, type ChannelInfo } from '../../shared/channels.ts';
import type { ChannelDelivery, DeliveryState } from '../../shared/history.ts';
import type { Profile } from '../../shared/profile.ts';
import type { Settings } from '../../shared/settings.ts';
import { readIfExists, writeFileAtomicAsync } from '../store/atomic.ts';
import { createSecretStore, type SecretCodec, type SecretStore } from '../config/secrets.ts';
import { DEFAULT_HTTP, type HttpOptions, type Verdict } from '../channels/http.ts';
import { sendToChannel } from '../channels/send.ts';
import { ChannelStore } from '../channels/store.ts';
import { loadSettings } from '../config/settings-file.ts';
import { messageOf } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { acquireLock } from '../store/lock.ts';
import { NotificationPolicy } from '../notify/policy.ts';
import type { Reporter, ScanReport } from '../reporter.ts';
import { HeldQueue, type HeldItem } from './held.ts';
import {
  Outbox,
  channelOf,
  deliveriesFromRecords,
  overallDelivery,
  type AttemptFailure,
  type AttemptResult,
  type OutboxRecord,
  type RetryPolicy,
} from './outbox.ts';
import {
  DEFAULT_LIMITS,
  renderReport,
  subjectFor,
  scanItem,
  type ReportItem,
  type ReportLimits,
  type ReportMode,
} from './report.ts';
import { inQuietHours, nextTimeOfDay, quietHoursEnd } from '../../shared/time-of-day.ts';
import {
  DEFAULT_TIMEOUTS,
  explainSendError,
  mailNotReady,
  sendMessage,
  type TransportTimeouts,
} from './transport.ts';

export interface MailEvent {
  type: 'queued' | 'held' | 'sent' | 'waiting' | 'failed';
  /** 'email' or a channel's name; absent for held items (they go to every channel). */
  channel?: string;
  subject: string;
  entryIds: string[];
  error?: string;
}

export interface MailReporterOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Default: PORTWATCH_SMTP_PASSWORD, then the data directory's secret file. The app passes its safeStorage store. */
  secrets?: SecretStore;
  /** How the channels' secrets are protected (the app passes safeStorage's codec; default: the plain file). */
  codec?: SecretCodec;
  /** The channels' HTTP timeout and answer limit. */
  http?: Partial<HttpOptions>;
  now?: () => Date;
  retry?: Partial<RetryPolicy>;
  timeouts?: Partial<TransportTimeouts>;
  limits?: ReportLimits;
  random?: () => number;
  /** Send in the background right after queueing (default true). */
  autoSend?: boolean;
  onEvent?: (event: MailEvent) => void;
  /** Failures of the background loop and of sending go here (default: nowhere). */
  log?: Logger;
  /** Whether and what to tell (default: the data directory's policy with this reporter's clock). */
  policy?: NotificationPolicy;
}

export interface FlushResult {
  sent: number;
  waiting: number;
  failed: number;
  /** One line per message that did not go out. */
  errors: string[];
}

export interface MailReporter extends Reporter {
  readonly outbox: Outbox;
  readonly channels: ChannelStore;
  /** Per channel, how the report about a history entry went. */
  deliveries(entryId: string): Promise<ChannelDelivery[]>;
  /** Long-running processes (the app, `portwatch watch`): release held mail and retry on a timer. */
  start(tickMs?: number): void;
  /** Composes held items whose time has come (all of them with `all`) into the outbox. Returns messages made. */
  release(options?: { all?: boolean }): Promise<number>;
  /** Sends what is due (`force`: ignore backoff; `includeFailed`: retry permanent failures too). */
  sendDue(options?: { force?: boolean; includeFailed?: boolean }): Promise<FlushResult>;
  /** `portwatch mail flush`: everything waiting goes now, held items and earlier failures included. */
  flush(): Promise<FlushResult>;
  /** Resolves when no background sending is in progress. */
  idle(): Promise<void>;
  /** Stops the timers and waits for an attempt in progress (bounded by the SMTP timeouts). */
  close(): Promise<void>;
}

interface MailState {
  lastDigestAt?: string;
}

export function createMailReporter(options: MailReporterOptions): MailReporter {
  const { dataDir } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const secrets = options.secrets ?? createSecretStore({ dataDir, env });
  const timeouts: TransportTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const limits = options.limits ?? DEFAULT_LIMITS;
  const autoSend = options.autoSend ?? true;
  const log = options.log ?? silentLogger;
  const emit = (event: MailEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a listener's bug must not stop the mail
    }
  };
  const outbox = new Outbox({
    dataDir,
    now,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const held = new HeldQueue(dataDir);
  const channels = new ChannelStore(dataDir, options.codec);
  const http: HttpOptions = { ...DEFAULT_HTTP, ...options.http };

  /** Where a profile's reports go: mail when it is on, and the channels that serve the profile. */
  async function targets(profile: string, settings: Settings): Promise<string[]> {
    const list = await channels.forProfile(profile).catch(() => [] as ChannelInfo[]);
    return [...(settings.email.enabled ? [EMAIL_CHANNEL] : []), ...list.map((c) => c.name)];
  }

  /**
   * Queues one message per target for these items. A channel gets only the items of the profiles it serves,
   * and no heartbeat (a "nothing changed" message is mail's). Skips targets in `done` (already queued before a
   * crash). The held items are removed by the caller only after every target's message is on disk.
   */
  async function enqueueAll(
    items: ReportItem[],
    mode: ReportMode,
    heldIds: string[],
    settings: Settings,
    done: Set<string> = new Set(),
    /** Per item, the targets the policy chose when it was recorded (undefined: its profile's targets now). */
    chosen: Array<string[] | undefined> = [],
  ): Promise<void> {
    const everyTarget = new Set<string>();
    for (const [i, item] of items.entries())
      for (const t of chosen[i] ?? (await targets(item.profile, settings))) everyTarget.add(t);
    const list = await channels.list().catch(() => [] as ChannelInfo[]);
    for (const target of everyTarget) {
      if (done.has(target)) continue;
      if (target === EMAIL_CHANNEL) {
        const content = renderReport(items, mode, limits);
        const entryIds = items.flatMap((i) => (i.kind === 'watchdog' ? [] : [i.entryId]));
        await outbox.enqueue(content, entryIds, heldIds, settings.email.from);
        emit({ type: 'queued', channel: target, subject: content.subject, entryIds });
        continue;
      }
      const channel = list.find((c) => c.name === target);
      const mine = items.filter(
        (item, i) =>
          item.kind !== 'heartbeat' &&
          (chosen[i]
            ? chosen[i].includes(target)
            : !channel?.profiles?.length || channel.profiles.includes(item.profile)),
      );
      if (mine.length === 0) continue;
      const subject = subjectFor(mine, mode);
      const entryIds = mine.flatMap((i) => (i.kind === 'watchdog' ? [] : [i.entryId]));
      await outbox.enqueueReport(target, { items: mine, mode }, subject, entryIds, heldIds);
      emit({ type: 'queued', channel: target, subject, entryIds });
    }
  }
  const policy = options.policy ?? new NotificationPolicy({ dataDir, now });
  const stateFile = path.join(dataDir, 'outbox', 'state.json');

  async function readState(): Promise<MailState> {
    const text = await readIfExists(stateFile);
    try {
      return (text ? JSON.parse(text) : {}) as MailState;
    } catch {
      return {};
    }
  }
  async function writeState(state: MailState): Promise<void> {
    await fs.mkdir(path.dirname(stateFile), { recursive: true, mode: 0o700 });
    await writeFileAtomicAsync(stateFile, JSON.stringify(state) + '\n', { mode: 0o600 });
  }

  // One piece of mail work at a time in this process (other processes are kept apart by the outbox locks).
  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  }

  /** `to`: the targets the policy let through (default: every current target of the item's profile). */
  async function queueItem(item: ReportItem, settings: Settings, to?: string[]): Promise<void> {
    const at = now();
    const digest = settings.email.on === 'digest' && (item.kind === 'changes' || item.kind === 'heartbeat');
    if (digest || inQuietHours(at, settings.quietHours)) {
      await held.add(item, digest ? 'digest' : 'quiet', at, to);
      emit({
        type: 'held',
        subject: subjectFor([item], 'single'),
        entryIds: item.kind === 'watchdog' ? [] : [item.entryId],
      });
      return;
    }
    await enqueueAll([item], 'single', [], settings, new Set(), [to]);
  }

  // The app and the CLI may both release held items or update the state: one at a time across processes.
  const mailLock = path.join(dataDir, 'outbox', 'compose.lock');
  async function underMailLock<T>(work: () => Promise<T>, ifBusy: () => T): Promise<T> {
    await fs.mkdir(path.dirname(mailLock), { recursive: true, mode: 0o700 });
    const lock = await acquireLock(mailLock, { purpose: 'composing mail', waitMs: 10_000 });
    if (!lock) return ifBusy();
    try {
      return await work();
    } finally {
      lock.release();
    }
  }

  function release(all = false): Promise<number> {
    // Busy for 10 s: another process is composing; what it leaves is picked up on the next tick.
    return underMailLock(
      () => releaseLocked(all),
      () => 0,
    );
  }

  async function releaseLocked(all: boolean): Promise<number> {
    const settings = await loadSettings(dataDir);
    const at = now();
    let items = await held.list();
    // A crash after composing but before removing the held files: they are already in a message for some
    // targets; queue it for the others, then remove them.
    const records = await outbox.list();
    const composed = new Set(records.flatMap((r) => r.heldIds));
    const leftovers = items.filter((h) => composed.has(h.id));
    for (const record of records.filter((r) => r.heldIds.some((id) => leftovers.some((h) => h.id === id)))) {
      const batch = leftovers.filter((h) => record.heldIds.includes(h.id));
      if (batch.length === 0) continue;
      const done = new Set(
        records.filter((r) => r.heldIds.join() === record.heldIds.join()).map((r) => channelOf(r)),
      );
      const mode = record.report?.mode ?? (batch.some((h) => h.reason === 'digest') ? 'digest' : 'held');
      await enqueueAll(
        batch.map((h) => h.item),
        mode,
        record.heldIds,
        settings,
        done,
        batch.map((h) => h.targets),
      );
      await held.remove(batch.map((h) => h.id));
      items = items.filter((h) => !batch.some((b) => b.id === h.id));
    }
    const state = await readState();
    const digestMode = settings.email.on === 'digest';
    let digestDue = false;
    if (digestMode) {
      const base = state.lastDigestAt ?? items[0]?.heldAt;
      digestDue =
        base !== undefined &&
        at.getTime() >= nextTimeOfDay(new Date(base), settings.email.digestTime).getTime();
    }
    let chosen: HeldItem[] = [];
    let mode: ReportMode = 'held';
    if (all) {
      chosen = items;
      mode = items.some((h) => h.reason === 'digest') ? 'digest' : 'held';
    } else if (inQuietHours(at, settings.quietHours)) {
      chosen = [];
    } else if (digestDue) {
      chosen = items;
      mode = 'digest';
    } else {
      // Quiet-hours items go now; digest items too if the user has switched back to one mail per scan.
      chosen = items.filter((h) => h.reason === 'quiet' || !digestMode);
    }
    if (digestDue && !inQuietHours(at, settings.quietHours))
      await writeState({ ...state, lastDigestAt: at.toISOString() });
    if (chosen.length === 0) return 0;
    if (mode === 'held' && chosen.length === 1 && chosen[0]!.reason === 'digest') mode = 'single';
    await enqueueAll(
      chosen.map((h) => h.item),
      mode,
      chosen.map((h) => h.id),
      settings,
      new Set(),
      chosen.map((h) => h.targets),
    );
    await held.remove(chosen.map((h) => h.id));
    return 1;
  }

  async function sendDue(opts: { force?: boolean; includeFailed?: boolean } = {}): Promise<FlushResult> {
    const result: FlushResult = { sent: 0, waiting: 0, failed: 0, errors: [] };
    const dueAll = (await outbox.list()).filter((r) => outbox.isDue(r, opts));
    if (dueAll.length === 0) return result;
    for (const record of dueAll.filter((r) => channelOf(r) !== EMAIL_CHANNEL)) {
      count(result, await attemptChannel(record, opts), record);
    }
    const due = dueAll.filter((r) => channelOf(r) === EMAIL_CHANNEL);
    if (due.length === 0) return result;
    const settings = await loadSettings(dataDir);
    // Mail turned off after it was queued: keep it, send nothing.
    const notReady = mailNotReady(settings);
    let password: string | undefined;
    let passwordError: string | undefined;
    if (!notReady) {
      try {
        password = await secrets.get();
      } catch (error) {
        passwordError = messageOf(error);
      }
    }
    if (notReady || passwordError) {
      result.waiting = due.length;
      result.errors.push(notReady?.message ?? passwordError!);
      return result;
    }
    for (const record of due) {
      const attempt: AttemptResult = await outbox.attempt(
        record.id,
        async (sending) => {
          await sendMessage(settings.email, password, Outbox.outgoing(sending), timeouts);
        },
        (error) => explainSendError(error, settings.email),
        opts,
      );
      count(result, attempt, record);
    }
    return result;
  }

  function count(result: FlushResult, attempt: AttemptResult, record: OutboxRecord): void {
    if (attempt.outcome === 'skipped') return;
    if (attempt.outcome === 'sent') result.sent++;
    else if (attempt.outcome === 'failed') result.failed++;
    else result.waiting++;
    const channel = channelOf(record);
    const where = channel === EMAIL_CHANNEL ? '' : `${channel}: `;
    if (attempt.error) {
      result.errors.push(`${where}${record.subject}: ${attempt.error}`);
      log.warn(
        `${where}'${record.subject}' ${attempt.outcome === 'failed' ? 'failed' : 'not sent yet'}: ${attempt.error}`,
      );
    }
    emit({
      type: attempt.outcome,
      channel,
      subject: record.subject,
      entryIds: record.entryIds,
      ...(attempt.error ? { error: attempt.error } : {}),
    });
  }

  /** One attempt at a channel's record: the channel's current settings and secret, the answer explained. */
  async function attemptChannel(
    record: OutboxRecord,
    opts: { force?: boolean; includeFailed?: boolean },
  ): Promise<AttemptResult> {
    const name = channelOf(record);
    return outbox.attempt(
      record.id,
      async (sending) => {
        const info = await channels.get(name);
        if (!info)
          throw new ChannelFailure({
            ok: false,
            outcome: 'permanent',
            message: `channel '${name}' was removed`,
          });
        const secret = await channels.secret(name);
        const verdict = await sendToChannel(
          {
            info,
            secret,
            items: sending.report!.items,
            mode: sending.report!.mode,
            eventId: sending.messageId,
          },
          http,
        );
        if (verdict.outcome !== 'delivered') throw new ChannelFailure(verdict);
      },
      (error): AttemptFailure => {
        if (error instanceof ChannelFailure) {
          const v = error.verdict;
          return {
            permanent: v.outcome === 'permanent' || v.outcome === 'too-big',
            message: v.message,
            ...(v.retryAfterMs !== undefined ? { retryAfterMs: v.retryAfterMs } : {}),
          };
        }
        // The secret cannot be read (UserError) or disk trouble: the user must act; keep trying meanwhile.
        return { permanent: false, message: messageOf(error) };
      },
      opts,
    );
  }

  let timer: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let closed = false;

  async function scheduleNext(): Promise<void> {
    if (closed) return;
    const next = await outbox.nextDueAt();
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!next) return;
    const delay = Math.max(0, Math.min(next.getTime() - now().getTime(), 2 ** 31 - 1));
    timer = setTimeout(kick, delay);
    timer.unref();
  }

  function kick(): void {
    if (closed) return;
    void serial(async () => {
      await release();
      await sendDue();
      await scheduleNext();
    }).catch((error) => log.error('the mail loop failed; it tries again on its next tick', error));
  }

  async function deliveries(entryId: string): Promise<ChannelDelivery[]> {
    const list = deliveriesFromRecords(await outbox.list(), entryId);
    const mail = list.find((d) => d.channel === EMAIL_CHANNEL);
    if (mail?.delivery.state === 'waiting' && mail.delivery.lastError === undefined) {
      // Not even tried yet: say why when the settings are what stops it.
      const why = mailNotReady(await loadSettings(dataDir));
      if (why) mail.delivery = { ...mail.delivery, lastError: why.message };
    }
    return list;
  }

  const reporter: MailReporter = {
    outbox,
    channels,

    async scanRecorded(report: ScanReport) {
      const settings = await loadSettings(dataDir);
      const { profile } = report;
      const channelNames = (await channels.forProfile(profile.name).catch(() => [] as ChannelInfo[])).map(
        (c) => c.name,
      );
      // One policy for mail and the channels (a heartbeat is mail's only); each may say no on its own.
      const mailVerdict = policy.decide('mail', report, settings);
      const channelVerdict = channelNames.length > 0 ? policy.decide('channels', report, settings) : null;
      const to = [
        ...(mailVerdict.tell !== 'no' ? [EMAIL_CHANNEL] : []),
        ...(channelVerdict && channelVerdict.tell !== 'no' ? channelNames : []),
      ];
      const verdict = mailVerdict.tell !== 'no' ? mailVerdict : channelVerdict;
      if (to.length === 0 || !verdict || verdict.tell === 'no') return;
      const kind = verdict.kind;
      await serial(() => queueItem(scanItem(report, kind), settings, to));
      if (autoSend) kick();
    },

    async watchdog(profile: Profile, lastSuccessAt: string | null) {
      const settings = await loadSettings(dataDir);
      if ((await targets(profile.name, settings)).length === 0) return;
      await serial(() =>
        queueItem(
          { kind: 'watchdog', profile: profile.name, lastSuccessAt, at: now().toISOString() },
          settings,
        ),
      );
      if (autoSend) kick();
    },

    deliveries,

    async deliveryState(entryId: string): Promise<DeliveryState> {
      const perChannel = await deliveries(entryId);
      if (perChannel.length > 0) return overallDelivery(perChannel);
      const heldItem = (await held.list()).find(
        (h) => h.item.kind !== 'watchdog' && h.item.entryId === entryId,
      );
      if (heldItem) {
        const settings = await loadSettings(dataDir);
        const at = now();
        const when =
          heldItem.reason === 'digest'
            ? nextTimeOfDay(
                new Date((await readState()).lastDigestAt ?? heldItem.heldAt),
                settings.email.digestTime,
              )
            : quietHoursEnd(at, settings.quietHours);
        return { state: 'waiting', attempts: 0, nextAttemptAt: when.toISOString() };
      }
      return { state: 'none' };
    },

    start(tickMs = 60_000) {
      if (ticker || closed) return;
      void outbox.prune(30 * 24 * 3_600_000).catch((error) => log.warn('pruning the outbox failed', error));
      ticker = setInterval(kick, tickMs);
      ticker.unref();
      kick();
    },

    release(opts = {}) {
      return serial(() => release(opts.all ?? false));
    },

    sendDue(opts = {}) {
      return serial(() => sendDue(opts));
    },

    flush() {
      return serial(async () => {
        await release(true);
        return sendDue({ force: true, includeFailed: true });
      });
    },

    async idle() {
      await chain;
    },

    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      await chain;
    },
  };
  return reporter;
}

export type { OutboxRecord };

/** A channel's answer that was not "delivered", carried to the outbox's classification. */
class ChannelFailure extends Error {
  readonly verdict: Verdict;
  constructor(verdict: Verdict) {
    super(verdict.message);
    this.verdict = verdict;
  }
}
