// A host read again through the WebAssembly check's tokens (src/engine/nmap/checked-host-reader.ts) is the
// host the full tokenizer reads from the same bytes, field for field; bytes the check does not accept
// (damaged, outside its subset, not ASCII) are left to the full tokenizer, which reads or refuses them.
// Checked on every host of nmap's corpus and of the project's real scans, on hosts damaged at seeded random
// places, and on a host written to hold what the decoder must rewrite (references, tabs and line ends).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NmapXmlParser } from '../src/engine/nmap/parse.ts';
import type { Host } from '../src/shared/scan.ts';

const corpus = path.resolve(import.meta.dirname, '../../shared/corpus/nmap-test-scans');
const fixtures = path.resolve(import.meta.dirname, 'fixtures/scans');
const scans = [
  ...readdirSync(corpus).map((f) => path.join(corpus, f)),
  ...readdirSync(fixtures).map((f) => path.join(fixtures, f)),
].filter((f) => f.endsWith('.xml'));

const OPEN = Buffer.from('<nmaprun>');

/** The host elements of a scan, as byte strings (each from '<host' to its '</host>'). */
function hostsOf(file: string): Buffer[] {
  const bytes = readFileSync(file);
  const hosts: Buffer[] = [];
  for (let at = bytes.indexOf('<host'); at !== -1; at = bytes.indexOf('<host', at + 1)) {
    if (bytes[at + 5] !== 0x20 && bytes[at + 5] !== 0x3e) continue; // <hostnames>, <hosthint>
    const end = bytes.indexOf('</host>', at);
    if (end === -1) break;
    hosts.push(bytes.subarray(at, end + 7));
  }
  return hosts;
}

/** The full tokenizer's reading of one host's bytes; null when it refuses them. */
function full(bytes: Buffer): Host[] | null {
  const parser = new NmapXmlParser({ source: 'host.xml' });
  try {
    parser.write(OPEN);
    parser.write(bytes);
    return parser.takeHosts();
  } catch {
    return null;
  }
}

/**
 * The checked reading; null when the check leaves the bytes to the full tokenizer; 'refused' when the reader
 * refuses what the check took (a value nmap never writes, say): ScanFile.readHost reports that.
 */
function checked(bytes: Buffer): Host[] | null | 'refused' {
  const parser = new NmapXmlParser({ source: 'host.xml' });
  parser.write(OPEN);
  try {
    return parser.readCheckedHost(bytes) ? parser.takeHosts() : null;
  } catch {
    return 'refused';
  }
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('every host of the corpus and of real scans reads the same through the check', () => {
  let hosts = 0;
  let viaCheck = 0;
  for (const file of scans) {
    for (const bytes of hostsOf(file)) {
      const expected = full(bytes);
      assert.ok(expected, `${path.basename(file)}: the full tokenizer reads its hosts`);
      const got = checked(bytes);
      assert.notEqual(got, 'refused');
      hosts++;
      if (got === null) continue;
      viaCheck++;
      assert.deepEqual(got, expected, `${path.basename(file)}: host at ${bytes.subarray(0, 60)}`);
    }
  }
  assert.ok(hosts > 100, `only ${hosts} hosts`);
  // nmap's own output is within the subset: nearly every host takes the checked path.
  assert.ok(viaCheck >= hosts * 0.9, `${viaCheck} of ${hosts} hosts read through the check`);
});

test('what the decoder rewrites: references, tabs and line ends in values, CR in text, the other quote', () => {
  const host = Buffer.from(
    '<host starttime="1" endtime="2"><status state="up" reason="syn-ack" reason_ttl="0"/>\n' +
      '<address addr="127.0.0.1" addrtype="ipv4"/>\n' +
      '<hostnames><hostname name="a&amp;b\tc" type="user"/></hostnames>\n' +
      '<ports><port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/>' +
      `<service name="ssh" product='say "hi"' extrainfo="line1\r\nline2\nx&#x9;y&lt;z" method="probed" conf="10">` +
      '<cpe>cpe:/a:x\r\ny&amp;z\rw</cpe></service>' +
      '<script id="banner" output="a&#xa;b&quot;c"><elem key="k">v&gt;w</elem></script></port>\n' +
      '</ports>\n<times srtt="1" rttvar="2" to="3"/>\n</host>',
  );
  const expected = full(host);
  assert.ok(expected);
  const got = checked(host);
  assert.ok(got && got !== 'refused', 'within the subset: read through the check');
  assert.deepEqual(got, expected);
  const service = got[0]!.ports[0]!.service!;
  assert.equal(service.product, 'say "hi"');
  assert.equal(service.extrainfo, 'line1 line2 x\ty<z');
  assert.deepEqual(service.cpe, ['cpe:/a:x\ny&z\nw']);
  assert.equal(got[0]!.hostnames[0]!.name, 'a&b c');
});

test('a host the check does not take is left to the full tokenizer', () => {
  const host = hostsOf(path.join(corpus, 'simple.xml'))[0]!;
  const at = host.indexOf('<address');
  const outside = [
    '<!-- a comment -->', // inside a host: the full reader's job
    '<x a = "1"/>', // spaces around '='
    '<x a="é"/>', // not ASCII
    '<![CDATA[x]]>',
    '<x>' + '<y a="b"/>'.repeat(20_000) + '</x>', // more tokens than the check keeps (65,536 words)
  ];
  for (const piece of outside) {
    const bytes = Buffer.concat([host.subarray(0, at), Buffer.from(piece), host.subarray(at)]);
    assert.ok(full(bytes), `${piece.slice(0, 20)}: the full tokenizer reads it`);
    assert.equal(checked(bytes), null, `${piece.slice(0, 20)}: left to the full tokenizer`);
  }
});

test('a small host, then one of 200 kB (the memory of the check grows): read as the full tokenizer reads them', () => {
  const host = hostsOf(path.join(corpus, 'simple.xml'))[0]!;
  const at = host.indexOf('<address');
  const big = Buffer.concat([
    host.subarray(0, at),
    Buffer.from('<x>' + ' '.repeat(200_000) + '<y a="b"/></x>'),
    host.subarray(at),
  ]);
  const parser = new NmapXmlParser({ source: 'host.xml' });
  parser.write(OPEN);
  assert.ok(parser.readCheckedHost(host));
  assert.ok(parser.readCheckedHost(big));
  assert.deepEqual(parser.takeHosts(), [...full(host)!, ...full(big)!]);
});

test('damaged hosts: read through the check only as the full tokenizer reads them', () => {
  const damage = ['<', '>', '&', '"', "'", '/', '=', ' ', '\x01', '\x00', '&#0;', '&bogus;', 'a', '\r', '\t'];
  let cases = 0;
  let viaCheck = 0;
  for (const file of scans) {
    const random = seeded(file.length * 7919);
    for (const host of hostsOf(file).slice(0, 8)) {
      for (let k = 0; k < 40; k++) {
        const at = Math.floor(random() * host.length);
        const piece = Buffer.from(damage[Math.floor(random() * damage.length)]!, 'latin1');
        const replace = random() < 0.5 ? 1 : 0;
        const bytes = Buffer.concat([host.subarray(0, at), piece, host.subarray(at + replace)]);
        const got = checked(bytes);
        cases++;
        if (got === null) continue;
        viaCheck++;
        // Refused either way, or read the same.
        assert.deepEqual(
          got,
          full(bytes) ?? 'refused',
          `${path.basename(file)} with ${JSON.stringify(String(piece))} at ${at}`,
        );
      }
    }
  }
  assert.ok(cases > 1000 && viaCheck > 200, `${viaCheck} of ${cases} damaged hosts read through the check`);
});
