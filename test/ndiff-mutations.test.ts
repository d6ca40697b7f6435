// Seeded random scans and mutations of them, diffed by us and by nmap's ndiff (the patched ndiff where the
// real one crashes on its two Python 3 bugs): ports added, removed, changed; services; scripts with
// multi-line output and odd whitespace; OS lists; host names; extraports order; unicode including astral
// characters; XML escapes; time zones and the repeated hour after a DST change. PORTWATCH_NDIFF_SEED=n
// reproduces a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { MODES, ndiffBatch, runOurs } from './support/ndiff-oracle.ts';

const SEED = Number(process.env.PORTWATCH_NDIFF_SEED ?? 20260707);
const PAIRS = 320;

/** mulberry32: small, seedable, good enough to pick test cases. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => next() < p;
  return { int, pick, chance };
}
type Rng = ReturnType<typeof rng>;

// Words chosen to exercise Python semantics: code-point order (U+FF5A sorts before U+1D49C in Python, after
// it in UTF-16), code-point widths in the port table, Python whitespace at line ends, XML escaping.
const WORDS = [
  'http',
  'ssh',
  'ftp',
  'Apache httpd',
  '2.4.57',
  'Debian',
  'a&b',
  '<x>',
  'x>y',
  'q"uote',
  "it's",
  'both\'"',
  'café',
  '日本語',
  '😀',
  'ｚｚ',
  '𝒜bc',
  'trail ',
  'nbsp\u00a0',
  'ideo\u3000',
  '',
  'x',
  'zz',
  'A',
  'a',
];
const LINE_BREAKS = ['\n', '\r\n', '\r', '\u2028', '\u2029', '\u0085'];
const STATES = ['open', 'closed', 'filtered', 'unfiltered', 'open|filtered', 'closed|filtered'];
const TIME_ZONES = ['America/New_York', 'Asia/Kolkata', 'Europe/London', 'Australia/Lord_Howe', 'UTC'];
const NY_FOLD_2023 = 1699162200; // 01:30 EDT on 2023-11-05; one hour later is 01:30 EST again

interface Script {
  id: string;
  output: string;
}
interface PortX {
  protocol: string;
  portid: number;
  state?: string;
  service?: Record<string, string>;
  scripts: Script[];
}
interface HostX {
  status?: string;
  addresses: { addr: string; addrtype: string }[];
  hostnames: string[];
  extraports: { state: string; count: number }[];
  ports: PortX[];
  os: string[];
  scripts: Script[];
}
interface ScanX {
  scanner?: string;
  version?: string;
  args?: string;
  start?: number;
  end?: number;
  hosts: HostX[];
  pre: Script[];
  post: Script[];
}

const clone = <T>(x: T): T => structuredClone(x);

function words(r: Rng, n: number): string {
  return Array.from({ length: n }, () => r.pick(WORDS)).join(' ');
}

function scriptOutput(r: Rng): string {
  if (r.chance(0.05)) return '';
  const lines = Array.from({ length: 1 + r.int(r.chance(0.1) ? 8 : 3) }, () =>
    r.chance(0.15) ? '' : words(r, 1 + r.int(3)) + (r.chance(0.2) ? '  ' : ''),
  );
  let out = lines[0]!;
  for (const line of lines.slice(1)) out += r.pick(LINE_BREAKS) + line;
  if (r.chance(0.3)) out += r.pick(LINE_BREAKS);
  return out;
}

function script(r: Rng): Script {
  return {
    id: r.pick(['http-title', 'ssh-hostkey', 'banner', 'ｚ-id', '𝒜-id', 'whois']),
    output: scriptOutput(r),
  };
}

function service(r: Rng): Record<string, string> | undefined {
  if (r.chance(0.15)) return undefined;
  const s: Record<string, string> = {};
  for (const field of ['name', 'product', 'version', 'extrainfo', 'tunnel']) {
    if (r.chance(field === 'name' ? 0.8 : field === 'tunnel' ? 0.1 : 0.35)) s[field] = words(r, 1 + r.int(2));
  }
  return s;
}

function port(r: Rng, portid: number): PortX {
  return {
    protocol: r.pick(['tcp', 'tcp', 'udp', 'sctp']),
    portid,
    state: r.chance(0.04) ? undefined : r.pick(STATES),
    service: service(r),
    scripts: r.chance(0.25) ? Array.from({ length: r.chance(0.04) ? 2 + r.int(2) : 1 }, () => script(r)) : [],
  };
}

function host(r: Rng, n: number): HostX {
  const addresses = [{ addr: `127.0.11.${n}`, addrtype: 'ipv4' }];
  if (r.chance(0.15)) addresses.push({ addr: `fe80::${n.toString(16)}`, addrtype: 'ipv6' });
  if (r.chance(0.15))
    addresses.unshift({ addr: `00:11:22:33:44:${(n % 256).toString(16).padStart(2, '0')}`, addrtype: 'mac' });
  const ports: PortX[] = [];
  for (let k = r.int(6); k > 0; k--)
    ports.push(port(r, r.pick([22, 25, 53, 80, 443, 8080, 1 + r.int(65535)])));
  return {
    status: r.chance(0.05) ? undefined : r.pick(['up', 'up', 'up', 'down']),
    addresses,
    hostnames: r.chance(0.5)
      ? Array.from({ length: 1 + r.int(2) }, () => r.pick(['a.example', 'ｚ.example', '𝒜.example', 'b.test']))
      : [],
    extraports: r.chance(0.5)
      ? Array.from({ length: 1 + r.int(3) }, () => ({
          state: r.pick(STATES),
          count: r.int(3) * 500 + r.int(3),
        }))
      : [],
    ports,
    os: r.chance(0.3)
      ? Array.from({ length: 1 + r.int(4) }, () =>
          r.pick(['Linux 5.X', 'Linux 4.X', 'FreeBSD 13', 'Windows 11']),
        )
      : [],
    scripts: r.chance(0.2) ? Array.from({ length: r.chance(0.1) ? 2 : 1 }, () => script(r)) : [],
  };
}

function startTime(r: Rng): number {
  if (r.chance(0.3)) return NY_FOLD_2023 + r.pick([0, 3600]) + r.int(3600);
  return 946684800 + r.int(30 * 365 * 86400);
}

function scan(r: Rng): ScanX {
  const n = 1 + r.int(4);
  return {
    scanner: r.chance(0.9) ? 'nmap' : r.pick(['masscan', '']),
    version: r.chance(0.9) ? '7.93' : undefined,
    args: r.chance(0.9) ? `nmap -oX - ${words(r, 1)}` : undefined,
    start: r.chance(0.95) ? startTime(r) : undefined,
    end: r.chance(0.8) ? startTime(r) : undefined,
    hosts: Array.from({ length: n }, (_, k) => host(r, 1 + k * 3 + r.int(3))),
    pre: r.chance(0.15) ? [script(r)] : [],
    post: r.chance(0.15) ? Array.from({ length: 1 + r.int(2) }, () => script(r)) : [],
  };
}

/** One to four random changes, each of the kind a rescan produces (or a hostile file could). */
function mutate(r: Rng, original: ScanX): ScanX {
  const s = clone(original);
  for (let k = 1 + r.int(4); k > 0; k--) {
    const h = s.hosts.length > 0 ? r.pick(s.hosts) : undefined;
    const p = h && h.ports.length > 0 ? r.pick(h.ports) : undefined;
    switch (r.int(16)) {
      case 0:
        if (h) h.ports.push(port(r, 1 + r.int(1024)));
        break;
      case 1:
        if (h && p) h.ports.splice(h.ports.indexOf(p), 1);
        break;
      case 2:
        if (p) p.state = r.pick(STATES);
        break;
      case 3:
        if (p) p.service = service(r);
        break;
      case 4:
        if (p && p.scripts.length > 0) r.pick(p.scripts).output = scriptOutput(r);
        else if (p) p.scripts.push(script(r));
        break;
      case 5:
        if (h) h.os = r.chance(0.3) ? [] : [...h.os, r.pick(['Linux 6.X', 'OpenBSD'])].reverse();
        break;
      case 6:
        if (h) h.hostnames = r.chance(0.5) ? [] : [r.pick(['c.example', '😀.example'])];
        break;
      case 7:
        if (h) h.extraports.reverse();
        break;
      case 8:
        if (h) h.extraports.push({ state: r.pick(STATES), count: r.int(1000) });
        break;
      case 9:
        if (h) h.status = r.pick(['up', 'down']);
        break;
      case 10:
        s.hosts.push(host(r, 100 + r.int(100)));
        break;
      case 11:
        if (h) s.hosts.splice(s.hosts.indexOf(h), 1);
        break;
      case 12:
        s.start = startTime(r);
        break;
      case 13:
        if (h) h.scripts = r.chance(0.3) ? [] : r.chance(0.2) ? [script(r), ...h.scripts] : [script(r)];
        break;
      case 14:
        if (p && h) h.ports.push({ ...clone(p), state: r.pick(STATES) });
        break; // duplicate spec
      case 15:
        s.post = r.chance(0.5) ? [] : [script(r)];
        break;
    }
  }
  return s;
}

function attr(value: string, r: Rng): string {
  let v = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  v = v.replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
  // Now and then a literal tab: XML attribute normalisation turns it into a space, as expat does for ndiff.
  return r.chance(0.9) ? v.replace(/\t/g, '&#9;') : v;
}

function toXml(s: ScanX, r: Rng): string {
  const a = (name: string, value: string | number | undefined) =>
    value === undefined ? '' : ` ${name}="${attr(String(value), r)}"`;
  const scripts = (list: Script[]) =>
    list.map((x) => `<script${a('id', x.id)}${a('output', x.output)}/>\n`).join('');
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<nmaprun${a('scanner', s.scanner)}${a('args', s.args)}${a('start', s.start)}${a('version', s.version)} xmloutputversion="1.05">\n`;
  if (s.pre.length > 0) out += `<prescript>${scripts(s.pre)}</prescript>\n`;
  for (const h of s.hosts) {
    out += '<host>';
    if (h.status !== undefined) out += `<status${a('state', h.status)} reason="syn-ack"/>`;
    for (const ad of h.addresses) out += `<address${a('addr', ad.addr)}${a('addrtype', ad.addrtype)}/>`;
    out += `<hostnames>${h.hostnames.map((n) => `<hostname${a('name', n)} type="PTR"/>`).join('')}</hostnames>\n`;
    out += '<ports>';
    for (const e of h.extraports) out += `<extraports${a('state', e.state)}${a('count', e.count)}/>\n`;
    for (const p of h.ports) {
      out += `<port${a('protocol', p.protocol)}${a('portid', p.portid)}>`;
      if (p.state !== undefined) out += `<state${a('state', p.state)} reason="syn-ack"/>`;
      if (p.service)
        out += `<service${Object.entries(p.service)
          .map(([k, v]) => a(k, v))
          .join('')} method="probed"/>`;
      out += `${scripts(p.scripts)}</port>\n`;
    }
    out += '</ports>\n';
    if (h.os.length > 0)
      out += `<os>${h.os.map((o) => `<osmatch${a('name', o)} accuracy="90"/>`).join('')}</os>\n`;
    if (h.scripts.length > 0) out += `<hostscript>${scripts(h.scripts)}</hostscript>\n`;
    out += '</host>\n';
  }
  if (s.post.length > 0) out += `<postscript>${scripts(s.post)}</postscript>\n`;
  out += `<runstats><finished${a('time', s.end)} elapsed="1.00" exit="success"/><hosts up="1" down="0" total="1"/></runstats>\n`;
  return out + '</nmaprun>\n';
}

test(`${PAIRS} random scan pairs x 4 modes match ndiff (seed ${SEED})`, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-ndiff-mut-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = rng(SEED);
  const byZone = new Map<string, { a: string; b: string }[]>();
  for (let k = 0; k < PAIRS; k++) {
    const a = scan(r);
    const b = r.chance(0.1) ? clone(a) : mutate(r, a);
    const pair = { a: path.join(dir, `${k}-a.xml`), b: path.join(dir, `${k}-b.xml`) };
    writeFileSync(pair.a, toXml(a, r));
    writeFileSync(pair.b, toXml(b, r));
    const tz = r.pick(TIME_ZONES);
    byZone.set(tz, [...(byZone.get(tz) ?? []), pair]);
  }

  let compared = 0;
  let patched = 0;
  let different = 0;
  const savedTz = process.env.TZ;
  t.after(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });
  for (const [tz, pairs] of byZone) {
    const jobs = pairs.flatMap((p) => MODES.map((mode) => [...mode, p.a, p.b]));
    const expected = await ndiffBatch(jobs, { ...process.env, TZ: tz });
    process.env.TZ = tz;
    pairs.forEach((p, n) => {
      const runA = parseNmapXmlFile(p.a);
      const runB = parseNmapXmlFile(p.b);
      const plain = expected[n * MODES.length]!;
      MODES.forEach((mode, m) => {
        const want = expected[n * MODES.length + m]!;
        const label = `${[...mode, p.a, p.b].join(' ')} TZ=${tz} seed=${SEED}`;
        assert.notEqual(want.exitCode, 2, `ndiff failed on ${label}:\n${want.stderr}`);
        const got = runOurs(runA, runB, mode);
        assert.equal(got.stdout.toString(), want.stdout.toString(), label);
        assert.ok(got.stdout.equals(want.stdout), `bytes differ: ${label}`);
        assert.equal(got.exitCode, plain.exitCode, label);
        compared++;
        if (want.patched) patched++;
        if (m === 0 && plain.exitCode === 1) different++;
      });
    });
  }
  assert.equal(compared, PAIRS * MODES.length);
  // The generator must reach the interesting cases, or the test proves little.
  assert.ok(patched > 0, 'no pair hit the crash cases that need the patched ndiff');
  assert.ok(
    patched < compared / 3,
    `${patched} of ${compared} needed the patched ndiff: too few real ndiff runs`,
  );
  assert.ok(different > PAIRS / 2, `only ${different} of ${PAIRS} pairs differ`);
  t.diagnostic(
    `${compared} comparisons, ${patched} answered by the patched ndiff, ${different} pairs differ`,
  );
});
