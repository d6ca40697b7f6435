// One scan cycle of a profile: scan, judge whether the scan can be trusted, compare with the reference,
// confirm the changes by rescanning just what changed, sort out the noise, record, report.
// A scan that failed, was cut short, or ran while this machine was offline is recorded with its reason and
// never produces change alerts; the reference is never touched by it.
import type { Change } from '../../shared/changes.ts';
import { changeKey } from '../../shared/changes.ts';
import type { HistoryEntry, ScanStatus } from '../../shared/history.ts';
import type { Profile } from '../../shared/profile.ts';
import { computeChangesLazy, lazyRunOf, type LazyRun } from '../diff/changes.ts';
import { UserError, messageOf } from '../errors.ts';
import { runNmap, type NmapResult, type ScanProgress } from '../nmap/run.ts';
import type { HeadStart, NmapStart } from './head-start.ts';
import { newId, type ProfilePaths } from './layout.ts';
import type { HistoryStore } from './history.ts';
import type { ReferenceMeta, ReferenceStore } from './references.ts';
import { runCounts } from '../nmap/hosts.ts';
import { offlineCheck, openComparison, startReferenceRead, type Comparison } from './comparison.ts';
import { triage } from './noise.ts';
import type { OfflineCheck } from './offline.ts';
import { updateState } from './state.ts';

export type ScanPhase = 'scan' | 'confirm';

export interface CycleInput {
  profile: Profile;
  /** The scan, when it was started before the cycle (see head-start.ts); otherwise the cycle starts nmap. */
  started?: HeadStart;
  paths: ProfilePaths;
  references: ReferenceStore;
  history: HistoryStore;
  nmapPath?: string;
  isOffline: OfflineCheck;
  retentionDays: number;
  /** Capture: a good scan becomes the reference as it is (nothing is compared); a bad one changes nothing. */
  capture?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress, phase: ScanPhase) => void;
  /** nmap started (its pid): for display, and for tests that kill nmap from outside. */
  onStart?: (info: { pid: number; args: string[] }, phase: ScanPhase) => void;
  now?: () => Date;
}

export interface CycleOutcome {
  entry: HistoryEntry;
  /** The changes that are alerts (not suppressed). */
  alerted: Change[];
  /** ndiff's text, reference -> this scan ('' when there was nothing to compare). */
  ndiffText: string;
  /** Set when this scan became the profile's first reference. */
  newReference?: ReferenceMeta;
}

/** Runs one cycle; the caller holds the profile's scan lock. Never throws for a failed scan: it records it. */
export async function runCycle(input: CycleInput): Promise<CycleOutcome> {
  const { profile, references, history } = input;
  const now = input.now ?? (() => new Date());
  const startedAt = input.started?.startedAt ?? now();
  const id = newId(startedAt);

  let result: NmapResult | undefined;
  let status: ScanStatus = 'ok';
  let reason: string | undefined;
  const onProgress = (progress: ScanProgress) => input.onProgress?.(progress, 'scan');
  const onStart = ({ pid, args }: NmapStart) => input.onStart?.({ pid, args }, 'scan');
  // The reference is read (as digests, on another thread) while nmap runs: see comparison.ts.
  const referenceRead = input.capture ? undefined : startReferenceRead(references);
  try {
    input.started?.follow({ onProgress, onStart });
    result = await (input.started?.result ??
      runNmap({
        targets: profile.targets,
        options: profile.options,
        nmapPath: input.nmapPath,
        signal: input.signal,
        hostDigests: true,
        onProgress,
        onStart,
      }));
    const failure = failureOf(result);
    if (failure) {
      status = result.failure?.kind === 'cancelled' ? 'cancelled' : 'failed';
      reason = failure;
    }
  } catch (error) {
    status = input.signal?.aborted ? 'cancelled' : 'failed';
    reason = error instanceof UserError ? error.message : `internal error: ${messageOf(error)}`;
  }

  const referenceMeta = input.capture ? undefined : references.current();
  let comparison: Comparison | undefined;
  let changes: Change[] = [];
  let newReference: ReferenceMeta | undefined;
  let confirmation: HistoryEntry['confirmation'];
  let ndiffText = '';

  try {
    if (status === 'ok' && result && referenceMeta) {
      comparison = await openComparison(references, referenceMeta, referenceRead, result);
      const offlineReason = offlineCheck(comparison.reference, comparison.current, input.isOffline);
      if (offlineReason) {
        status = 'offline';
        reason = offlineReason;
      }
    }

    if (status === 'ok' && result && comparison) {
      changes = computeChangesLazy(comparison.reference, comparison.current);
      if (changes.length > 0 && profile.options.confirmChanges) {
        const confirmed = await confirm(input, comparison.reference, changes);
        if (input.signal?.aborted) {
          status = 'cancelled';
          reason = 'cancelled during the confirmation scan';
          changes = [];
        } else {
          confirmation = confirmed.confirmation;
          changes = confirmed.changes;
        }
      }
      if (status === 'ok') ndiffText = comparison.ndiffText();
    }
  } finally {
    referenceRead?.cancel();
    comparison?.close();
  }

  if (status !== 'ok') changes = [];
  const { alerted, suppressed } = triage(changes, profile.expected, now());

  if (status === 'ok' && result && !referenceMeta) {
    newReference = references.save(result.run, result.xml, {
      source: input.capture ? 'capture' : 'first-scan',
      fromScanId: id,
    });
  }

  const counts = result ? runCounts(result.run) : { hostsUp: 0, hostsScanned: 0, openPorts: 0 };
  const entry: HistoryEntry = {
    id,
    profile: profile.name,
    startedAt: startedAt.toISOString(),
    durationMs: now().getTime() - startedAt.getTime(),
    status,
    ...(reason !== undefined ? { reason } : {}),
    nmapArgs: result?.args ?? [],
    counts: { ...counts, changes: changes.length, alerted: alerted.length },
    changes,
    suppressed,
    ...((newReference ?? referenceMeta) ? { referenceId: (newReference ?? referenceMeta)!.id } : {}),
    ...(newReference
      ? {
          note: input.capture
            ? 'captured as the reference'
            : 'first successful scan: it is now the reference',
        }
      : {}),
    ...(confirmation ? { confirmation } : {}),
    hasXml: status === 'ok' && result !== undefined,
    delivery: { state: 'none' },
  };
  history.record(entry, result?.xml);
  updateState(input.paths, (state) => ({
    ...state,
    lastRunAt: entry.startedAt,
    lastScanId: entry.id,
    ...(status === 'ok' ? { lastSuccessAt: entry.startedAt, lastSuccessId: entry.id } : {}),
  }));
  if (status === 'ok') history.prune(input.retentionDays, new Set([entry.id]), now());
  return {
    entry,
    alerted: status === 'ok' ? alerted : [],
    ndiffText,
    ...(newReference ? { newReference } : {}),
  };
}

/** Why nmap's result cannot be trusted (it failed, was stopped, or its output is cut short), if it cannot. */
function failureOf(result: NmapResult): string | undefined {
  if (result.failure) return result.failure.message;
  if (result.run.completeness.status !== 'complete')
    return `nmap's output is incomplete: ${result.run.completeness.reason}`;
  return undefined;
}

/** Rescans only the changed hosts and ports once; keeps the changes that show again. */
async function confirm(
  input: CycleInput,
  reference: LazyRun,
  changes: Change[],
): Promise<{ changes: Change[]; confirmation: NonNullable<HistoryEntry['confirmation']> }> {
  const hosts = [...new Set(changes.map((c) => c.host))];
  const tcp = new Set<number>();
  const udp = new Set<number>();
  const addPort = (port: number, protocol: string) => (protocol === 'udp' ? udp : tcp).add(port);
  for (const change of changes)
    if ('port' in change && change.port !== undefined) addPort(change.port, change.protocol!);
  // Host-level changes (a host gone or down): look again at the ports it had open.
  for (const change of changes) {
    if (!change.kind.startsWith('host-')) continue;
    reference.keys.forEach((key, i) => {
      if (key !== change.host) return;
      for (const port of reference.loadHost(i).ports)
        if (port.state?.state === 'open') addPort(port.portid, port.protocol);
    });
  }
  const onlyPorts =
    tcp.size + udp.size > 0
      ? { tcp: [...tcp].sort((a, b) => a - b), udp: [...udp].sort((a, b) => a - b) }
      : undefined;
  let result: NmapResult;
  try {
    result = await runNmap({
      targets: hosts,
      options: input.profile.options,
      nmapPath: input.nmapPath,
      ...(onlyPorts ? { onlyPorts } : {}),
      signal: input.signal,
      onProgress: (progress) => input.onProgress?.(progress, 'confirm'),
      onStart: ({ pid, args }) => input.onStart?.({ pid, args }, 'confirm'),
    });
  } catch (error) {
    return {
      changes,
      confirmation: {
        args: [],
        dropped: 0,
        reason: `confirmation scan failed: ${messageOf(error)}; all changes kept`,
      },
    };
  }
  const failure = failureOf(result);
  if (failure)
    return {
      changes,
      confirmation: {
        args: result.args,
        dropped: 0,
        reason: `confirmation scan failed: ${failure}; all changes kept`,
      },
    };
  // Only the changed hosts are compared again: the changes of the others are not kept either way.
  const held = new Set(computeChangesLazy(reference, lazyRunOf(result.run), new Set(hosts)).map(changeKey));
  const kept = changes.filter((change) => held.has(changeKey(change)));
  return { changes: kept, confirmation: { args: result.args, dropped: changes.length - kept.length } };
}
