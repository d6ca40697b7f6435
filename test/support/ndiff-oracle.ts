// The oracle for our ndiff port: nmap's own ndiff 7.93 (/usr/bin/ndiff, the module in
// /usr/lib/python3/dist-packages/ndiff.py run by /usr/bin/python3), and a patched copy for the two places
// where ndiff crashes under Python 3. The copy is made at test time in a temp dir and never committed:
// - ScriptResult defines only __cmp__, so sorting two or more results raises TypeError: add __lt__ on
//   (id, output), what __cmp__ meant;
// - `self.script_result_diffs > 0` compares a list with an int: `len(self.script_result_diffs) > 0`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { ndiff } from '../../src/engine/diff/ndiff/index.ts';
import { ndiffFiles, type ThreadTuning } from '../../src/engine/diff/ndiff-files.ts';
import { parseNmapXmlFile } from '../../src/engine/nmap/parse.ts';
import type { NmapRun } from '../../src/shared/scan.ts';

export const NDIFF = '/usr/bin/ndiff';
export const PYTHON = '/usr/bin/python3';
export const NDIFF_MODULE = '/usr/lib/python3/dist-packages/ndiff.py';

export interface OracleResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

const PATCHES: [string, string][] = [
  [
    '    def __cmp__(self, other):\n        return cmp((self.id, self.output), (other.id, other.output))\n',
    '    def __cmp__(self, other):\n        return cmp((self.id, self.output), (other.id, other.output))\n\n' +
      '    def __lt__(self, other):\n        return (self.id, self.output) < (other.id, other.output)\n',
  ],
  ['if verbose or self.script_result_diffs > 0:', 'if verbose or len(self.script_result_diffs) > 0:'],
];

/** Runs many ndiff invocations in one Python process: main() per job, fd 1 pointed at a file meanwhile. */
const BATCH_DRIVER = `
import json, os, sys, time, traceback
module_dir, jobs_file, results_file, work_dir = sys.argv[1:5]
sys.path.insert(0, module_dir)
import ndiff
jobs = json.load(open(jobs_file))
results = []
for k, args in enumerate(jobs):
    out_path = os.path.join(work_dir, "out-%d" % k)
    sys.stdout.flush()
    saved = os.dup(1)
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.close(fd)
    ndiff.verbose = False
    # A fresh process: glibc's mktime starts probing from UTC offset 0 and remembers the last offset found.
    tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    time.mktime((2000, 1, 1, 0, 0, 0, 0, 1, -1))
    if tz is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = tz
    time.tzset()
    sys.argv = ["ndiff"] + args
    err = ""
    try:
        code = ndiff.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 2
    except Exception:
        code = 2
        err = traceback.format_exc()
    sys.stdout.flush()
    os.dup2(saved, 1)
    os.close(saved)
    results.append({"out": out_path, "code": code, "err": err})
json.dump(results, open(results_file, "w"))
`;

let patchedDir: string | undefined;

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A temp dir holding ndiff.py, patched or as installed (made once per process, removed at exit). */
function moduleDir(patched: boolean): string {
  if (!patched) return path.dirname(NDIFF_MODULE);
  if (patchedDir) return patchedDir;
  let source = readFileSync(NDIFF_MODULE, 'utf8');
  for (const [from, to] of PATCHES) {
    if (!source.includes(from)) throw new Error(`ndiff.py has changed: cannot apply the patch for ${from}`);
    source = source.replace(from, to);
  }
  const dir = tempDir('pw-ndiff-patched-');
  writeFileSync(path.join(dir, 'ndiff.py'), source);
  writeFileSync(
    path.join(dir, 'run_ndiff.py'),
    'import sys, ndiff\nsys.excepthook = ndiff.excepthook\nsys.exit(ndiff.main())\n',
  );
  return (patchedDir = dir);
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<OracleResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, encoding: 'buffer', maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      if (code === null) reject(error);
      else resolve({ stdout, stderr: stderr.toString(), exitCode: code });
    });
  });
}

/** /usr/bin/ndiff ARGS, as a process. */
export function runNdiff(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<OracleResult> {
  return run(NDIFF, args, env);
}

/** The patched ndiff ARGS, as a process (same entry as /usr/bin/ndiff: main() with ndiff's excepthook). */
export function runPatchedNdiff(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<OracleResult> {
  return run(PYTHON, [path.join(moduleDir(true), 'run_ndiff.py'), ...args], env);
}

/** Did ndiff die on one of the two known Python 3 bugs (and nothing else)? */
export function isKnownCrash(result: OracleResult): boolean {
  return (
    result.exitCode === 2 &&
    (/TypeError: '<' not supported between instances of 'ScriptResult' and 'ScriptResult'/.test(
      result.stderr,
    ) ||
      /TypeError: '>' not supported between instances of 'list' and 'int'/.test(result.stderr))
  );
}

export interface BatchResult extends OracleResult {
  /** True when the real ndiff crashed on a known bug and this is the patched ndiff's answer. */
  patched: boolean;
}

async function runBatchWith(
  patched: boolean,
  jobs: string[][],
  env: NodeJS.ProcessEnv,
): Promise<OracleResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-ndiff-batch-'));
  try {
    writeFileSync(path.join(dir, 'driver.py'), BATCH_DRIVER);
    writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
    const resultsFile = path.join(dir, 'results.json');
    const { exitCode, stderr } = await run(
      PYTHON,
      [path.join(dir, 'driver.py'), moduleDir(patched), path.join(dir, 'jobs.json'), resultsFile, dir],
      env,
    );
    if (exitCode !== 0) throw new Error(`ndiff batch driver failed: ${stderr}`);
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
      out: string;
      code: number;
      err: string;
    }[];
    return results.map((r) => ({ stdout: readFileSync(r.out), stderr: r.err, exitCode: r.code }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Many ndiff runs (each an argument list) in one Python process per oracle, with the ndiff module
 * /usr/bin/ndiff runs. Jobs where ndiff crashes on a known bug are answered by the patched ndiff.
 */
export async function ndiffBatch(
  jobs: string[][],
  env: NodeJS.ProcessEnv = process.env,
): Promise<BatchResult[]> {
  const real = await runBatchWith(false, jobs, env);
  const crashed = real.flatMap((r, k) => (isKnownCrash(r) ? [k] : []));
  const results: BatchResult[] = real.map((r) => ({ ...r, patched: false }));
  if (crashed.length > 0) {
    const fixed = await runBatchWith(
      true,
      crashed.map((k) => jobs[k]!),
      env,
    );
    crashed.forEach((k, n) => (results[k] = { ...fixed[n]!, patched: true }));
  }
  return results;
}

export const PORTWATCH = path.resolve(import.meta.dirname, '..', '..', 'bin', 'portwatch');

/** ./bin/portwatch ARGS, as a process (the bundled CLI: `npm run build` first). */
export function runPortwatch(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<OracleResult> {
  return new Promise((resolve, reject) => {
    execFile(PORTWATCH, args, { env, encoding: 'buffer', maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      if (code === null) reject(error);
      else resolve({ stdout, stderr: stderr.toString(), exitCode: code });
    });
  });
}

/** ndiff's four output modes. */
export const MODES: string[][] = [[], ['-v'], ['--xml'], ['-v', '--xml']];

/** Our ndiff on two parsed runs, with ndiff's command-line mode flags. */
export function runOurs(a: NmapRun, b: NmapRun, mode: string[]): { stdout: Buffer; exitCode: number } {
  const parts: string[] = [];
  const different = ndiff(
    a,
    b,
    { verbose: mode.includes('-v'), format: mode.includes('--xml') ? 'xml' : 'text' },
    (s) => parts.push(s),
  );
  return { stdout: Buffer.from(parts.join(''), 'utf8'), exitCode: different ? 1 : 0 };
}

/** Every ordered pair of `files` in every mode, against the oracle, with TZ set for both sides. */
export async function sweep(files: string[], tz: string): Promise<number> {
  const runs = new Map(files.map((f) => [f, parseNmapXmlFile(f, { source: f })]));
  const jobs: { a: string; b: string; mode: string[] }[] = [];
  for (const a of files) for (const b of files) for (const mode of MODES) jobs.push({ a, b, mode });
  const expected = await ndiffBatch(
    jobs.map((j) => [...j.mode, j.a, j.b]),
    { ...process.env, TZ: tz },
  );
  const savedTz = process.env.TZ;
  process.env.TZ = tz;
  try {
    jobs.forEach((job, k) => {
      const want = expected[k]!;
      const label = `${[...job.mode, path.basename(job.a), path.basename(job.b)].join(' ')} (TZ=${tz})`;
      assert.ok(want.exitCode !== 2, `ndiff failed on ${label}: ${want.stderr}`);
      const got = runOurs(runs.get(job.a)!, runs.get(job.b)!, job.mode);
      assert.equal(got.stdout.toString(), want.stdout.toString(), label);
      assert.ok(got.stdout.equals(want.stdout), `bytes differ: ${label}`);
      // Verbose ndiff counts equal script results as cost; the exit code is the non-verbose one.
      const plain = expected[k - MODES.findIndex((m) => m.join() === job.mode.join())]!;
      assert.equal(got.exitCode, job.mode.includes('-v') ? plain.exitCode : want.exitCode, label);
    });
  } finally {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  }
  return jobs.length;
}

/**
 * ndiffFiles (the fast path) against the full-model ndiff() on the same two files, text and XML, -v or not: the
 * same output and the same answer to "different?". `tuning` as ndiffFiles takes it.
 */
export async function assertNdiffFilesLikeNdiff(
  a: string,
  b: string,
  label: string,
  tuning?: ThreadTuning,
): Promise<void> {
  for (const format of ['text', 'xml'] as const) {
    for (const verbose of [false, true]) {
      const want: string[] = [];
      const wantDifferent = ndiff(parseNmapXmlFile(a), parseNmapXmlFile(b), { verbose, format }, (s) =>
        want.push(s),
      );
      const got: string[] = [];
      const different = await ndiffFiles([a, b], { verbose, format }, (s) => got.push(s), tuning);
      const what = `${label} ${format}${verbose ? ' -v' : ''}`;
      assert.equal(got.join(''), want.join(''), what);
      assert.equal(different, wantDifferent, what);
    }
  }
}
