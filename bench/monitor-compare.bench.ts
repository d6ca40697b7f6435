// The monitor's own comparison after a scan of a /16 (bench/generate-scan.ts: scan a is the reference, scan
// b the scan that just finished), timed as src/engine/monitor/cycle.ts does it once nmap has exited: the
// new scan is already read (runNmap parses nmap's output while it runs, so that is not timed), then the
// reference is loaded, the change model and ndiff's text are computed, and the scan's XML is written to the
// history. Goal: all of it within a second of nmap finishing. Everything printed is measured in this run.
//
//   node bench/monitor-compare.bench.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeChanges } from '../src/engine/diff/changes.ts';
import { ndiff } from '../src/engine/diff/ndiff/index.ts';
import { parseNmapXml, parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { ensureScans } from './generate-scan.ts';

const GOAL_SECONDS = 1;

const scans = ensureScans();
process.stdout.write('monitor-compare.bench: the cycle after nmap finishes a /16 scan\n');
// What runNmap hands the cycle: the XML as text and the run read from it (while nmap ran: not timed).
const xml = readFileSync(scans.b, 'utf8');
const current = parseNmapXml(xml);

const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-monitor-bench-'));
try {
  const t0 = performance.now();
  const reference = parseNmapXmlFile(scans.a); // references.load()
  const t1 = performance.now();
  const changes = computeChanges(reference, current);
  const t2 = performance.now();
  const parts: string[] = [];
  ndiff(reference, current, { verbose: false, format: 'text' }, (text) => parts.push(text));
  const t3 = performance.now();
  writeFileSync(path.join(dir, 'scan.xml'), xml); // history.record(entry, xml)
  const t4 = performance.now();
  const total = (t4 - t0) / 1000;
  const ms = (a: number, b: number) => `${(b - a).toFixed(0)} ms`;
  process.stdout.write(
    `  load the reference:   ${ms(t0, t1)}\n` +
      `  change model:         ${ms(t1, t2)} (${changes.length} changes)\n` +
      `  ndiff text:           ${ms(t2, t3)} (${parts.join('').length} characters)\n` +
      `  record the XML:       ${ms(t3, t4)}\n` +
      `  total after nmap:     ${total.toFixed(2)} s (goal <= ${GOAL_SECONDS} s: ${total <= GOAL_SECONDS ? 'met' : 'NOT met'})\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
