// The change model through host digests (computeChangesLazy, as `portwatch diff --format json` and the
// monitor read scans): the same changes, in the same order, as computeChanges on the whole files, for every
// pair of the corpus and of the project's fixtures, and for the cases digests could get wrong: hosts equal
// but for <times> and their start tag, a host listed twice, OS detection (a whole-scan fact) and coverage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeChanges, computeChangesLazy } from '../src/engine/diff/changes.ts';
import {
  digestScan,
  digestScanInWorker,
  lazyRunOfDigest,
  useDigestedPair,
} from '../src/engine/diff/fast-digest.ts';
import { fastDigest } from '../src/engine/nmap/fast-host-scan.ts';
import { hostKey } from '../src/engine/nmap/hosts.ts';
import { ScanFile } from '../src/engine/nmap/host-digests.ts';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { StreamDigester } from '../src/engine/nmap/stream-digests.ts';
import { changeKey } from '../src/shared/changes.ts';

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.resolve(root, '..', 'shared', 'corpus', 'nmap-test-scans');
const fixtures = path.join(root, 'test', 'fixtures', 'scans');
const xmlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => path.join(dir, f));

/** computeChangesLazy on two files read as digests; `loaded` counts the hosts read in full. */
function lazyChanges(a: string, b: string) {
  const digests = [digestScan(a, 'address'), digestScan(b, 'address')] as const;
  let loaded = 0;
  const changes = useDigestedPair([a, b], [digests[0], digests[1]], (hostsA, hostsB) => {
    const count = (hosts: typeof hostsA) => ({
      digests: hosts.digests,
      loadHost: (i: number) => (loaded++, hosts.loadHost(i)),
    });
    return computeChangesLazy(
      lazyRunOfDigest(digests[0], count(hostsA)),
      lazyRunOfDigest(digests[1], count(hostsB)),
    );
  });
  return { changes, loaded };
}

const fullChanges = (a: string, b: string) => computeChanges(parseNmapXmlFile(a), parseNmapXmlFile(b));

function assertSameAsFull(a: string, b: string) {
  const label = `${path.basename(a)} -> ${path.basename(b)}`;
  assert.deepEqual(lazyChanges(a, b).changes, fullChanges(a, b), label);
}

test('every pair of corpus scans and of fixtures: the same changes as computeChanges on the whole files', () => {
  const corpusFiles = xmlFiles(corpus);
  assert.ok(corpusFiles.length >= 8, `the corpus at ${corpus} has ${corpusFiles.length} scans`);
  for (const a of corpusFiles) for (const b of corpusFiles) assertSameAsFull(a, b);
  const fixtureFiles = xmlFiles(fixtures);
  assert.ok(fixtureFiles.length >= 16, `${fixtures} has ${fixtureFiles.length} scans`);
  for (const a of fixtureFiles) for (const b of fixtureFiles) assertSameAsFull(a, b);
});

test('digests keep hostKey per host and anyOsMatch, alike from the fast pass, the full reader and a worker', async () => {
  for (const file of [...xmlFiles(corpus), ...xmlFiles(fixtures)]) {
    const run = parseNmapXmlFile(file);
    const keys = run.hosts.map((h) => hostKey(h) ?? null);
    const anyOsMatch = run.hosts.some((h) => h.os.length > 0);
    const fast = digestScan(file, 'both');
    assert.deepEqual(fast.addressKeys, keys, file);
    assert.equal(fast.anyOsMatch, anyOsMatch, file);
    assert.deepEqual(fast.keys, digestScan(file, 'ndiff').keys, `${file}: ndiff ids as with 'ndiff'`);
    const scan = ScanFile.open(file);
    try {
      const full = scan.digestFully((h) => hostKey(h) ?? null);
      assert.deepEqual(full.keys, keys, file);
      assert.equal(full.anyOsMatch, anyOsMatch, `${file} (full reader)`);
    } finally {
      scan.close();
    }
  }
  const worker = digestScanInWorker(path.join(corpus, 'os.xml'), 'address');
  const inWorker = await worker.result;
  worker.cancel();
  assert.equal(inWorker.anyOsMatch, true);
  assert.deepEqual(inWorker.keys, []);
  assert.deepEqual(inWorker.addressKeys, ['64.13.134.52']);
});

// ---- synthetic scans -------------------------------------------------------------------------------------

interface HostSpec {
  addr: string;
  ports?: [number, string][];
  os?: string[];
  start?: number;
  srtt?: number;
  state?: string;
}

function hostXml(h: HostSpec): string {
  const start = h.start ?? 1700000000;
  const ports = (h.ports ?? [])
    .map(([p, s]) => `<port protocol="tcp" portid="${p}"><state state="${s}" reason="syn-ack"/></port>`)
    .join('\n');
  const os = h.os
    ? `<os>${h.os.map((n) => (n === '' ? '<osmatch accuracy="90"/>' : `<osmatch name="${n}" accuracy="95"/>`)).join('')}</os>\n`
    : '';
  return (
    `<host starttime="${start}" endtime="${start + 5}"><status state="${h.state ?? 'up'}" reason="syn-ack"/>\n` +
    `<address addr="${h.addr}" addrtype="ipv4"/>\n<hostnames>\n</hostnames>\n` +
    `<ports><extraports state="closed" count="10"/>\n${ports}\n</ports>\n${os}` +
    `<times srtt="${h.srtt ?? 100}" rttvar="50" to="100000"/>\n</host>\n`
  );
}

function scanXml(hosts: HostSpec[], options: { args?: string; services?: string } = {}): string {
  const args = options.args ?? 'nmap -p 1-100';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<nmaprun scanner="nmap" args="${args}" start="1700000000" version="7.93" xmloutputversion="1.05">\n` +
    `<scaninfo type="connect" protocol="tcp" numservices="100" services="${options.services ?? '1-100'}"/>\n` +
    hosts.map(hostXml).join('') +
    `<runstats><finished time="1700000100" elapsed="100" exit="success"/><hosts up="${hosts.length}" down="0" total="${hosts.length}"/></runstats>\n</nmaprun>\n`
  );
}

function withScans(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-changes-lazy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return (xml: string) => {
    const file = path.join(dir, `scan-${n++}.xml`);
    writeFileSync(file, xml);
    return file;
  };
}

test('hosts equal but for <times> and their start tag are not read, whatever else the scans say', (t) => {
  const file = withScans(t);
  const same = { addr: '127.0.9.1', ports: [[22, 'open']] as [number, string][] };
  const a = file(scanXml([same, { addr: '127.0.9.2', ports: [[80, 'open']] }]));
  // Other timings and start tag, another scan's args and coverage (with -O), another host changed.
  const b = file(
    scanXml(
      [
        { ...same, start: 1700009999, srtt: 7 },
        { addr: '127.0.9.2', ports: [[80, 'closed']] },
      ],
      { args: 'nmap -O -p 1-200', services: '1-200' },
    ),
  );
  const { changes, loaded } = lazyChanges(a, b);
  assert.deepEqual(changes, fullChanges(a, b));
  assert.deepEqual(changes.map(changeKey), ['127.0.9.2 80/tcp port-closed']);
  assert.equal(loaded, 2, 'only 127.0.9.2 is read, on both sides');
});

test('a host listed twice: its first answer stands, as in computeChanges', (t) => {
  const file = withScans(t);
  const first = { addr: '127.0.9.3', ports: [[22, 'open']] as [number, string][] };
  const second = { addr: '127.0.9.3', ports: [[80, 'open']] as [number, string][] };
  const a = file(scanXml([first, second]));
  const b = file(scanXml([first]));
  const c = file(scanXml([second, first]));
  assert.deepEqual(lazyChanges(a, b).changes, []);
  assert.deepEqual(fullChanges(a, b), []);
  const swapped = lazyChanges(a, c).changes;
  assert.deepEqual(swapped, fullChanges(a, c));
  assert.deepEqual(swapped.map(changeKey), ['127.0.9.3 22/tcp port-closed', '127.0.9.3 80/tcp port-opened']);
});

test('OS detection is a whole-scan fact: an OS match on a host never read still counts', (t) => {
  const file = withScans(t);
  // 127.0.9.5 (the same on both sides, never read) is why the second scan ran OS detection (no -O in args).
  const steady = { addr: '127.0.9.5', os: ['FreeBSD 13'] };
  const a = file(scanXml([{ addr: '127.0.9.4', os: ['Linux 5.X'] }, steady]));
  const b = file(scanXml([{ addr: '127.0.9.4' }, steady]));
  const { changes, loaded } = lazyChanges(a, b);
  assert.deepEqual(changes, fullChanges(a, b));
  assert.deepEqual(changes.map(changeKey), ['127.0.9.4 os-changed']);
  assert.equal(loaded, 2);
  // Both readers find that match: the byte-level pass (which reads these files) and the full reader.
  for (const [name, scanFile] of [
    ['first', a],
    ['second', b],
  ]) {
    const fd = openSync(scanFile!, 'r');
    try {
      assert.equal(fastDigest(fd, scanFile!, () => null)?.anyOsMatch, true, `${name} scan, fast pass`);
    } finally {
      closeSync(fd);
    }
    const scan = ScanFile.open(scanFile!);
    assert.equal(scan.digestFully(() => null).anyOsMatch, true, `${name} scan, full reader`);
    scan.close();
  }
  // Without that host, the second scan says nothing of OSes: no change. An <osmatch> without a name is no match.
  const c = file(scanXml([{ addr: '127.0.9.4', os: [''] }]));
  assert.equal(digestScan(c, 'address').anyOsMatch, false);
  const alone = file(scanXml([{ addr: '127.0.9.4', os: ['Linux 5.X'] }]));
  assert.deepEqual(lazyChanges(alone, c).changes, []);
  assert.deepEqual(fullChanges(alone, c), []);
});

test("a scan's digests computed as its XML arrives (runNmap's hostDigests) are its file's, however it is cut", () => {
  for (const file of [...xmlFiles(corpus), ...xmlFiles(fixtures)]) {
    const bytes = readFileSync(file);
    const expected = digestScan(file, 'address').digests;
    assert.ok(expected.every((d) => d !== ''));
    for (const size of [1, 7, 64, 4096]) {
      const digester = new StreamDigester();
      for (let at = 0; at < bytes.length; at += size) digester.write(bytes.subarray(at, at + size));
      assert.deepEqual(digester.end(), expected, `${path.basename(file)} in chunks of ${size} bytes`);
    }
  }
  const cut = new StreamDigester();
  cut.write(readFileSync(path.join(corpus, 'random-1.xml')).subarray(0, 50000));
  assert.equal(cut.end(), undefined, 'a cut-off scan has no digests');
});
