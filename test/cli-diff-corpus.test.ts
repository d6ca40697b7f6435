// `./bin/portwatch diff` as a process against `/usr/bin/ndiff` as a process: every ordered pair of nmap's
// ndiff test scans, in plain text mode (the other modes are swept through the engine in ndiff-corpus).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runNdiff, runPortwatch } from './support/ndiff-oracle.ts';

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.resolve(root, '..', 'shared', 'corpus', 'nmap-test-scans');

/** Runs `work` over `items`, two at a time (the CI machine has two cores). */
async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all([worker(), worker()]);
}

test('portwatch diff A B prints what ndiff A B prints, for all 64 ordered corpus pairs', async () => {
  assert.ok(existsSync(path.join(root, 'dist', 'cli.mjs')), 'run `npm run build` first');
  const files = readdirSync(corpus)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => path.join(corpus, f));
  assert.equal(files.length, 8);
  const pairs = files.flatMap((a) => files.map((b) => [a, b] as const));
  const env = { ...process.env, TZ: 'Europe/Berlin' };
  let checked = 0;
  await pool(pairs, async ([a, b]) => {
    const [want, got] = await Promise.all([runNdiff([a, b], env), runPortwatch(['diff', a, b], env)]);
    const label = `${path.basename(a)} ${path.basename(b)}`;
    assert.equal(want.exitCode === 2, false, `ndiff failed on ${label}: ${want.stderr}`);
    assert.equal(got.stderr, '', label);
    assert.ok(got.stdout.equals(want.stdout), `stdout differs: ${label}\n${got.stdout}\n---\n${want.stdout}`);
    assert.equal(got.exitCode, want.exitCode, label);
    checked++;
  });
  assert.equal(checked, 64);
});
