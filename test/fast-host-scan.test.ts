// The byte-level pass (src/engine/nmap/fast-host-scan.ts) only ever accepts what the full reader accepts,
// with the same ids, digests and byte ranges; on anything else it gives up (null) and the full reader
// decides. Checked on the corpus, on every corpus file damaged at seeded random places, cut short, and on a
// file large enough that hosts straddle the pass's 1 MiB reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ndiffHostId } from '../src/engine/diff/ndiff/scan-view.ts';
import { fastDigest, fastDigestPart } from '../src/engine/nmap/fast-host-scan.ts';
import { ScanFile } from '../src/engine/nmap/host-digests.ts';
import { NmapXmlError } from '../src/engine/nmap/parse.ts';
import { scanXml } from './support/scan-xml.ts';

const corpus = path.resolve(import.meta.dirname, '../../shared/corpus/nmap-test-scans');
const files = readdirSync(corpus)
  .filter((f) => f.endsWith('.xml'))
  .sort();
const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-fast-scan-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * The fast pass's result (null: gave up) and the full reader's (null: refused), for these bytes. The fast pass
 * runs twice, with the ids from ndiffHostId and as the check writes them (ndiffIds): the same, always.
 */
function both(bytes: Uint8Array, name = 'scan.xml') {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const fd = openSync(file, 'r');
  let fast;
  try {
    fast = fastDigest(fd, file, ndiffHostId);
    assert.deepEqual(fastDigest(fd, file, ndiffHostId, true), fast, `${name}: ids written by the check`);
  } finally {
    closeSync(fd);
  }
  const scan = ScanFile.open(file);
  let full;
  try {
    full = scan.digestFully(ndiffHostId);
  } catch (error) {
    if (!(error instanceof NmapXmlError)) throw error;
    full = null;
  } finally {
    scan.closeQuietly();
  }
  const strip = (d: typeof full) =>
    d && { run: d.run, keys: d.keys, digests: d.digests, byteStarts: d.byteStarts, byteEnds: d.byteEnds };
  return { fast: strip(fast as never), full: strip(full) };
}

test('corpus: the fast pass reads every scan as the full reader does', () => {
  let accepted = 0;
  for (const name of files) {
    const { fast, full } = both(readFileSync(path.join(corpus, name)));
    assert.ok(full, name);
    if (fast === null) continue;
    accepted++;
    assert.deepEqual(fast, full, name);
  }
  // The point of the pass: nmap's own output is within its subset.
  assert.ok(
    accepted >= files.length - 1,
    `only ${accepted} of ${files.length} corpus files took the fast pass`,
  );
});

test('damaged scans: the fast pass gives up, or accepts exactly what the full reader accepts', () => {
  const damage = [
    '<',
    '>',
    '&',
    '"',
    "'",
    '/',
    '=',
    ' ',
    '\x01',
    '\x00',
    '\xff',
    '&#0;',
    '&bogus;',
    'a',
    '\n',
  ];
  let cases = 0;
  for (const name of files) {
    const original = readFileSync(path.join(corpus, name));
    const first = original.indexOf('<host');
    const last = original.lastIndexOf('</host>');
    if (first < 0) continue;
    const random = seeded(name.length * 7919);
    for (let k = 0; k < 120; k++) {
      const at = first + Math.floor(random() * (last + 7 - first));
      const piece = Buffer.from(damage[Math.floor(random() * damage.length)]!, 'latin1');
      const replace = random() < 0.5 ? 1 : 0;
      const bytes = Buffer.concat([original.subarray(0, at), piece, original.subarray(at + replace)]);
      const { fast, full } = both(bytes);
      const what = `${name} with ${JSON.stringify(piece.toString('latin1'))} at ${at}`;
      if (fast !== null)
        assert.deepEqual(fast, full, `${what}: accepted, so it must be what the full reader reads`);
      cases++;
    }
  }
  assert.ok(cases > 500);
});

test('cut scans: the fast pass never accepts a file that stops early', () => {
  for (const name of files) {
    const original = readFileSync(path.join(corpus, name));
    const end = original.lastIndexOf('</nmaprun>');
    const random = seeded(name.length * 104729);
    for (let k = 0; k < 60; k++) {
      const cut = Math.floor(random() * (end + 9));
      assert.equal(both(original.subarray(0, cut)).fast, null, `${name} cut at ${cut}`);
    }
  }
});

test('a scan of several MiB: hosts across the 1 MiB reads have the same ids and digests', () => {
  const original = readFileSync(path.join(corpus, 'complex.xml'), 'latin1');
  const start = original.indexOf('<host');
  const end = original.lastIndexOf('</host>') + '</host>\n'.length;
  const hosts = original.slice(start, end);
  const copies: string[] = [];
  for (let i = 0; copies.length * hosts.length < 3.5 * 1024 * 1024; i++)
    copies.push(hosts.replace(/addr="([0-9.]+)"/g, (_, a: string) => `addr="${a}${i % 7}"`));
  const bytes = Buffer.from(original.slice(0, start) + copies.join('') + original.slice(end), 'latin1');
  const { fast, full } = both(bytes, 'big.xml');
  assert.ok(fast, 'the big scan took the fast pass');
  assert.deepEqual(fast, full);
});

test('what the full reader refuses in a host, the fast pass leaves to it', () => {
  const original = readFileSync(path.join(corpus, 'simple.xml'), 'latin1');
  const at = original.indexOf('<address ');
  const bad = [
    '<x a="&#x0000000041;"/>', // a reference longer than the full reader takes
    '<x a="1" a="2"/>', // a duplicate attribute
    '<x a="<"/>', // '<' in a value
    '<x a="\x01"/>', // a control character
    '<x><y></x></y>', // tags that do not match
    '<x a="&nbsp;"/>', // an undefined entity
    '<x>&#0;</x>', // a character XML does not allow
  ];
  for (const piece of bad) {
    const { fast, full } = both(Buffer.from(original.slice(0, at) + piece + original.slice(at), 'latin1'));
    assert.equal(full, null, `${JSON.stringify(piece)}: the full reader refuses it`);
    assert.equal(fast, null, `${JSON.stringify(piece)}: the fast pass must not accept it`);
  }
  // Within the subset, a host with an unknown element is still read by the fast pass, as the full reader reads it.
  const { fast, full } = both(
    Buffer.from(original.slice(0, at) + '<x a="&amp;b"/>' + original.slice(at), 'latin1'),
  );
  assert.ok(fast);
  assert.deepEqual(fast, full);
});

test('at its limits: a host larger than the read buffer, deep nesting, many attributes or host names', () => {
  const original = readFileSync(path.join(corpus, 'simple.xml'), 'latin1');
  const at = original.indexOf('<address ');
  const withInHost = (piece: string) =>
    both(Buffer.from(original.slice(0, at) + piece + original.slice(at), 'latin1'));
  // 3 MiB in one host: the pass's buffer (in the check's WebAssembly memory) grows, and what it held stays.
  const big = withInHost('<x>' + '<y a="b"/>\n'.repeat(300_000) + '</x>');
  assert.ok(big.fast, 'a 3 MiB host took the fast pass');
  assert.deepEqual(big.fast, big.full);
  // Beyond what the check takes (64 levels, 64 attributes, 320 tags a host's id needs): it gives up, and the
  // full reader reads the file (never a different answer).
  const limits = [
    '<x>'.repeat(70) + '</x>'.repeat(70),
    '<x ' + Array.from({ length: 70 }, (_, i) => `a${i}="1"`).join(' ') + '/>',
    '<hostnames>' + '<hostname name="h" type="PTR"/>'.repeat(330) + '</hostnames>',
  ];
  for (const piece of limits) {
    const { fast, full } = withInHost(piece);
    assert.ok(full, `${piece.slice(0, 20)}...: the full reader reads it`);
    if (fast !== null) assert.deepEqual(fast, full);
  }
  // Just within: 60 levels and 60 attributes take the fast pass.
  for (const piece of [
    '<x>'.repeat(60) + '</x>'.repeat(60),
    '<x ' + Array.from({ length: 60 }, (_, i) => `a${i}="1"`).join(' ') + '/>',
  ]) {
    const { fast, full } = withInHost(piece);
    assert.ok(fast, `${piece.slice(0, 20)}...: within the fast pass's limits`);
    assert.deepEqual(fast, full);
  }
});

test('ndiff ids written by the check: the smallest address and host name, as ndiffHostId has them', () => {
  const original = readFileSync(path.join(corpus, 'simple.xml'), 'latin1');
  const start = original.indexOf('<host');
  const end = original.lastIndexOf('</host>') + '</host>'.length;
  const host = (inside: string) => `<host><status state="up"/>${inside}</host>\n`;
  const hosts = [
    // The smallest address by type (IPv4, IPv6, MAC), then by its text; the first of equal ones.
    '<address addr="00:11:22:33:44:55" addrtype="mac"/><address addr="10.0.0.9"/><address addr="10.0.0.10" addrtype="ipv4"/>',
    '<address addr="fe80::1" addrtype="ipv6"/><address addr="00:11:22:33:44:56" addrtype="mac"/>',
    '<address addr="10.0.0.1"/><address addr="10.0.0.1" addrtype="ipv4"/>',
    // Host names: the smallest; with no address, 40 spaces before it; a name longer than the padding.
    '<hostnames><hostname name="b.example" type="PTR"/><hostname name="a.example" type="user"/></hostnames>',
    '<address addr="10.0.0.2"/><hostnames><hostname name="x"/><hostname name="xa"/></hostnames>',
    `<address addr="${'a'.repeat(45)}" addrtype="ipv6"/><hostnames><hostname name="n"/></hostnames>`,
    // No id at all; an address without addr; a name without a value.
    '<hostnames><hostname type="PTR"/></hostnames>',
    '<address addrtype="ipv4"/><address addr="10.0.0.3" vendor="V"/>',
    // Left to ndiffHostId: text past ASCII, references, line ends.
    '<address addr="10.0.0.4"/><hostnames><hostname name="h\u00e9.example"/></hostnames>',
    '<address addr="10.0.0.5"/><hostnames><hostname name="h" type="\u00e9"/></hostnames>',
  ].map(host);
  const withRefs = [
    '<address addr="10.0.0.6"/><hostnames><hostname name="a&amp;b"/></hostnames>',
    '<address addr="10.0.0.7" addrtype="other"/>',
  ].map(host);
  const scan = (inside: string[]) =>
    Buffer.from(original.slice(0, start) + inside.join('') + original.slice(end), 'utf8');
  const { fast, full } = both(scan(hosts), 'ids.xml');
  assert.ok(fast, 'these hosts take the fast pass');
  assert.deepEqual(fast, full);
  assert.deepEqual(fast.keys.slice(0, 3), [
    '10.0.0.10'.padEnd(40),
    'fe80::1'.padEnd(40),
    '10.0.0.1'.padEnd(40),
  ]);
  assert.equal(fast.keys[3], ' '.repeat(40) + 'a.example');
  assert.equal(fast.keys[5], 'a'.repeat(45) + 'n');
  assert.equal(fast.keys[6], null);
  // Values the pass leaves to the full reader (a reference in an id; an addrtype it refuses): with the ids
  // written by the check as without them (both() compares), never a different answer.
  for (const inside of withRefs) {
    const { fast: other, full: fullOther } = both(scan([inside]), 'ids-other.xml');
    assert.equal(other, null, `${inside}: left to the full reader`);
    assert.equal(fullOther === null, inside.includes('other'), `${inside}: the full reader's answer`);
  }
});

test('hosts checked many at a time stop where one at a time would: a head at its boundary, a <times> with content', () => {
  // A head of a file of 200 hosts (every 7th with an id past ASCII, which the check leaves to TypeScript),
  // stopping at host 137's line: asked there first, and exactly there.
  const file = path.join(dir, 'head.xml');
  const text = scanXml(200, 0, new Set([5, 50]));
  writeFileSync(file, text);
  let line = -1;
  for (let i = 0; i <= 137; i++) line = text.indexOf('\n<host ', line + 1);
  const boundary = Buffer.byteLength(text.slice(0, line + 1));
  const asked: [number, boolean, number][] = [];
  const fd = openSync(file, 'r');
  let part;
  try {
    part = fastDigestPart(fd, file, ndiffHostId, {
      ndiffIds: true,
      hash: false,
      boundaries: {
        at: [boundary],
        stopHere: (index, exact, hosts) => {
          asked.push([index, exact, hosts]);
          return true;
        },
      },
    });
  } finally {
    closeSync(fd);
  }
  assert.ok(part);
  assert.deepEqual(asked, [[0, true, 137]]);
  assert.equal(part.stoppedAt, boundary);
  assert.equal(part.keys.length, 137);
  assert.equal(part.byteEnds.at(-1), boundary - 1);
  // A <times> with content is the full reader's (it looks for a later one): the pass gives up on the file.
  const original = readFileSync(path.join(corpus, 'simple.xml'), 'latin1');
  const times = original.replace(/<times ([^>]*)\/>/, '<times $1></times>');
  assert.notEqual(times, original);
  const { fast, full } = both(Buffer.from(times, 'latin1'), 'times.xml');
  assert.ok(full);
  assert.equal(fast, null);
});
