// The reader on nmap's own ndiff test scans: real content asserted, and every file read exactly as ndiff's
// own reader (NmapContentHandler in ndiff.py, run here with python3) reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseNmapXml, parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import type { NmapRun, ScriptResult } from '../src/shared/scan.ts';

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.resolve(root, '../shared/corpus/nmap-test-scans');
const file = (name: string) => path.join(corpus, name);
const files = readdirSync(corpus)
  .filter((f) => f.endsWith('.xml'))
  .sort();

test('the corpus is there (all eight of nmap ndiff test scans)', () => {
  assert.deepEqual(files, [
    'complex.xml',
    'down.xml',
    'empty.xml',
    'os.xml',
    'random-1.xml',
    'random-2.xml',
    'simple.xml',
    'single.xml',
  ]);
});

test('complex.xml: scaninfo, host, ports, services, scripts, OS, run stats', () => {
  const run = parseNmapXmlFile(file('complex.xml'));
  assert.equal(run.scanner, 'nmap');
  assert.equal(run.version, '4.90RC2');
  assert.equal(run.xmlOutputVersion, '1.03');
  assert.equal(run.start, 1247269633);
  assert.equal(run.startstr, 'Fri Jul 10 17:47:13 2009');
  // &#45; is a character reference: decoded.
  assert.match(run.args!, / --script=default,whois --version-light /);
  assert.deepEqual(run.scanInfo, [
    { type: 'syn', protocol: 'tcp', numservices: 100, services: '1-100' },
    { type: 'udp', protocol: 'udp', numservices: 100, services: '1-100' },
  ]);
  assert.equal(run.hosts.length, 1);
  const host = run.hosts[0]!;
  assert.equal(host.status?.state, 'up');
  assert.equal(host.status?.reason, 'echo-reply');
  assert.equal(host.startTime, 1247269633);
  assert.equal(host.endTime, 1247269755);
  assert.equal(host.timedOut, false);
  assert.deepEqual(host.addresses, [{ addr: '64.13.134.52', addrtype: 'ipv4', vendor: undefined }]);
  assert.deepEqual(host.hostnames, [{ name: 'scanme.nmap.org', type: 'PTR' }]);
  assert.deepEqual(
    host.extraPorts.map((e) => [e.state, e.count, e.reasons.map((r) => `${r.reason}:${r.count}`)]),
    [
      ['open|filtered', 99, ['no-responses:99']],
      ['filtered', 95, ['no-responses:95']],
    ],
  );
  assert.deepEqual(
    host.ports.map((p) => `${p.portid}/${p.protocol} ${p.state?.state} ${p.service?.name}`),
    [
      '22/tcp open ssh',
      '25/tcp closed smtp',
      '53/tcp open domain',
      '70/tcp closed gopher',
      '80/tcp open http',
      '53/udp open domain',
    ],
  );
  const ssh = host.ports[0]!;
  assert.deepEqual(ssh.state, { state: 'open', reason: 'syn-ack', reasonTtl: 52 });
  assert.equal(ssh.service?.product, 'OpenSSH');
  assert.equal(ssh.service?.version, '4.3');
  assert.equal(ssh.service?.extrainfo, 'protocol 2.0');
  assert.equal(ssh.service?.method, 'probed');
  assert.equal(ssh.service?.conf, 10);
  assert.equal(ssh.service?.tunnel, undefined);
  assert.equal(ssh.scripts.length, 1);
  assert.equal(ssh.scripts[0]!.id, 'ssh-hostkey');
  // &#xa; in an attribute is a real newline (a literal newline would have become a space).
  assert.equal(ssh.scripts[0]!.output.split('\n').length, 2);
  assert.match(ssh.scripts[0]!.output, /^1024 03:5f:d3.*\(DSA\)\n2048 fa:af.*\(RSA\)$/);
  assert.deepEqual(host.ports[4]!.scripts, [{ id: 'html-title', output: 'Go ahead and ScanMe!' }]);
  assert.equal(host.hostScripts.length, 1);
  assert.equal(host.hostScripts[0]!.id, 'whois');
  assert.match(host.hostScripts[0]!.output, /^Record found at whois\.arin\.net\nnetrange: 64\.13\.134\.0/);
  assert.deepEqual(
    host.os.map((o) => [o.name, o.accuracy, o.line]),
    [['Linux 2.6.9 - 2.6.24', 100, 21905]],
  );
  assert.deepEqual(run.finished, {
    time: 1247269755,
    timestr: 'Fri Jul 10 17:49:15 2009',
    elapsed: 122.97,
    summary: undefined,
    exit: undefined,
    errormsg: undefined,
  });
  assert.deepEqual(run.hostCounts, { up: 1, down: 0, total: 1 });
  assert.deepEqual(run.completeness, { status: 'complete' });
  assert.deepEqual(run.preScripts, []);
  assert.deepEqual(run.postScripts, []);
});

test('down.xml and empty.xml: no hosts listed, counts from runstats, still complete', () => {
  const down = parseNmapXmlFile(file('down.xml'));
  assert.equal(down.hosts.length, 0);
  assert.deepEqual(down.hostCounts, { up: 0, down: 1, total: 1 });
  assert.equal(down.finished?.elapsed, 2.33);
  assert.equal(down.completeness.status, 'complete');
  const empty = parseNmapXmlFile(file('empty.xml'));
  assert.equal(empty.hosts.length, 0);
  assert.deepEqual(empty.hostCounts, { up: 0, down: 0, total: 0 });
  assert.equal(empty.args, 'nmap -oX empty.xml -p 1-100');
  assert.equal(empty.completeness.status, 'complete');
});

test('os.xml, simple.xml, single.xml: ports, extraports and OS of scanme.nmap.org', () => {
  const os = parseNmapXmlFile(file('os.xml'));
  assert.deepEqual(
    os.hosts[0]!.ports.map((p) => [
      p.portid,
      p.state?.state,
      p.service?.name,
      p.service?.method,
      p.service?.conf,
    ]),
    [
      [22, 'open', 'ssh', 'table', 3],
      [113, 'closed', 'auth', 'table', 3],
    ],
  );
  assert.deepEqual(
    os.hosts[0]!.os.map((o) => o.name),
    ['Linux 2.6.9 - 2.6.24'],
  );
  const simple = parseNmapXmlFile(file('simple.xml'));
  assert.deepEqual(simple.hosts[0]!.extraPorts, []);
  assert.deepEqual(simple.hosts[0]!.os, []);
  assert.deepEqual(simple.scanInfo, [{ type: 'syn', protocol: 'tcp', numservices: 2, services: '22,113' }]);
  const single = parseNmapXmlFile(file('single.xml'));
  assert.deepEqual(
    single.hosts[0]!.extraPorts.map((e) => [e.state, e.count]),
    [['filtered', 95]],
  );
  assert.deepEqual(
    single.hosts[0]!.ports.map((p) => p.portid),
    [22, 25, 53, 70, 80],
  );
});

test('random-1.xml and random-2.xml: many hosts, OS matches, MAC-less IPv4 addresses', () => {
  const a = parseNmapXmlFile(file('random-1.xml'));
  const b = parseNmapXmlFile(file('random-2.xml'));
  assert.equal(a.hosts.length, 55);
  assert.equal(b.hosts.length, 61);
  assert.equal(a.version, '4.85BETA4');
  assert.equal(a.scanInfo[0]!.numservices, 1000);
  assert.equal(a.hosts[0]!.addresses[0]!.addr, '10.119.131.50');
  const busy = a.hosts.find((h) => h.addresses[0]!.addr === '10.89.230.125')!;
  assert.equal(busy.ports.length, 32);
  assert.equal(busy.os.length, 10);
  assert.ok(busy.os.every((o) => o.name.length > 0 && typeof o.accuracy === 'number'));
  assert.ok(a.hosts.every((h) => h.addresses.every((x) => x.addrtype === 'ipv4')));
  const services = new Set(a.hosts.flatMap((h) => h.ports.map((p) => p.service?.name)));
  for (const name of ['ssh', 'http', 'domain']) assert.ok(services.has(name), `service ${name} seen`);
  assert.equal(a.completeness.status, 'complete');
});

/** Our model, projected onto what ndiff's reader keeps (and in its shapes: dicts, dedup, sorted scripts). */
function asNdiffReads(run: NmapRun): unknown {
  const scripts = (list: ScriptResult[]) =>
    list.map((s) => [s.id, s.output]).sort((x, y) => (x.join('\0') < y.join('\0') ? -1 : 1));
  const typeName = { ipv4: 'IPv4Address', ipv6: 'IPv6Address', mac: 'MACAddress' };
  return {
    scanner: run.scanner ?? null,
    args: run.args ?? null,
    version: run.version ?? null,
    pre: scripts(run.preScripts),
    post: scripts(run.postScripts),
    hosts: run.hosts.map((h) => {
      const ports = new Map<string, unknown[]>();
      for (const p of h.ports) {
        if (!p.state) continue; // ndiff adds a port when its <state> has a state
        const s = p.service;
        ports.set(`${p.portid}/${p.protocol}`, [
          p.portid,
          p.protocol,
          p.state.state,
          s?.name ?? null,
          s?.product ?? null,
          s?.version ?? null,
          s?.extrainfo ?? null,
          s?.tunnel ?? null,
          scripts(p.scripts),
        ]);
      }
      const extra = new Map<string, number>();
      for (const e of h.extraPorts) extra.set(e.state ?? 'null', e.count);
      return {
        state: h.status?.state ?? null,
        addresses: [...new Map(h.addresses.map((a) => [a.addr, [typeName[a.addrtype], a.addr]])).values()],
        hostnames: [...new Set(h.hostnames.map((n) => n.name))],
        ports: [...ports.values()],
        extraports: [...extra],
        os: h.os.map((o) => o.name),
        scripts: scripts(h.hostScripts),
      };
    }),
  };
}

const DUMP = String.raw`
import sys, json
sys.path.insert(0, '/usr/lib/python3/dist-packages')
import ndiff
sr = lambda l: sorted([s.id, s.output] for s in l)
def reads(name):
  scan = ndiff.Scan()
  scan.load_from_file(name)
  return {
  'scanner': scan.scanner, 'args': scan.args, 'version': scan.version,
  'pre': sr(scan.pre_script_results), 'post': sr(scan.post_script_results),
  'hosts': [{
    'state': h.state, 'addresses': [[type(a).__name__, a.s] for a in h.addresses], 'hostnames': h.hostnames,
    'ports': [[p.spec[0], p.spec[1], p.state, p.service.name, p.service.product, p.service.version,
               p.service.extrainfo, p.service.tunnel, sr(p.script_results)] for p in h.ports.values()],
    'extraports': [[k if k is not None else 'null', v] for k, v in h.extraports.items()],
    'os': h.os, 'scripts': sr(h.script_results)} for h in scan.hosts]}
print(json.dumps([reads(name) for name in sys.argv[1:]]))
`;

/** What ndiff 7.93's own reader makes of each file (one python3 run for all). */
function ndiffReads(xmlFiles: string[]): unknown[] {
  return JSON.parse(
    execFileSync('python3', ['-c', DUMP, ...xmlFiles], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  );
}

test("every corpus file is read exactly as ndiff's own reader (ndiff.py) reads it", () => {
  const expected = ndiffReads(files.map(file));
  files.forEach((name, i) => {
    assert.deepEqual(asNdiffReads(parseNmapXmlFile(file(name))), expected[i], name);
  });
});

test('every corpus file gives the same model from a string, from bytes and from the file', () => {
  for (const name of files) {
    const bytes = readFileSync(file(name));
    const fromFile = parseNmapXmlFile(file(name));
    assert.deepEqual(parseNmapXml(bytes), fromFile, name);
    assert.deepEqual(parseNmapXml(bytes.toString('utf8')), fromFile, name);
  }
});
