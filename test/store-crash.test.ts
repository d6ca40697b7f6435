// Crash safety: a child process writes references, history (with raw XML), profile edits and state in a
// loop and says which writes returned; we SIGKILL it at seeded random moments, dozens of times, and check
// after each kill that every acknowledged write is there and that nothing on disk is corrupt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HistoryEntry } from '../src/shared/history.ts';
import type { Profile } from '../src/shared/profile.ts';
import { ProfilePaths } from '../src/engine/monitor/layout.ts';
import { ProfileStore } from '../src/engine/monitor/profiles.ts';
import { ReferenceStore } from '../src/engine/monitor/references.ts';
import { HistoryStore } from '../src/engine/monitor/history.ts';
import { readState } from '../src/engine/monitor/state.ts';

const src = path.resolve(import.meta.dirname, '..', 'src', 'engine');
const KILLS = 40;

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const writer = (dataDir: string, start: number) => `
import { ProfileStore } from ${JSON.stringify(path.join(src, 'monitor', 'profiles.ts'))};
import { ReferenceStore } from ${JSON.stringify(path.join(src, 'monitor', 'references.ts'))};
import { HistoryStore } from ${JSON.stringify(path.join(src, 'monitor', 'history.ts'))};
import { updateState } from ${JSON.stringify(path.join(src, 'monitor', 'state.ts'))};
const store = new ProfileStore(${JSON.stringify(dataDir)});
const paths = store.paths('crash');
const refs = new ReferenceStore(paths);
const history = new HistoryStore(paths);
const say = (line) => process.stdout.write(line + '\\n');
say('ready');
for (let i = ${start}; ; i++) {
  const host = { addresses: [{ addr: '127.0.30.' + (i % 250), addrtype: 'ipv4' }], hostnames: [], extraPorts: [],
    ports: [{ protocol: 'tcp', portid: 1000 + i, state: { state: 'open' }, scripts: [] }], os: [], hostScripts: [],
    timedOut: false, status: { state: 'up' } };
  const run = { scanInfo: [], hosts: Array.from({ length: 1 + (i % 40) }, () => host), preScripts: [], postScripts: [],
    completeness: { status: 'complete' }, args: 'x'.repeat(i % 3000) };
  const ref = refs.save(run, '<nmaprun>' + 'r'.repeat(i % 5000) + '</nmaprun>', { source: 'capture', fromScanId: 'h' + i });
  say('ref ' + ref.id);
  const entry = { id: 'h' + i, profile: 'crash', startedAt: new Date().toISOString(), durationMs: i, status: 'ok',
    nmapArgs: ['-p', String(i)], counts: { hostsUp: 1, hostsScanned: 1, openPorts: 1, changes: 0, alerted: 0 },
    changes: [], suppressed: [], note: 'n'.repeat(i % 7000), hasXml: true, delivery: { state: 'none' } };
  history.record(entry, '<nmaprun>' + 'h'.repeat(i % 9000) + '</nmaprun>');
  say('scan ' + entry.id);
  store.update('crash', (p) => ({ ...p, expected: [...p.expected, { id: 'r' + i, host: '127.0.30.1', port: i % 65535 + 1, createdAt: '' }] }));
  say('rule r' + i);
  updateState(paths, (s) => ({ ...s, lastRunAt: String(i), lastScanId: 'h' + i }));
  say('state ' + i);
}
`;

test(`nothing acknowledged is lost and nothing is corrupt across ${KILLS} SIGKILLs`, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-crash-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const store = new ProfileStore(dataDir);
  store.add({ name: 'crash', targets: ['127.0.30.1'] });
  const paths = new ProfilePaths(dataDir, 'crash');
  const random = prng(0x5eed);
  const acked = { refs: new Set<string>(), scans: new Set<string>(), rules: new Set<string>(), state: -1 };
  let next = 0;
  let tornTails = 0;

  for (let kill = 0; kill < KILLS; kill++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer(dataDir, next)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let buffered = '';
    const lines: string[] = [];
    child.stdout.on('data', (d) => {
      buffered += d;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines.push(...parts);
    });
    await new Promise<void>((resolve, reject) => {
      const wait = setInterval(() => {
        if (lines.includes('ready')) {
          clearInterval(wait);
          resolve();
        }
      }, 2);
      child.once('exit', () => {
        clearInterval(wait);
        reject(new Error(`writer exited early: ${stderr}`));
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(random() * 300)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    assert.equal(stderr, '', 'the writer itself did not fail');
    for (const line of lines) {
      const [kind, value] = line.split(' ');
      if (kind === 'ref') acked.refs.add(value!);
      else if (kind === 'scan') {
        acked.scans.add(value!);
        next = Math.max(next, Number(value!.slice(1)) + 1);
      } else if (kind === 'rule') acked.rules.add(value!);
      else if (kind === 'state') acked.state = Math.max(acked.state, Number(value));
    }
    const torn = [paths.historyLog, paths.referenceLog].some((log) => {
      const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      return text !== '' && !text.endsWith('\n');
    });
    if (torn) tornTails++;

    // Every line of each log but a torn last one parses; every acknowledged record is there.
    for (const log of [paths.historyLog, paths.referenceLog]) {
      if (!fs.existsSync(log)) continue;
      const complete = fs.readFileSync(log, 'utf8').split('\n').slice(0, -1);
      for (const line of complete) assert.doesNotThrow(() => JSON.parse(line), `corrupt line in ${log}`);
    }
    const history = new HistoryStore(paths);
    const scans = new Set(history.log.readAll().map((e: HistoryEntry) => e.id));
    for (const id of acked.scans) {
      assert.ok(scans.has(id), `acknowledged scan ${id} is in the history`);
      assert.ok(history.xml(id)?.startsWith('<nmaprun>'), `scan ${id} kept its XML`);
    }
    const refs = new ReferenceStore(paths);
    const listed = refs.list();
    for (const id of acked.refs)
      assert.ok(
        listed.some((r) => r.id === id),
        `acknowledged reference ${id} is listed`,
      );
    for (const meta of listed) {
      assert.ok(refs.load(meta.id).hosts.length > 0, `reference ${meta.id} loads`);
      assert.ok(refs.xml(meta.id)?.endsWith('</nmaprun>'), `reference ${meta.id} has whole XML`);
    }
    const profile = JSON.parse(fs.readFileSync(paths.profile, 'utf8')) as Profile;
    const rules = new Set(profile.expected.map((r) => r.id));
    for (const id of acked.rules) assert.ok(rules.has(id), `acknowledged rule ${id} is in profile.json`);
    if (acked.state >= 0)
      assert.ok(Number(readState(paths).lastRunAt) >= acked.state, 'state.json is whole and current');
  }
  assert.ok(acked.scans.size >= KILLS, `the writers made progress (${acked.scans.size} scans)`);
  t.diagnostic(
    `${acked.scans.size} scans, ${acked.refs.size} references acknowledged; ${tornTails} kills left a torn log line`,
  );
});
