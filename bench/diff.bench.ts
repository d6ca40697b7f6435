// `portwatch diff` against nmap's ndiff on two synthetic /16 scans (bench/generate-scan.ts: 65,536 hosts,
// ~60 MB each): wall time and peak memory of each (GNU time -v), outputs checked identical, and the ratios
// against the goals (>= 20x faster where most hosts are the same, >= 5x where every host differs and with -v,
// <= 0.5x the memory in every mode). Also the reader alone (MB/s, peak memory) and
// fast-xml-parser reading one file, for comparison. Everything printed is measured in this run.
//
// Each case runs both tools ROUNDS times, alternating (ndiff, portwatch, ndiff, ...), and compares their
// median times: single runs on a shared virtual machine vary by ±25%, more than some of the gaps measured.
//
//   node bench/diff.bench.ts          (npm run bench runs it with the others)
//   PORTWATCH_BENCH_XML=0             skip the --xml comparison (ndiff takes a while)
//   PORTWATCH_BENCH_ROUNDS=N          rounds per case (default 3; 1 for a quick look)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureScans } from './generate-scan.ts';

const root = path.resolve(import.meta.dirname, '..');
const node = process.execPath;
const GNU_TIME = '/usr/bin/time';
const SPEED_GOAL = 20;
const ALL_DIFFER_SPEED_GOAL = 5;
const VERBOSE_SPEED_GOAL = 5;
const MEMORY_GOAL = 0.5;
const ROUNDS = Math.max(1, Number(process.env.PORTWATCH_BENCH_ROUNDS ?? 3) || 3);

interface Measure {
  seconds: number;
  peakMB: number | undefined;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command under GNU time -v (stdout to `outFile` when given) and reads its wall time and peak RSS. */
function measure(command: string, args: string[], outFile?: string): Measure {
  const hasTime = existsSync(GNU_TIME);
  const shellArgs = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const redirect = outFile ? ` > '${outFile}'` : '';
  const started = performance.now();
  const r = hasTime
    ? spawnSync('sh', ['-c', `${GNU_TIME} -v ${shellArgs}${redirect}`], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      })
    : spawnSync('sh', ['-c', `${shellArgs}${redirect}`], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - started) / 1000;
  const elapsed = /Elapsed \(wall clock\) time[^:]*: (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const seconds = elapsed
    ? Number(elapsed[1] ?? 0) * 3600 + Number(elapsed[2]) * 60 + Number(elapsed[3])
    : wall;
  const status = /Exit status: (\d+)/.exec(r.stderr);
  return {
    seconds,
    peakMB: rss ? Number(rss[1]) / 1024 : undefined,
    status: status ? Number(status[1]) : r.status,
    stdout: r.stdout,
    stderr: r.stderr.replace(/\n\tCommand being timed:[\s\S]*$/, '').trim(),
  };
}

const mb = (n: number | undefined) => (n === undefined ? '?' : `${n.toFixed(0)} MB`);
const s = (n: number) => `${n.toFixed(2)} s`;

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Several runs of one command: the median time, the highest peak (memory is held to its goal at its worst). */
interface Runs {
  seconds: number;
  peakMB: number | undefined;
  status: number | null;
  stderr: string;
  times: number[];
}

function summarize(runs: Measure[]): Runs {
  const peaks = runs.map((r) => r.peakMB).filter((p): p is number => p !== undefined);
  const times = runs.map((r) => r.seconds);
  // The runs' status when they agree, else -1; the message of a run that failed (exit 2), or of the odd one.
  const odd = runs.find((r) => r.status === 2) ?? runs.find((r) => r.status !== runs[0]!.status);
  return {
    seconds: median(times),
    peakMB: peaks.length === runs.length ? Math.max(...peaks) : undefined,
    status: runs.every((r) => r.status === runs[0]!.status) ? runs[0]!.status : -1,
    stderr: (odd ?? runs[0]!).stderr,
    times,
  };
}

/** "1.23 s median (runs 1.20, 1.23, 1.31)", or one run's time. */
const timed = (r: Runs) =>
  r.times.length === 1
    ? s(r.seconds)
    : `${s(r.seconds)} median (runs ${r.times.map((t) => t.toFixed(2)).join(', ')})`;

/** Builds the CLI bundle when it is missing or older than the sources, so the bench measures this code. */
function ensureBuilt(): void {
  const bundle = path.join(root, 'dist', 'cli.mjs');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(path.join(root, 'src'))) return;
  process.stdout.write('building the CLI (npm run build)...\n');
  const r = spawnSync(node, ['scripts/build.ts'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

function hasDiffCommand(): boolean {
  const r = spawnSync(path.join(root, 'bin', 'portwatch'), ['--help'], { encoding: 'utf8' });
  return /^\s+diff\s/m.test(r.stdout);
}

function readerAlone(reader: 'portwatch' | 'fast-xml-parser', file: string) {
  const m = measure(node, ['bench/read-file.ts', reader, file]);
  if (m.status !== 0) throw new Error(`${reader} failed: ${m.stderr}`);
  const r = JSON.parse(m.stdout) as { hosts: number; ms: number; bytes: number; mbPerSecond: number };
  return { ...r, peakMB: m.peakMB };
}

const started = performance.now();
process.stdout.write('diff.bench: portwatch diff vs ndiff on two /16 scans\n');
if (!existsSync(GNU_TIME))
  process.stdout.write(`  (${GNU_TIME} is missing: apt-get install time; peak memory unknown)\n`);
process.stdout.write('  scans: ');
const scans = ensureScans();
const size = statSync(scans.a).size;
process.stdout.write(
  `${scans.a} (${(size / 1e6).toFixed(1)} MB), ${path.basename(scans.b)} (${(statSync(scans.b).size / 1e6).toFixed(1)} MB, ` +
    `a few % of the hosts differ), ${path.basename(scans.c)} (${(statSync(scans.c).size / 1e6).toFixed(1)} MB, every host differs)\n`,
);

// The reader alone: best of three runs, each in its own process.
const runs = [0, 1, 2].map(() => readerAlone('portwatch', scans.a));
const best = runs.reduce((x, y) => (y.ms < x.ms ? y : x));
process.stdout.write(
  `  reader alone:      ${best.hosts} hosts in ${best.ms.toFixed(0)} ms = ${best.mbPerSecond.toFixed(0)} MB/s ` +
    `(runs: ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms), process peak ${mb(best.peakMB)}\n`,
);
const fxp = readerAlone('fast-xml-parser', scans.a);
process.stdout.write(
  `  fast-xml-parser:   ${fxp.hosts} hosts in ${fxp.ms.toFixed(0)} ms = ${fxp.mbPerSecond.toFixed(0)} MB/s, ` +
    `process peak ${mb(fxp.peakMB)} (the reader is ${(fxp.ms / best.ms).toFixed(1)}x faster)\n`,
);

ensureBuilt();
const out = mkdtempSync(path.join(tmpdir(), 'portwatch-bench-'));
let failed = false;
try {
  if (!hasDiffCommand()) {
    process.stdout.write(
      '  portwatch diff:    MISSING (src/cli/commands/diff.ts is not registered yet): no comparison with ndiff\n',
    );
  } else {
    // Each case: portwatch diff and ndiff on the same pair, back to back. The JSON change model has no ndiff
    // counterpart: it is timed against ndiff's text, and held to the memory goal only.
    interface Case {
      label: string;
      flags: string[];
      pair: [string, string];
      speedGoal: number | undefined;
      ndiffFlags?: string[];
    }
    const cases: Case[] = [{ label: 'text', flags: [], pair: [scans.a, scans.b], speedGoal: SPEED_GOAL }];
    if (process.env.PORTWATCH_BENCH_XML !== '0')
      cases.push({ label: '--xml', flags: ['--xml'], pair: [scans.a, scans.b], speedGoal: SPEED_GOAL });
    cases.push(
      {
        label: 'text, every host differs',
        flags: [],
        pair: [scans.a, scans.c],
        speedGoal: ALL_DIFFER_SPEED_GOAL,
      },
      { label: '-v', flags: ['-v'], pair: [scans.a, scans.b], speedGoal: VERBOSE_SPEED_GOAL },
      {
        label: '--format json',
        flags: ['--format', 'json'],
        pair: [scans.a, scans.b],
        speedGoal: undefined,
        ndiffFlags: [],
      },
    );
    for (const { label, flags, pair, speedGoal, ndiffFlags } of cases) {
      const name = label.replace(/[^a-z]+/g, '-');
      const ours = path.join(out, `portwatch-${name}.out`);
      const theirs = path.join(out, `ndiff-${name}.out`);
      const ourRuns: Measure[] = [];
      const theirRuns: Measure[] = [];
      const compared = ndiffFlags === undefined;
      let same = compared;
      for (let round = 0; round < ROUNDS; round++) {
        theirRuns.push(measure('ndiff', [...(ndiffFlags ?? flags), ...pair], theirs));
        ourRuns.push(measure('./bin/portwatch', ['diff', ...flags, ...pair], ours));
        if (compared) same &&= readFileSync(ours).equals(readFileSync(theirs));
      }
      const p = summarize(ourRuns);
      const n = summarize(theirRuns);
      const speedup = n.seconds / p.seconds;
      const memory = p.peakMB !== undefined && n.peakMB !== undefined ? p.peakMB / n.peakMB : undefined;
      const speedOk = speedGoal === undefined || speedup >= speedGoal;
      const memoryOk = memory !== undefined && memory <= MEMORY_GOAL;
      const goal =
        speedGoal === undefined ? 'no goal' : `goal >= ${speedGoal}x: ${speedOk ? 'met' : 'NOT met'}`;
      process.stdout.write(
        `  diff (${label}${pair[1] === scans.c ? ', a -> c' : ''}):\n` +
          `    ndiff${compared ? '' : ' (text)'}:${compared ? '        ' : ' '}   ${timed(n)}, peak ${mb(n.peakMB)} (exit ${n.status})\n` +
          `    portwatch diff:  ${timed(p)}, peak ${mb(p.peakMB)} (exit ${p.status})\n` +
          `    outputs:         ${compared ? (same ? (ROUNDS > 1 ? 'identical in every round' : 'identical') : 'DIFFERENT') : 'not compared (the change model)'} (${statSync(ours).size} bytes)\n` +
          `    speed-up:        ${speedup.toFixed(1)}x${ROUNDS > 1 ? ` of the medians (${goal}; round by round ${theirRuns.map((r, i) => (r.seconds / ourRuns[i]!.seconds).toFixed(1)).join(', ')}x)` : ` (${goal})`}\n` +
          `    memory:          ${memory === undefined ? '?' : `${memory.toFixed(2)}x`} of ndiff's (goal <= ${MEMORY_GOAL}x: ${memoryOk ? 'met' : 'NOT met'})\n`,
      );
      if (compared && p.status !== n.status)
        process.stdout.write(`    exit codes differ: ${p.stderr.split('\n')[0] ?? ''}\n`);
      const crashed = ourRuns.some((r) => r.status === 2);
      if (crashed) process.stdout.write(`    portwatch failed: ${p.stderr.split('\n')[0] ?? ''}\n`);
      if ((compared && (!same || p.status !== n.status)) || crashed) failed = true;
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.stdout.write(`  (diff.bench took ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
if (failed) process.exitCode = 1;
