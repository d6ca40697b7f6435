// The committed fixtures are whole nmap 7.93 runs, documented, and reproducible: the script remakes the fast
// scenarios from real scans and they show exactly the same changes as the committed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { computeChanges } from '../src/engine/diff/changes.ts';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';

const root = path.resolve(import.meta.dirname, '..');
const scans = path.join(root, 'test', 'fixtures', 'scans');
const SCENARIOS = ['tcp', 'version', 'scripts', 'udp', 'ipv6', 'host-down', 'firewall', 'names'];
/** The scenarios quick enough to remake in the suite (-sV and NSE take a minute). */
const QUICK = ['tcp', 'udp', 'ipv6', 'host-down', 'firewall', 'names'];

test('every scenario has a before and an after file, and nothing else is there but the README', async () => {
  const files = (await readdir(scans)).sort();
  const expected = [...SCENARIOS.flatMap((s) => [`${s}-after.xml`, `${s}-before.xml`]), 'README.md'].sort();
  assert.deepEqual(files, expected);
});

test('every fixture is a complete, successful nmap 7.93 run on our own addresses only', async () => {
  for (const scenario of SCENARIOS) {
    for (const side of ['before', 'after']) {
      const xml = await readFile(path.join(scans, `${scenario}-${side}.xml`), 'utf8');
      const where = `${scenario}-${side}`;
      assert.match(xml, /<nmaprun scanner="nmap" [^>]*version="7\.93"/, where);
      assert.match(xml, /<finished [^>]*exit="success"/, where);
      assert.match(xml, /<\/nmaprun>\s*$/, where);
      for (const [, addr, type] of xml.matchAll(/<address addr="([^"]+)" addrtype="(ipv4|ipv6)"/g)) {
        const ours = type === 'ipv6' ? addr === '::1' : /^127\.0\.12\.\d+$|^10\.123\.0\.\d+$/.test(addr!);
        assert.ok(ours, `${where} scans ${addr}, outside 127.0.12.0/24, ::1 and the lab's 10.123.0.0/24`);
      }
    }
  }
});

test('the README describes every scenario', async () => {
  const readme = await readFile(path.join(scans, 'README.md'), 'utf8');
  for (const scenario of SCENARIOS) assert.match(readme, new RegExp(`\\| \`${scenario}\` \\|`), scenario);
});

function makeFixtures(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(root, 'scripts', 'make-fixtures.ts'), ...args],
      (error, stdout, stderr) =>
        error ? reject(new Error(`make-fixtures failed: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

test(
  'make-fixtures remakes the quick scenarios from real scans, with the same changes as the committed files',
  { skip: process.getuid?.() !== 0 ? 'needs root (SYN/UDP scans and network namespaces), as in CI' : false },
  async (t) => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'pw-fixtures-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    const stdout = await makeFixtures(['--out', out, ...QUICK]);
    assert.match(stdout, new RegExp(`wrote ${QUICK.length * 2} files`));
    for (const scenario of QUICK) {
      const changesIn = (dir: string) =>
        computeChanges(
          parseNmapXmlFile(path.join(dir, `${scenario}-before.xml`)),
          parseNmapXmlFile(path.join(dir, `${scenario}-after.xml`)),
        );
      assert.deepEqual(changesIn(out), changesIn(scans), scenario);
    }
  },
);

test(
  'make-fixtures names an unknown scenario and the known ones',
  { skip: process.getuid?.() !== 0 },
  async () => {
    await assert.rejects(
      makeFixtures(['--out', os.tmpdir(), 'nope']),
      /no scenario nope; known: tcp, version/,
    );
  },
);
