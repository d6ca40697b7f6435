// The mail side of the Reporter: after each recorded scan it asks the notification policy (notify/policy.ts)
// whether and what to tell, holds it for the digest or through quiet hours, or queues it in the outbox, and
// returns at once. A sender loop drains the outbox in the background.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DeliveryState } from '../../shared/history.ts';
import type { Profile } from '../../shared/profile.ts';
import type { Settings } from '../../shared/settings.ts';
import { readIfExists, writeFileAtomicAsync } from '../store/atomic.ts';
import { createSecretStore, type SecretStore } from '../config/secrets.ts';
import { loadSettings } from '../config/settings-file.ts';
import { messageOf } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { acquireLock } from '../store/lock.ts';
import { NotificationPolicy } from '../notify/policy.ts';
import type { Reporter, ScanReport } from '../reporter.ts';
import { HeldQueue, type HeldItem } from './held.ts';
import {
  Outbox,
  deliveryFromRecords,
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
  subject: string;
  entryIds: string[];
  error?: string;
}

export interface MailReporterOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Default: PORTWATCH_SMTP_PASSWORD, then the data directory's secret file. The app passes its safeStorage store. */
  secrets?: SecretStore;
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

  async function queueItem(item: ReportItem, settings: Settings): Promise<void> {
    const at = now();
    const digest = settings.email.on === 'digest' && (item.kind === 'changes' || item.kind === 'heartbeat');
    if (digest || inQuietHours(at, settings.quietHours)) {
      await held.add(item, digest ? 'digest' : 'quiet', at);
      emit({
        type: 'held',
        subject: subjectFor([item], 'single'),
        entryIds: item.kind === 'watchdog' ? [] : [item.entryId],
      });
      return;
    }
    const content = renderReport([item], 'single', limits);
    const entryIds = item.kind === 'watchdog' ? [] : [item.entryId];
    await outbox.enqueue(content, entryIds, [], settings.email.from);
    emit({ type: 'queued', subject: content.subject, entryIds });
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
    // A crash after composing but before removing the held files: they are already in a message.
    const composed = new Set((await outbox.list()).flatMap((r) => r.heldIds));
    const leftovers = items.filter((h) => composed.has(h.id));
    if (leftovers.length > 0) {
      await held.remove(leftovers.map((h) => h.id));
      items = items.filter((h) => !composed.has(h.id));
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
    const reportItems = chosen.map((h) => h.item);
    const content = renderReport(reportItems, mode, limits);
    const entryIds = reportItems.flatMap((i) => (i.kind === 'watchdog' ? [] : [i.entryId]));
    await outbox.enqueue(
      content,
      entryIds,
      chosen.map((h) => h.id),
      settings.email.from,
    );
    await held.remove(chosen.map((h) => h.id));
    emit({ type: 'queued', subject: content.subject, entryIds });
    return 1;
  }

  async function sendDue(opts: { force?: boolean; includeFailed?: boolean } = {}): Promise<FlushResult> {
    const result: FlushResult = { sent: 0, waiting: 0, failed: 0, errors: [] };
    const due = (await outbox.list()).filter((r) => outbox.isDue(r, opts));
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
        async (message) => {
          await sendMessage(settings.email, password, message, timeouts);
        },
        (error) => explainSendError(error, settings.email),
        opts,
      );
      if (attempt.outcome === 'skipped') continue;
      if (attempt.outcome === 'sent') result.sent++;
      else if (attempt.outcome === 'failed') result.failed++;
      else result.waiting++;
      if (attempt.error) {
        result.errors.push(`${record.subject}: ${attempt.error}`);
        log.warn(
          `'${record.subject}' ${attempt.outcome === 'failed' ? 'failed' : 'not sent yet'}: ${attempt.error}`,
        );
      }
      emit({
        type: attempt.outcome,
        subject: record.subject,
        entryIds: record.entryIds,
        ...(attempt.error ? { error: attempt.error } : {}),
      });
    }
    return result;
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

  const reporter: MailReporter = {
    outbox,

    async scanRecorded(report: ScanReport) {
      const settings = await loadSettings(dataDir);
      const verdict = policy.decide('mail', report, settings);
      if (verdict.tell === 'no') return;
      await serial(() => queueItem(scanItem(report, verdict.kind), settings));
      if (autoSend) kick();
    },

    async watchdog(profile: Profile, lastSuccessAt: string | null) {
      const settings = await loadSettings(dataDir);
      if (!settings.email.enabled) return;
      await serial(() =>
        queueItem(
          { kind: 'watchdog', profile: profile.name, lastSuccessAt, at: now().toISOString() },
          settings,
        ),
      );
      if (autoSend) kick();
    },

    async deliveryState(entryId: string): Promise<DeliveryState> {
      const fromRecords = deliveryFromRecords(await outbox.list(), entryId);
      if (fromRecords?.state === 'waiting' && fromRecords.lastError === undefined) {
        // Not even tried yet: say why when the settings are what stops it.
        const why = mailNotReady(await loadSettings(dataDir));
        if (why) return { ...fromRecords, lastError: why.message };
      }
      if (fromRecords) return fromRecords;
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
