// What the monitor's CLI commands share: progress on a terminal and the readable scan summary (the engine
// itself is opened by src/engine/open-engine.ts). (Argument parsing is src/cli/args.ts.)
import type { Writable } from 'node:stream';
import type { HistoryEntry } from '../../shared/history.ts';
import { describeChange, groupByHost, alertedChanges } from '../../shared/wording.ts';
import { oneLine } from '../errors.ts';
import { Monitor } from './monitor.ts';
import type { CycleOutcome } from './cycle.ts';

/** Shows nmap's progress on one rewritten line, only when stderr is a terminal. Returns a clear function. */
export function showProgress(monitor: Monitor, stderr: Writable): () => void {
  if (!(stderr as { isTTY?: boolean }).isTTY) return () => {};
  let shown = false;
  const onProgress = (p: {
    profile: string;
    phase: string;
    task: string;
    percent: number;
    etaSeconds?: number;
  }) => {
    const eta = p.etaSeconds !== undefined ? `, about ${p.etaSeconds} s left` : '';
    const what = p.phase === 'confirm' ? 'confirming changes' : 'scanning';
    stderr.write(`\r\x1b[K${what} ${p.profile}: ${p.task} ${p.percent.toFixed(0)}%${eta}`);
    shown = true;
  };
  const onWaiting = (w: { profile: string; holder?: { pid: number; purpose: string } }) =>
    stderr.write(
      `waiting for process ${w.holder?.pid ?? '?'} (${w.holder?.purpose ?? 'a scan'}) to finish...\n`,
    );
  monitor.on('progress', onProgress);
  monitor.on('waiting', onWaiting);
  return () => {
    monitor.off('progress', onProgress);
    monitor.off('waiting', onWaiting);
    if (shown) stderr.write('\r\x1b[K');
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The one-line verdict of a scan, as `watch` prints it and as `scan` starts its summary. */
export function scanLine(entry: HistoryEntry): string {
  const reason = entry.reason === undefined ? undefined : oneLine(entry.reason);
  const when = entry.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const c = entry.counts;
  const seen = `${c.hostsUp} host${c.hostsUp === 1 ? '' : 's'} up, ${c.openPorts} open port${c.openPorts === 1 ? '' : 's'}`;
  switch (entry.status) {
    case 'ok': {
      if (entry.note && c.changes === 0)
        return `${when} ${entry.profile}: ${entry.note} (${seen}, ${seconds(entry.durationMs)})`;
      const quiet = c.changes - c.alerted;
      const extra = quiet > 0 ? ` (${quiet} more expected or snoozed)` : '';
      if (c.alerted === 0)
        return `${when} ${entry.profile}: no changes${extra} (${seen}, ${seconds(entry.durationMs)})`;
      return `${when} ${entry.profile}: ${c.alerted} change${c.alerted === 1 ? '' : 's'}${extra} (${seen}, ${seconds(entry.durationMs)})`;
    }
    case 'offline':
      return `${when} ${entry.profile}: offline: ${reason ?? ''}`;
    case 'cancelled':
      return `${when} ${entry.profile}: cancelled${reason ? `: ${reason}` : ''}`;
    case 'failed':
      return `${when} ${entry.profile}: FAILED: ${reason ?? 'unknown reason'}; the reference is unchanged`;
  }
}

/** The readable summary of a scan: the verdict, then the alerted changes by host, new open ports first. */
export function scanSummary(outcome: Pick<CycleOutcome, 'entry'>): string {
  const { entry } = outcome;
  const lines = [scanLine(entry)];
  for (const group of groupByHost(alertedChanges(entry))) {
    lines.push(`  ${group.host}`);
    for (const change of group.changes)
      lines.push(
        `    ${change.kind === 'port-opened' ? '+' : change.kind === 'port-closed' ? '-' : '*'} ${describeChange(change)}`,
      );
  }
  if (entry.confirmation?.dropped)
    lines.push(
      `  ${entry.confirmation.dropped} change(s) did not show again when rescanned and were dropped`,
    );
  if (entry.confirmation?.reason) lines.push(`  ${entry.confirmation.reason}`);
  if (entry.status === 'ok' && entry.counts.alerted > 0)
    lines.push(
      `  accept them: portwatch reference accept '${entry.profile}'   details: portwatch history '${entry.profile}' --limit 1 --json`,
    );
  return lines.join('\n') + '\n';
}
