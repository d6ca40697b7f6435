// The monitor's own comparison after a scan of a /16 (bench/generate-scan.ts: scan a is the reference, scan
// b the scan that just finished), timed through the cycle itself (src/engine/monitor/cycle.ts runCycle):
// nmap's part is a head-started scan whose result is handed over once nmap "exits", with what runNmap gives
// (the XML as text, the run and the host digests it computed while reading nmap's output); then the cycle
// does all it does after nmap: reads the reference (digested on a worker thread since the cycle started,
// while nmap ran), checks for offline, computes the change model and ndiff's text, triage, and records the
// history entry and the scan's XML. Goal: all of it within a second of nmap finishing. Everything printed
// is measured in this run.
//
//   node bench/monitor-compare.bench.ts
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseNmapXml } from '../src/engine/nmap/parse.ts';
import type { NmapResult } from '../src/engine/nmap/run.ts';
import { StreamDigester } from '../src/engine/nmap/stream-digests.ts';
import { runCycle } from '../src/engine/monitor/cycle.ts';
import type { HeadStart } from '../src/engine/monitor/head-start.ts';
import { HistoryStore } from '../src/engine/monitor/history.ts';
import { ProfilePaths } from '../src/engine/monitor/layout.ts';
import { ReferenceStore } from '../src/engine/monitor/references.ts';
import { digestScan } from '../src/engine/diff/fast-digest.ts';
import type { Profile } from '../src/shared/profile.ts';
import { ensureScans } from './generate-scan.ts';

const GOAL_SECONDS = 1;
/** How long "nmap runs" (a /16 takes minutes): the reference's digest, started with the cycle, is done by then. */
const NMAP_SECONDS = 6;

const scans = ensureScans();
process.stdout.write('monitor-compare.bench: the cycle after nmap finishes a /16 scan\n');

const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-monitor-bench-'));
try {
  const paths = new ProfilePaths(dir, 'bench');
  const references = new ReferenceStore(paths);
  const referenceXml = readFileSync(scans.a, 'utf8');
  references.save(parseNmapXml(referenceXml), referenceXml, { source: 'import', file: scans.a });

  // What runNmap hands the cycle: the XML as text, the run and the host digests, all read while nmap ran.
  const xml = readFileSync(scans.b, 'utf8');
  const bytes = Buffer.from(xml);
  const d0 = performance.now();
  const digester = new StreamDigester();
  for (let at = 0; at < bytes.length; at += 65536) digester.write(bytes.subarray(at, at + 65536));
  const hostDigests = digester.end();
  const d1 = performance.now();
  const run = parseNmapXml(xml);
  const r0 = performance.now();
  digestScan(references.paths.referenceXml(references.current()!.id), 'both');
  const r1 = performance.now();
  const result: NmapResult = {
    run,
    xml,
    hostDigests,
    args: [],
    exitCode: 0,
    exitSignal: null,
    stderr: '',
    startedAt: new Date(),
    durationMs: NMAP_SECONDS * 1000,
    nmap: { path: 'nmap', version: '7.93' },
  };

  let nmapExited = 0;
  const started = {
    startedAt: new Date(),
    result: new Promise<NmapResult>((resolve) =>
      setTimeout(() => {
        nmapExited = performance.now();
        resolve(result);
      }, NMAP_SECONDS * 1000),
    ),
    follow: () => {},
  } as unknown as HeadStart;
  const profile: Profile = {
    name: 'bench',
    targets: ['10.0.0.0/16'],
    options: { ports: { kind: 'top', count: 1000 }, confirmChanges: false } as Profile['options'],
    schedule: { kind: 'manual' },
    paused: false,
    expected: [],
    watchdogHours: 0,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  };
  const outcome = await runCycle({
    profile,
    started,
    paths,
    references,
    history: new HistoryStore(paths),
    isOffline: () => false,
    retentionDays: 30,
  });
  const total = (performance.now() - nmapExited) / 1000;
  const ms = (a: number, b: number) => `${(b - a).toFixed(0)} ms`;
  process.stdout.write(
    `  while nmap runs: the scan's host digests ${ms(d0, d1)} (as its XML arrives), the reference's ${ms(r0, r1)} (a worker thread)\n` +
      `  after nmap: ${outcome.entry.changes.length} changes, ndiff text of ${outcome.ndiffText.length} characters, XML recorded\n` +
      `  total after nmap:     ${total.toFixed(2)} s (goal <= ${GOAL_SECONDS} s: ${total <= GOAL_SECONDS ? 'met' : 'NOT met'})\n`,
  );
  if (outcome.entry.status !== 'ok')
    throw new Error(`the cycle ended ${outcome.entry.status}: ${outcome.entry.reason}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
