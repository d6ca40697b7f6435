// Changes in words, the one place for them: the mail report, desktop notifications, the CLI and the windows
// all phrase and order changes through this module. One short line per change, and the order a reader needs
// (new open ports first: they are what an intruder or a mistake looks like). Browser-safe.
import { changeKey, type Change, type ServiceSummary } from './changes.ts';
import type { HistoryEntry } from './history.ts';

/** The order of change kinds for a reader; lower sorts first. */
export const KIND_ORDER: Readonly<Record<Change['kind'], number>> = {
  'port-opened': 0,
  'host-added': 1,
  'host-up': 2,
  'port-closed': 3,
  'port-state-changed': 4,
  'service-changed': 5,
  'os-changed': 6,
  'script-changed': 7,
  'hostname-changed': 8,
  'mac-changed': 9,
  'host-down': 10,
  'host-removed': 11,
};

/** The changes that were alerted (not matched by an expected or snooze rule). */
export function alertedChanges(entry: Pick<HistoryEntry, 'changes' | 'suppressed'>): Change[] {
  const suppressed = new Set(entry.suppressed);
  return entry.changes.filter((c) => !suppressed.has(changeKey(c)));
}

export function isNewOpenPort(change: Change): boolean {
  return change.kind === 'port-opened';
}

export function service(s: ServiceSummary | undefined): string {
  if (!s) return '';
  const product = [s.product, s.version, s.extrainfo ? `(${s.extrainfo})` : undefined]
    .filter(Boolean)
    .join(' ');
  const name = s.tunnel ? `${s.tunnel}/${s.name ?? '?'}` : s.name;
  return [name, product].filter(Boolean).join(' ');
}

function portOf(change: Change): string {
  return 'port' in change && change.port !== undefined ? `${change.port}/${change.protocol}` : '';
}

/** One line, without the host: "443/tcp open: https nginx 1.24 (new)". */
export function describeChange(change: Change): string {
  const port = portOf(change);
  switch (change.kind) {
    case 'port-opened': {
      const svc = service(change.after?.service);
      const was = change.before?.state;
      const note =
        was === 'unscanned'
          ? ' (not scanned before)'
          : was && was !== 'absent' && was !== 'closed'
            ? ` (was ${was})`
            : '';
      return `${port} open${svc ? `: ${svc}` : ''}${note}`;
    }
    case 'port-closed':
      return `${port} no longer open (now ${change.after?.state ?? 'gone'}${change.after?.notShown ? ', not shown' : ''})`;
    case 'port-state-changed':
      return `${port} ${change.before?.state ?? '?'} -> ${change.after?.state ?? '?'}`;
    case 'service-changed':
      return `${port} service ${service(change.before?.service) || 'unknown'} -> ${service(change.after?.service) || 'unknown'}`;
    case 'os-changed':
      return `OS ${change.before?.matches[0] ?? 'unknown'} -> ${change.after?.matches[0] ?? 'unknown'}`;
    case 'script-changed': {
      const id = (change.after ?? change.before)?.id ?? 'script';
      const what = !change.before ? 'new' : !change.after ? 'gone' : 'changed';
      return `${port ? `${port} ` : ''}${id} output ${what}`;
    }
    case 'host-added':
      return 'new host';
    case 'host-removed':
      return 'host no longer in the scan';
    case 'host-up':
      return 'host is up';
    case 'host-down':
      return 'host is down';
    case 'hostname-changed':
      return `name ${change.before?.hostnames.join(', ') || '(none)'} -> ${change.after?.hostnames.join(', ') || '(none)'}`;
    case 'mac-changed':
      return `MAC ${change.before?.mac ?? '(none)'} -> ${change.after?.mac ?? '(none)'}`;
  }
}

export interface HostChanges {
  host: string;
  changes: Change[];
  newOpenPorts: number;
}

/** Changes grouped by host; hosts with new open ports first, then in first-seen order; changes sorted. */
export function groupByHost(changes: Change[]): HostChanges[] {
  const byHost = new Map<string, Change[]>();
  for (const change of changes) {
    const list = byHost.get(change.host) ?? [];
    list.push(change);
    byHost.set(change.host, list);
  }
  const groups = [...byHost].map(([host, list]) => ({
    host,
    changes: list
      .map((c, i) => ({ c, i }))
      .sort((a, b) => KIND_ORDER[a.c.kind] - KIND_ORDER[b.c.kind] || a.i - b.i)
      .map(({ c }) => c),
    newOpenPorts: list.filter(isNewOpenPort).length,
  }));
  return groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => Number(b.g.newOpenPorts > 0) - Number(a.g.newOpenPorts > 0) || a.i - b.i)
    .map(({ g }) => g);
}

/** "1 host", "3 hosts"; the windows pass `show` to print large numbers with separators. */
export function plural(
  n: number,
  one: string,
  many = `${one}s`,
  show: (n: number) => string = String,
): string {
  return `${show(n)} ${n === 1 ? one : many}`;
}
