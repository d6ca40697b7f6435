// portwatch diff's fast path (text and XML, -v or not): hosts are read as digests and only the changed ones
// in full (src/engine/nmap/host-digests.ts, src/engine/diff/fast-digest.ts). Its output must be ndiff's, byte
// for byte: against the full-model ndiff on every corpus pair, and against nmap's ndiff on scans large enough
// that hosts straddle the reader's 512 KiB chunks, with non-ASCII text, moved times and changed hosts.
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  digestScan,
  digestScanInWorker,
  openDigested,
  setDigestWorkerFile,
  type DigestedHosts,
  type ScanDigest,
} from '../src/engine/diff/fast-digest.ts';
import {
  emitHostPairs,
  lazyNdiffScan,
  ndiff,
  ndiffHead,
  ndiffLazy,
  planHostPairs,
  type HostPairPlan,
} from '../src/engine/diff/ndiff/index.ts';
import { shareHostPairs } from '../src/engine/diff/ndiff-files.ts';
import type { PairsWorker } from '../src/engine/diff/pair-blocks.ts';
import { UserError } from '../src/engine/errors.ts';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { assertNdiffFilesLikeNdiff, PORTWATCH, runNdiff, runPortwatch } from './support/ndiff-oracle.ts';
import { scanXml } from './support/scan-xml.ts';

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.resolve(root, '..', 'shared', 'corpus', 'nmap-test-scans');
const corpusFiles = () =>
  readdirSync(corpus)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => path.join(corpus, f));

test('ndiffFiles: all 64 corpus pairs, text and XML, -v or not, print what ndiff() prints', async () => {
  const files = corpusFiles();
  let checked = 0;
  for (const a of files) {
    for (const b of files) {
      await assertNdiffFilesLikeNdiff(a, b, `${path.basename(a)} ${path.basename(b)}`);
      checked++;
    }
  }
  assert.equal(checked, 64);
});

test("the tray app's scan reader file (dist/main/digest-worker.mjs, for its CommonJS bundle) digests as this module does", async () => {
  const worker = path.join(root, 'dist', 'main', 'digest-worker.mjs');
  assert.ok(existsSync(worker), 'run `npm run build` first');
  const file = path.join(corpus, 'complex.xml');
  setDigestWorkerFile(worker);
  try {
    assert.deepEqual(await digestScanInWorker(file, 'both').result, digestScan(file, 'both'));
  } finally {
    setDigestWorkerFile(undefined);
  }
});

function lazyDiff(a: string, b: string, format: 'text' | 'xml'): { out: string; different: boolean } {
  const da = digestScan(a);
  const db = digestScan(b);
  const ha = openDigested(a, da);
  const hb = openDigested(b, db);
  const parts: string[] = [];
  try {
    const different = ndiffLazy({ ...da, hosts: ha }, { ...db, hosts: hb }, { verbose: false, format }, (s) =>
      parts.push(s),
    );
    return { out: parts.join(''), different };
  } finally {
    ha.close();
    hb.close();
  }
}

test('digests: all 64 corpus pairs, text and XML, print what the full-model ndiff prints', () => {
  const files = corpusFiles();
  assert.equal(files.length, 8);
  let checked = 0;
  for (const a of files) {
    for (const b of files) {
      for (const format of ['text', 'xml'] as const) {
        const parts: string[] = [];
        const want = ndiff(parseNmapXmlFile(a), parseNmapXmlFile(b), { verbose: false, format }, (s) =>
          parts.push(s),
        );
        const got = lazyDiff(a, b, format);
        const label = `${path.basename(a)} ${path.basename(b)} ${format}`;
        assert.equal(got.out, parts.join(''), label);
        assert.equal(got.different, want, label);
        checked++;
      }
    }
  }
  assert.equal(checked, 128);
});

test('digests: a worker thread reads a scan into the same digest as this thread', async () => {
  const file = path.join(corpus, 'complex.xml');
  const job = digestScanInWorker(file);
  assert.deepEqual(await job.result, digestScan(file));
});

test('digests: a bad file read on the worker thread is the same one-line error', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-digests-'));
  try {
    const bad = path.join(dir, 'bad.xml');
    writeFileSync(bad, '<nmaprun><host></nmaprun>');
    const here = (() => {
      try {
        digestScan(bad);
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    assert.ok(here instanceof UserError);
    await assert.rejects(digestScanInWorker(bad).result, (error: Error) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.message, here.message);
      assert.match(error.message, /bad\.xml:1:/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('digests: a file changed after it was read is an error, not a wrong diff', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-digests-'));
  try {
    const file = path.join(dir, 'a.xml');
    writeFileSync(file, scanXml(20, 0, new Set()));
    const digest = digestScan(file);
    appendFileSync(file, '\n');
    assert.throws(
      () => openDigested(file, digest),
      /a\.xml changed while it was being compared: run the diff again/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('portwatch diff, --xml, -v print what ndiff prints on scans whose hosts straddle read chunks', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-digests-'));
  try {
    const n = 1500; // ~1 MB: two chunk boundaries fall inside hosts
    const a = path.join(dir, 'a.xml');
    const b = path.join(dir, 'b.xml');
    writeFileSync(a, scanXml(n, 0, new Set()));
    // B: every host's times moved; some hosts changed; one host only in B; a host written with other spacing.
    // 200 changed hosts in a row: the host phase is shared out in blocks between two threads (pair-blocks.ts).
    const changed = new Set([
      3,
      4,
      5,
      700,
      701,
      702,
      1498,
      ...Array.from({ length: 200 }, (_, k) => 900 + k),
    ]);
    const extra =
      '<host><status state="up"/><address addr="10.9.99.1" addrtype="ipv4"/><ports>' +
      '<port protocol="tcp" portid="443"><state state="open"/></port></ports></host>\n';
    writeFileSync(
      b,
      scanXml(n, 3600, changed, extra).replace(
        '<host starttime="1700003610"',
        '<host  starttime="1700003610"',
      ),
    );
    // Hosts that straddle read chunks get the same digest as the others: all but the changed ones are equal.
    const [da, db] = [digestScan(a), digestScan(b)];
    assert.ok(!db.digests.includes(''));
    assert.equal(da.digests.filter((d, i) => d !== db.digests[i]).length, changed.size);
    const env = { ...process.env, TZ: 'UTC' };
    for (const mode of [[], ['--xml'], ['-v'], ['-v', '--xml']]) {
      const [want, got] = await Promise.all([
        runNdiff([...mode, a, b], env),
        runPortwatch(['diff', ...mode, a, b], env),
      ]);
      assert.equal(got.stderr, '', mode.join(' '));
      assert.equal(want.exitCode, 1);
      assert.equal(got.exitCode, 1);
      assert.ok(got.stdout.equals(want.stdout), `${mode.join(' ')}:\n${got.stdout}\n---\n${want.stdout}`);
      assert.match(got.stdout.toString(), /10\.9\.99\.1/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('portwatch diff of a pipe (<(...)) reads it in full, as ndiff does', async () => {
  const a = path.join(corpus, 'simple.xml');
  const b = path.join(corpus, 'complex.xml');
  const env = { ...process.env, TZ: 'UTC' };
  const run = (command: string) =>
    new Promise<{ stdout: string; code: number | null }>((resolve) => {
      execFile('bash', ['-c', command], { env }, (error, stdout) =>
        resolve({ stdout, code: error ? (error.code as number) : 0 }),
      );
    });
  const [ours, theirs] = await Promise.all([
    run(`'${PORTWATCH}' diff <(cat '${a}') '${b}'`),
    run(`ndiff <(cat '${a}') '${b}'`),
  ]);
  assert.equal(theirs.code, 1);
  assert.equal(ours.code, 1);
  assert.equal(ours.stdout, theirs.stdout);
  assert.match(ours.stdout, /^-Nmap/m);
});

const TEXT = { verbose: false, format: 'text' } as const;

/** What a shareHostPairs test works with: two 400-host scans with 120 pairs to read, planned, and ndiff's text. */
interface PairsCase {
  files: [string, string];
  digests: [ScanDigest, ScanDigest];
  hosts: [DigestedHosts, DigestedHosts];
  plan: HostPairPlan;
  want: string;
  /** ndiff's head, then what shareHostPairs emits with `worker`; its real cost. */
  share(worker: PairsWorker): Promise<{ text: string; realCost: number }>;
}

async function withPairsCase(use: (c: PairsCase) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-pairs-'));
  try {
    const files: [string, string] = [path.join(dir, 'a.xml'), path.join(dir, 'b.xml')];
    writeFileSync(files[0], scanXml(400, 0, new Set()));
    writeFileSync(files[1], scanXml(400, 60, new Set(Array.from({ length: 120 }, (_, k) => 3 * k))));
    const want: string[] = [];
    ndiff(parseNmapXmlFile(files[0]), parseNmapXmlFile(files[1]), TEXT, (s) => want.push(s));
    const digests: [ScanDigest, ScanDigest] = [digestScan(files[0]), digestScan(files[1])];
    const hosts: [DigestedHosts, DigestedHosts] = [
      openDigested(files[0], digests[0]),
      openDigested(files[1], digests[1]),
    ];
    try {
      const lazy = (i: 0 | 1) => ({ ...digests[i], hosts: hosts[i] });
      const plan = planHostPairs(lazy(0), lazy(1), false);
      assert.equal(plan.length, 120); // 15 blocks of 8
      const share = async (worker: PairsWorker) => {
        const got = [ndiffHead(lazyNdiffScan(lazy(0)), lazyNdiffScan(lazy(1)), TEXT)];
        const realCost = await shareHostPairs(plan, files, digests, hosts, TEXT, (s) => got.push(s), worker);
        return { text: got.join(''), realCost };
      };
      await use({ files, digests, hosts, plan, want: want.join(''), share });
    } finally {
      hosts[0].close();
      hosts[1].close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('host pairs: blocks the worker claimed and never finished (it died) are done by this thread, in order', async () => {
  await withPairsCase(async ({ want, share }) => {
    let claimed = 0;
    // A worker that takes the first two blocks, then stops without posting them.
    const dying: PairsWorker = {
      digest: () => Promise.reject(new Error('not used here')),
      share: (job) => {
        claimed = Atomics.add(new Int32Array(job.counter), 0, 2) === 0 ? 2 : 0;
        job.port.close();
        return Promise.reject(new Error('the host pair thread stopped (exit code 1)'));
      },
      cancel: () => {},
    };
    const { text, realCost } = await share(dying);
    assert.equal(claimed, 2);
    assert.ok(realCost > 0);
    assert.equal(text, want);
  });
});

test('host pairs: this thread waits for a slow worker after a few blocks, not holding every other block', async () => {
  await withPairsCase(async ({ hosts, plan, want, share }) => {
    let claimedWhenPosted = -1;
    // A worker that takes the first block and posts it 300 ms later (its text made here, as the worker's).
    const slow: PairsWorker = {
      digest: () => Promise.reject(new Error('not used here')),
      share: (job) => {
        const counter = new Int32Array(job.counter);
        const block = Atomics.add(counter, 0, 1);
        setTimeout(() => {
          let text = '';
          const realCost = emitHostPairs(
            plan,
            0,
            job.blockSize,
            hosts[0].loadHost,
            hosts[1].loadHost,
            TEXT,
            (t) => {
              text += t;
            },
          );
          claimedWhenPosted = Atomics.load(counter, 0);
          job.port.postMessage({ block, text, realCost });
          job.port.postMessage({ done: true });
        }, 300);
        return new Promise<never>(() => {});
      },
      cancel: () => {},
    };
    const { text } = await share(slow);
    assert.equal(text, want);
    // This thread did 8 blocks, then waited: the other 6 were claimed only after the worker's block came.
    assert.equal(claimedWhenPosted, 1 + 8);
  });
});
