// Prometheus metrics for `portwatch watch --metrics`: per profile what the last scans found, and per channel
// what is waiting or failed in the outbox. Everything is read from the data directory when scraped (the
// history log, the references, the outbox), so scans run by cron in other processes count too, and the
// scans_total counter, being a count of the append-only history, never goes backwards across a restart.
import { promises as fs } from 'node:fs';
import { Counter, Gauge, Registry } from 'prom-client';
import { EMAIL_CHANNEL } from '../../shared/channels.ts';
import type { HistoryEntry, ScanStatus } from '../../shared/history.ts';
import type { ChannelStore } from '../channels/store.ts';
import { channelOf, type Outbox } from '../mail/outbox.ts';
import type { Monitor } from '../monitor/monitor.ts';

export interface MetricsSources {
  monitor: Monitor;
  outbox: Outbox;
  channels: ChannelStore;
}

const STATUSES: ScanStatus[] = ['ok', 'failed', 'offline', 'cancelled'];

/** Each profile's history, re-read only when its log file changed. */
function historyReader(monitor: Monitor) {
  const cache = new Map<string, { stamp: string; entries: HistoryEntry[] }>();
  return async (name: string): Promise<HistoryEntry[]> => {
    const file = monitor.store.paths(name).historyLog;
    const stat = await fs.stat(file).catch(() => undefined);
    const stamp = stat ? `${stat.size}:${stat.mtimeMs}` : 'none';
    const known = cache.get(name);
    if (known?.stamp === stamp) return known.entries;
    const entries = stat ? monitor.history(name, Number.MAX_SAFE_INTEGER).records : [];
    cache.set(name, { stamp, entries });
    return entries;
  };
}

export function createMetrics(sources: MetricsSources): Registry {
  const registry = new Registry();
  const history = historyReader(sources.monitor);
  const profile = ['profile'];
  const gauge = (name: string, help: string, labelNames = profile) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const lastScan = gauge(
    'portwatch_last_scan_timestamp_seconds',
    'When the last scan of the profile started (any outcome)',
  );
  const lastOk = gauge(
    'portwatch_last_successful_scan_timestamp_seconds',
    'When the last successful scan of the profile started',
  );
  const duration = gauge('portwatch_scan_duration_seconds', 'How long the last scan of the profile took');
  const hostsUp = gauge('portwatch_hosts_up', 'Hosts up in the last successful scan');
  const openPorts = gauge('portwatch_open_ports', 'Open ports in the last successful scan');
  const unaccepted = gauge(
    'portwatch_unaccepted_changes',
    'Alerted changes of the last successful scan against the reference still in force (0 once accepted)',
  );
  const waiting = gauge(
    'portwatch_delivery_waiting',
    'Messages waiting in the outbox (queued or being retried)',
    ['channel'],
  );
  const failed = gauge('portwatch_delivery_failed', 'Messages that failed for good and wait for the user', [
    'channel',
  ]);

  // A counter whose value is the history's count: set on every scrape by reset + inc, never lower than before.
  const scans = new Counter({
    name: 'portwatch_scans_total',
    help: 'Scans recorded in the history, by outcome (restored from the history on restart)',
    labelNames: ['profile', 'status'],
    registers: [registry],
  });

  async function collect(): Promise<void> {
    for (const metric of [lastScan, lastOk, duration, hostsUp, openPorts, unaccepted]) metric.reset();
    scans.reset();
    for (const p of sources.monitor.listProfiles()) {
      const labels = { profile: p.name };
      const entries = await history(p.name); // newest first
      for (const status of STATUSES)
        scans.inc({ ...labels, status }, entries.filter((e) => e.status === status).length);
      const last = entries[0];
      if (!last) continue;
      lastScan.set(labels, Date.parse(last.startedAt) / 1000);
      duration.set(labels, last.durationMs / 1000);
      const ok = entries.find((e) => e.status === 'ok');
      if (!ok) continue;
      lastOk.set(labels, Date.parse(ok.startedAt) / 1000);
      hostsUp.set(labels, ok.counts.hostsUp);
      openPorts.set(labels, ok.counts.openPorts);
      const reference = sources.monitor.references(p.name)[0];
      unaccepted.set(
        labels,
        ok.referenceId !== undefined && ok.referenceId === reference?.id ? ok.counts.alerted : 0,
      );
    }
    waiting.reset();
    failed.reset();
    const records = await sources.outbox.list();
    const names = new Set([
      EMAIL_CHANNEL,
      ...(await sources.channels.list().catch(() => [])).map((c) => c.name),
    ]);
    for (const r of records) names.add(channelOf(r));
    for (const channel of names) {
      const mine = records.filter((r) => channelOf(r) === channel);
      waiting.set({ channel }, mine.filter((r) => r.state === 'queued' || r.state === 'sending').length);
      failed.set({ channel }, mine.filter((r) => r.state === 'failed').length);
    }
  }

  // prom-client calls collect() per metric; one reading of the data directory serves the whole scrape.
  const metrics = registry.metrics.bind(registry);
  registry.metrics = async () => {
    await collect();
    return metrics();
  };
  return registry;
}
