// What the monitor's CLI commands share: strict argument parsing with one-line errors, opening the monitor
// with the mail reporter, progress on a terminal, and the readable scan summary.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import type { HistoryEntry } from '../../shared/history.ts';
import { loadSettings } from '../config/settings-file.ts';
import { UserError } from '../errors.ts';
import { createMailReporter, type MailReporter } from '../mail/mail-reporter.ts';
import { describeChange, groupByHost, alertedChanges } from '../mail/describe.ts';
import { Monitor } from './monitor.ts';
import type { CycleOutcome } from './cycle.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** parseArgs with errors a user can act on: "unknown option --x; usage: ...". */
export function parseCommandArgs(args: string[], options: Options, usage: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const option = /'(-[^']*)'/.exec((error as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UserError(`unknown option ${option ?? ''}; usage: ${usage}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = option?.split(' ')[0] ?? '';
      const next = args[args.indexOf(name) + 1];
      if (args.includes(name) && next?.startsWith('-'))
        throw new UserError(
          `option ${name} got '${next}', which starts with '-' and so reads as an option; write ${name}=VALUE to pass it as a value`,
        );
      throw new UserError(`option ${name} needs a value; usage: ${usage}`);
    }
    throw new UserError(`${(error as Error).message.split('\n')[0]}; usage: ${usage}`);
  }
}

export function stringValue(values: ParsedArgs['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listValue(values: ParsedArgs['values'], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A whole number in [min, max] from an option, or a UserError naming the option. */
export function intOption(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
  example: string,
): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new UserError(`${name} needs a whole number from ${min} to ${max}, e.g. ${name} ${example}`);
  return Number(text);
}

export function expectPositionals(positionals: string[], names: string[], usage: string): string[] {
  if (positionals.length < names.length)
    throw new UserError(`missing ${names[positionals.length]}; usage: ${usage}`);
  if (positionals.length > names.length)
    throw new UserError(`unexpected '${positionals[names.length]}'; usage: ${usage}`);
  return positionals;
}

export interface OpenedMonitor {
  monitor: Monitor;
  mail: MailReporter;
  /** Waits for mail sent in the background (bounded by the SMTP timeouts), then stops it. */
  close(): Promise<void>;
}

/** The monitor over the CLI's data directory, with the app's settings, reporting by mail when it is set up. */
export async function openMonitor(dataDir: string, env: NodeJS.ProcessEnv): Promise<OpenedMonitor> {
  const settings = await loadSettings(dataDir);
  const mail = createMailReporter({ dataDir, env });
  const monitor = new Monitor({
    dataDir,
    reporter: mail,
    retentionDays: settings.retentionDays,
    ...(settings.nmapPath ? { nmapPath: settings.nmapPath } : {}),
  });
  return {
    monitor,
    mail,
    async close() {
      await mail.idle();
      await mail.close();
    },
  };
}

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
  const reason = entry.reason?.replace(/\s*\n\s*/g, ' ');
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
