// A diff's worker thread started before the diff's code is loaded, as the CLI starts it
// (src/engine/diff/pairs-worker-start.ts): only for a diff that will want one, taken by that diff, and the
// CLI's diff of two big scans, which starts it so, still prints what ndiff prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PairDigestJob, PairDigestReply } from '../src/engine/diff/digest-pair.ts';
import { ndiff } from '../src/engine/diff/ndiff/index.ts';
import { ndiffFiles } from '../src/engine/diff/ndiff-files.ts';
import {
  ONE_THREAD_BYTES,
  startPairsWorkerEarly,
  takeEarlyPairsWorker,
} from '../src/engine/diff/pairs-worker-start.ts';
import { ScanFile } from '../src/engine/nmap/host-digests.ts';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { runNdiff, runPortwatch } from './support/ndiff-oracle.ts';
import { scanXml } from './support/scan-xml.ts';

const root = path.resolve(import.meta.dirname, '..');
/** The worker's file in the CLI's bundle (`npm run build`). */
const bundled = pathToFileURL(path.join(root, 'dist', 'diff-worker.mjs'));

function withDir(use: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-early-'));
  return use(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Two scans of `hosts` hosts each, the second a rescan with a few hosts changed; their paths. */
function writeScans(dir: string, hosts: number, name: string): [string, string] {
  const files: [string, string] = [path.join(dir, `${name}-a.xml`), path.join(dir, `${name}-b.xml`)];
  writeFileSync(files[0], scanXml(hosts, 0, new Set()));
  writeFileSync(files[1], scanXml(hosts, 60, new Set([1, 2, 3, hosts >> 1, hosts - 1])));
  return files;
}

/** 3,200 hosts a scan: together just over ONE_THREAD_BYTES. */
function bigScans(dir: string): [string, string] {
  const files = writeScans(dir, 3200, 'big');
  const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  assert.ok(bytes >= ONE_THREAD_BYTES && bytes < 2 * ONE_THREAD_BYTES, `${bytes} bytes`);
  return files;
}

test('started only for two regular files big enough for two threads, from a worker file that exists', async () => {
  assert.equal(takeEarlyPairsWorker(), undefined, 'none started yet');
  await withDir(async (dir) => {
    const big = bigScans(dir);
    startPairsWorkerEarly(bundled, writeScans(dir, 100, 'small'));
    assert.equal(takeEarlyPairsWorker(), undefined, 'small files');
    startPairsWorkerEarly(bundled, [big[0], path.join(dir, 'missing.xml')]);
    assert.equal(takeEarlyPairsWorker(), undefined, 'a missing file');
    startPairsWorkerEarly(bundled, [big[0], dir]);
    assert.equal(takeEarlyPairsWorker(), undefined, 'a directory');
    startPairsWorkerEarly(pathToFileURL(path.join(dir, 'diff-worker.mjs')), big);
    assert.equal(takeEarlyPairsWorker(), undefined, 'no worker file (a run from source)');

    startPairsWorkerEarly(bundled, big);
    const worker = takeEarlyPairsWorker();
    assert.ok(worker instanceof Worker, 'started for the big pair');
    assert.equal(takeEarlyPairsWorker(), undefined, 'taken once');
    // It runs the diff's worker side: the second file read against the first.
    const first = ScanFile.open(big[0]);
    const job: PairDigestJob = {
      files: big,
      identity: first.identity,
      boundaries: [],
      claim: new SharedArrayBuffer(4),
      secondBoundaries: [],
      secondClaim: new SharedArrayBuffer(12),
    };
    first.close();
    worker.postMessage({ digest: job });
    const [reply] = (await once(worker, 'message')) as [PairDigestReply];
    await worker.terminate();
    assert.ok(reply.second.ok, 'read');
    assert.equal(reply.second.value.hosts, 3200);
    const repeated = Array.from(reply.second.value.sameAs).filter((j) => j >= 0).length;
    assert.ok(repeated >= 3200 - 10 && repeated <= 3200 - 5, `${repeated} hosts repeat the first file's`);
  });
});

test('the diff takes the worker started for it and prints the full-model ndiff; a small diff ends it', async () => {
  await withDir(async (dir) => {
    const big = bigScans(dir);
    for (const verbose of [false, true]) {
      startPairsWorkerEarly(bundled, big);
      const got: string[] = [];
      const different = await ndiffFiles(big, { verbose, format: 'text' }, (s) => got.push(s));
      assert.equal(takeEarlyPairsWorker(), undefined, 'the diff took it');
      const want: string[] = [];
      const wantDifferent = ndiff(
        parseNmapXmlFile(big[0]),
        parseNmapXmlFile(big[1]),
        { verbose, format: 'text' },
        (s) => want.push(s),
      );
      assert.equal(got.join(''), want.join(''), verbose ? '-v' : 'plain');
      assert.equal(different, wantDifferent);
    }
    // Started for files that were big, then a diff that stays on one thread: it ends the worker.
    startPairsWorkerEarly(bundled, big);
    const small = writeScans(dir, 50, 'small');
    assert.equal(await ndiffFiles(small, { verbose: false, format: 'text' }, () => {}), true);
    assert.equal(takeEarlyPairsWorker(), undefined);
  });
});

test('portwatch diff of two big scans (its worker started first) prints what ndiff prints; a bad one is an error', async () => {
  await withDir(async (dir) => {
    const big = bigScans(dir);
    for (const mode of [[], ['--xml']]) {
      const [want, got] = await Promise.all([
        runNdiff([...mode, ...big]),
        runPortwatch(['diff', ...mode, ...big]),
      ]);
      assert.equal(got.stderr, '');
      assert.ok(got.stdout.equals(want.stdout), `stdout differs ${mode.join(' ')}`);
      assert.equal(got.exitCode, 1);
      assert.equal(want.exitCode, 1);
    }
    // A second file cut short: the worker reads it and finds it so; one line, exit 2, nothing on stdout.
    const cut = path.join(dir, 'cut.xml');
    writeFileSync(cut, scanXml(3200, 60, new Set()).slice(0, -200));
    const bad = await runPortwatch(['diff', big[0], cut]);
    assert.equal(bad.exitCode, 2);
    assert.equal(bad.stdout.length, 0);
    assert.match(bad.stderr, /^portwatch: .*cut\.xml.*\n$/);
  });
});
