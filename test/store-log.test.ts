import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppendLog } from '../src/engine/store/log.ts';
import { readJson, removeStaleTemps, writeFileAtomic, writeJsonAtomic } from '../src/engine/store/atomic.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-store-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('append and read back newest first, across chunk boundaries', (t) => {
  const log = new AppendLog<{ n: number; pad: string }>(path.join(tempDir(t), 'log.jsonl'));
  // Records of varying size so lines straddle the 64 KiB read chunks.
  for (let n = 0; n < 500; n++) log.append({ n, pad: 'x'.repeat((n * 37) % 900) });
  const all = log.readAll().map((r) => r.n);
  assert.deepEqual(all, [...Array(500).keys()]);
  const last = log.readLast(7).records.map((r) => r.n);
  assert.deepEqual(last, [499, 498, 497, 496, 495, 494, 493]);
  // Paging back through everything yields each record once, in order.
  const seen: number[] = [];
  let before: number | undefined;
  do {
    const page = log.readLast(33, before);
    seen.push(...page.records.map((r) => r.n));
    before = page.next;
  } while (before !== undefined);
  assert.deepEqual(seen, [...Array(500).keys()].reverse());
});

test('a torn last line is never returned and is cut off by the next append', (t) => {
  const file = path.join(tempDir(t), 'log.jsonl');
  const log = new AppendLog<{ n: number }>(file);
  log.append({ n: 1 });
  log.append({ n: 2 });
  fs.appendFileSync(file, '{"n":3,"half'); // a crash mid-write
  assert.deepEqual(log.readLast(10).records, [{ n: 2 }, { n: 1 }]);
  assert.deepEqual(log.readAll(), [{ n: 1 }, { n: 2 }]);
  log.append({ n: 4 });
  assert.deepEqual(log.readAll(), [{ n: 1 }, { n: 2 }, { n: 4 }]);
  assert.equal(fs.readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n{"n":4}\n');
});

test('a torn line longer than a read chunk is skipped too', (t) => {
  const file = path.join(tempDir(t), 'log.jsonl');
  const log = new AppendLog<{ n: number }>(file);
  log.append({ n: 1 });
  fs.appendFileSync(file, '{"n":2,"big":"' + 'y'.repeat(200_000));
  assert.deepEqual(log.readLast(5).records, [{ n: 1 }]);
  assert.equal(log.findLast(() => true)?.n, 1);
});

test('an empty or missing log reads as empty', (t) => {
  const dir = tempDir(t);
  const log = new AppendLog<unknown>(path.join(dir, 'none.jsonl'));
  assert.deepEqual(log.readLast(10), { records: [] });
  assert.deepEqual(log.readAll(), []);
  fs.writeFileSync(path.join(dir, 'empty.jsonl'), '');
  assert.deepEqual(new AppendLog<unknown>(path.join(dir, 'empty.jsonl')).readLast(3), { records: [] });
});

test('atomic writes replace whole files and leave no temp files', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'sub', 'state.json');
  writeJsonAtomic(file, { a: 1 });
  writeJsonAtomic(file, { a: 2 });
  assert.deepEqual(readJson(file), { a: 2 });
  writeFileAtomic(path.join(dir, 'raw.xml'), '<x/>');
  assert.equal(fs.readFileSync(path.join(dir, 'raw.xml'), 'utf8'), '<x/>');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'sub')), ['state.json']);
  assert.equal(readJson(path.join(dir, 'missing.json')), undefined);
});

test('temp files of interrupted writes are removed, those of live writers stay', (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, '.state.json.999999999.abcd1234.tmp'), 'half');
  fs.writeFileSync(path.join(dir, `.state.json.${process.ppid}.abcd1234.tmp`), 'ours');
  fs.writeFileSync(path.join(dir, 'state.json'), '{}');
  removeStaleTemps(dir);
  assert.deepEqual(fs.readdirSync(dir).sort(), [`.state.json.${process.ppid}.abcd1234.tmp`, 'state.json']);
});
