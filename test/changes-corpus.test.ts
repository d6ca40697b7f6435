// The change model on nmap's own ndiff test scans (../shared/corpus/nmap-test-scans, from the project root):
// old XML (nmap 4.90, no extrareasons port lists), OS matches, host scripts, a down host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { computeChanges, sortChanges } from '../src/engine/diff/changes.ts';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { changeKey } from '../src/shared/changes.ts';

const corpus = path.resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'nmap-test-scans');
const read = (name: string) => parseNmapXmlFile(path.join(corpus, name));

test('simple -> complex: ports the reference did not scan opened "from unscanned"; -sV and scripts appear', () => {
  // simple.xml scanned 22,113/tcp only; complex.xml scanned 1-100 TCP and UDP, with -sV and scripts.
  const changes = computeChanges(read('simple.xml'), read('complex.xml'));
  assert.deepEqual(changes.map(changeKey), [
    '64.13.134.52 script-changed whois',
    '64.13.134.52 22/tcp script-changed ssh-hostkey',
    '64.13.134.52 22/tcp service-changed',
    '64.13.134.52 53/tcp port-opened',
    '64.13.134.52 53/udp port-opened',
    '64.13.134.52 80/tcp port-opened',
  ]);
  for (const change of changes.filter((c) => c.kind === 'port-opened')) {
    assert.deepEqual(change.before, { state: 'unscanned' }, changeKey(change));
  }
  // 113/tcp was closed in simple.xml and is outside complex.xml's 1-100: not a change at all.
  assert.equal(changes.filter((c) => 'port' in c && c.port === 113).length, 0);
  assert.deepEqual(changes[2]!.after, {
    state: 'open',
    service: { name: 'ssh', product: 'OpenSSH', version: '4.3', extrainfo: 'protocol 2.0' },
  });
});

test('complex -> simple: nothing is closed, since simple.xml covered only 22 and 113', () => {
  const changes = computeChanges(read('complex.xml'), read('simple.xml'));
  assert.deepEqual(changes.map(changeKey), [
    '64.13.134.52 script-changed whois',
    '64.13.134.52 22/tcp script-changed ssh-hostkey',
    '64.13.134.52 22/tcp service-changed',
  ]);
});

test('single -> down: the host is gone, one change', () => {
  assert.deepEqual(computeChanges(read('single.xml'), read('down.xml')).map(changeKey), [
    '64.13.134.52 host-removed',
  ]);
});

test('every pair of corpus scans: no throw, nothing against itself, and in the documented order', () => {
  const files = readdirSync(corpus).filter((f) => f.endsWith('.xml'));
  assert.ok(files.length >= 8, `the corpus at ${corpus} has ${files.length} scans`);
  const runs = files.map((f) => [f, read(f)] as const);
  for (const [nameA, a] of runs) {
    assert.deepEqual(computeChanges(a, a), [], `${nameA} against itself`);
    for (const [nameB, b] of runs) {
      const changes = computeChanges(a, b);
      assert.deepEqual(sortChanges([...changes].reverse()), changes, `${nameA} -> ${nameB}`);
      assert.equal(
        new Set(changes.map(changeKey)).size,
        changes.length,
        `${nameA} -> ${nameB}: one change per key`,
      );
    }
  }
});
