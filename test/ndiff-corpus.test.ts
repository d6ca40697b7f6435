// Our ndiff against nmap's ndiff 7.93 on nmap's own ndiff test scans: every ordered pair, plain, -v, --xml
// and -v --xml, under two time zones (the banner and the XML start time are local time). stdout must be
// byte-identical and the exit code equal, except that -v never makes identical scans "different".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { ndiffBatch, runOurs, sweep } from './support/ndiff-oracle.ts';

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.resolve(root, '..', 'shared', 'corpus', 'nmap-test-scans');
const corpusFiles = () =>
  readdirSync(corpus)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => path.join(corpus, f));

test('the corpus has the 8 scans of nmap’s ndiff tests', () => {
  assert.equal(corpusFiles().length, 8);
});

for (const tz of ['America/New_York', 'Asia/Kolkata']) {
  test(`all 64 ordered corpus pairs x 4 modes match ndiff byte for byte, TZ=${tz}`, async () => {
    assert.equal(await sweep(corpusFiles(), tz), 256);
  });
}

test('-v on two identical scans: ndiff says "different" (1), portwatch says 0', async () => {
  const file = path.join(corpus, 'complex.xml');
  const [real] = await ndiffBatch([['-v', file, file]]);
  assert.equal(real!.exitCode, 1, 'ndiff -v counts equal script results as differences');
  const run = parseNmapXmlFile(file);
  const ours = runOurs(run, run, ['-v']);
  assert.ok(ours.stdout.equals(real!.stdout));
  assert.equal(ours.exitCode, 0);
});
