// Writes two synthetic nmap 7.93 `-sV` scans of a /16 (65,536 hosts, ~55 MB each) for the benchmarks, like
// a real sweep of a large network: most hosts up with a few open ports, services with versions and CPEs,
// some closed and filtered ports, extraports with extrareasons, a few scripts. The second scan differs from
// the first in a few percent of the hosts (ports opened and closed, versions changed, hosts gone down or
// come up). Seeded, so every run writes the same bytes; cached in bench/.cache.
//
//   node bench/generate-scan.ts        prints the two paths (writing them if missing)
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Bump when the generated content changes, so stale caches are not reused. */
const VERSION = 1;
const HOSTS = 65536;
export const CACHE_DIR = path.join(import.meta.dirname, '.cache');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ServiceSpec {
  port: number;
  name: string;
  product?: string;
  versions: string[];
  extrainfo?: string;
  ostype?: string;
  cpe: string[];
  tunnel?: string;
}

const SERVICES: ServiceSpec[] = [
  {
    port: 22,
    name: 'ssh',
    product: 'OpenSSH',
    versions: ['8.9p1 Ubuntu 3ubuntu0.1', '8.9p1 Ubuntu 3ubuntu0.6', '9.2p1 Debian 2+deb12u1', '7.4'],
    extrainfo: 'Ubuntu Linux; protocol 2.0',
    ostype: 'Linux',
    cpe: ['cpe:/a:openbsd:openssh:8.9p1', 'cpe:/o:linux:linux_kernel'],
  },
  {
    port: 80,
    name: 'http',
    product: 'nginx',
    versions: ['1.18.0', '1.22.1', '1.24.0'],
    extrainfo: 'Ubuntu',
    ostype: 'Linux',
    cpe: ['cpe:/a:igor_sysoev:nginx:1.18.0', 'cpe:/o:linux:linux_kernel'],
  },
  {
    port: 443,
    name: 'http',
    product: 'Apache httpd',
    versions: ['2.4.52', '2.4.57', '2.4.58'],
    extrainfo: '(Ubuntu)',
    cpe: ['cpe:/a:apache:http_server:2.4.52'],
    tunnel: 'ssl',
  },
  { port: 25, name: 'smtp', product: 'Postfix smtpd', versions: [''], cpe: ['cpe:/a:postfix:postfix'] },
  {
    port: 3306,
    name: 'mysql',
    product: 'MySQL',
    versions: ['8.0.35-0ubuntu0.22.04.1', '5.7.44'],
    cpe: ['cpe:/a:mysql:mysql:8.0.35-0ubuntu0.22.04.1'],
  },
  {
    port: 5432,
    name: 'postgresql',
    product: 'PostgreSQL DB',
    versions: ['9.6.0 - 9.6.2', '14.9'],
    cpe: ['cpe:/a:postgresql:postgresql'],
  },
  {
    port: 8080,
    name: 'http',
    product: 'Jetty',
    versions: ['9.4.43.v20210629', '10.0.18'],
    cpe: ['cpe:/a:eclipse:jetty:9.4.43.v20210629'],
  },
  {
    port: 53,
    name: 'domain',
    product: 'ISC BIND',
    versions: ['9.18.18-0ubuntu0.22.04.1'],
    cpe: ['cpe:/a:isc:bind:9.18.18'],
  },
];

const CLOSED_NAMES: Record<number, string> = {
  21: 'ftp',
  23: 'telnet',
  110: 'pop3',
  139: 'netbios-ssn',
  445: 'microsoft-ds',
};

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#xa;');
}

/** What one host looks like in one scan. */
interface HostPlan {
  up: boolean;
  open: { spec: ServiceSpec; version: string }[];
  closed: number[];
  filtered: number[];
  script: boolean;
}

function planHost(i: number, random: () => number): HostPlan {
  const up = random() < 0.93;
  const open: HostPlan['open'] = [];
  const count = 1 + Math.floor(random() * 3);
  const used = new Set<number>();
  for (let k = 0; k < count; k++) {
    const spec = SERVICES[Math.floor(random() * SERVICES.length)]!;
    if (used.has(spec.port)) continue;
    used.add(spec.port);
    open.push({ spec, version: spec.versions[Math.floor(random() * spec.versions.length)]! });
  }
  open.sort((a, b) => a.spec.port - b.spec.port);
  const closed = random() < 0.2 ? [21, 23, 110, 139, 445].filter(() => random() < 0.3) : [];
  const filtered = random() < 0.1 ? [135] : [];
  return { up, open, closed, filtered, script: i % 17 === 0 };
}

/** The second scan: a few percent of the hosts changed. */
function mutate(plan: HostPlan, random: () => number): HostPlan {
  const r = random();
  if (r >= 0.04) return plan;
  const p: HostPlan = { ...plan, open: [...plan.open], closed: [...plan.closed] };
  const kind = Math.floor(random() * 5);
  if (kind === 0) p.up = !p.up;
  else if (kind === 1 && p.open.length > 0) p.open.splice(Math.floor(random() * p.open.length), 1);
  else if (kind === 2) {
    const spec = SERVICES[Math.floor(random() * SERVICES.length)]!;
    if (!p.open.some((o) => o.spec.port === spec.port)) {
      p.open.push({ spec, version: spec.versions[0]! });
      p.open.sort((a, b) => a.spec.port - b.spec.port);
    }
  } else if (kind === 3 && p.open.length > 0) {
    const k = Math.floor(random() * p.open.length);
    const o = p.open[k]!;
    p.open[k] = { spec: o.spec, version: o.version + '.1' };
  } else p.closed = p.closed.length > 0 ? [] : [23];
  return p;
}

/** A third scan where every host differs from the first (the worst case for a diff). */
function changeEveryHost(plan: HostPlan, random: () => number): HostPlan {
  if (plan.open.length === 0) return { ...plan, up: !plan.up };
  const open = [...plan.open];
  const k = Math.floor(random() * open.length);
  open[k] = { spec: open[k]!.spec, version: open[k]!.version + '.1' };
  return { ...plan, open };
}

function ranges(excluded: number[]): string {
  const out: string[] = [];
  let from = 1;
  for (const port of [...excluded].sort((a, b) => a - b)) {
    if (port > from) out.push(port - 1 === from ? `${from}` : `${from}-${port - 1}`);
    from = port + 1;
  }
  if (from <= 65535) out.push(`${from}-65535`);
  return out.join(',');
}

function hostXml(index: number, plan: HostPlan, t: number): string {
  const addr = `10.20.${index >> 8}.${index & 255}`;
  const name = `host-10-20-${index >> 8}-${index & 255}.corp.example.net`;
  if (!plan.up)
    return (
      `<host starttime="${t}" endtime="${t + 3}"><status state="down" reason="no-response" reason_ttl="0"/>\n` +
      `<address addr="${addr}" addrtype="ipv4"/>\n<hostnames>\n</hostnames>\n` +
      `<times srtt="-1" rttvar="-1" to="1000000"/>\n</host>\n`
    );
  const listed = [...plan.open.map((o) => o.spec.port), ...plan.closed, ...plan.filtered];
  const closedCount = 1000 - listed.length;
  let x =
    `<host starttime="${t}" endtime="${t + 12}"><status state="up" reason="echo-reply" reason_ttl="63"/>\n` +
    `<address addr="${addr}" addrtype="ipv4"/>\n<hostnames>\n<hostname name="${name}" type="PTR"/>\n</hostnames>\n` +
    `<ports><extraports state="closed" count="${closedCount}">\n` +
    `<extrareasons reason="reset" count="${closedCount}" proto="tcp" ports="${ranges(listed)}"/>\n</extraports>\n`;
  const ports: string[] = [];
  for (const o of plan.open) {
    const s = o.spec;
    let svc = `<service name="${s.name}"`;
    if (s.product) svc += ` product="${esc(s.product)}"`;
    if (o.version) svc += ` version="${esc(o.version)}"`;
    if (s.extrainfo) svc += ` extrainfo="${esc(s.extrainfo)}"`;
    if (s.tunnel) svc += ` tunnel="${s.tunnel}"`;
    if (s.ostype) svc += ` ostype="${s.ostype}"`;
    svc += ` method="probed" conf="10">${s.cpe.map((c) => `<cpe>${c}</cpe>`).join('')}</service>`;
    let script = '';
    if (plan.script && s.port === 22)
      script =
        `<script id="ssh-hostkey" output="${esc(`\n  256 ${(index * 2654435761).toString(16).padStart(8, '0')}:9a:bf:93:84:13 (ECDSA)\n  256 fa:af:76:4c:b0:f4:4b:83 (ED25519)`)}">` +
        `<table>\n<elem key="type">ecdsa-sha2-nistp256</elem>\n<elem key="bits">256</elem>\n</table>\n</script>`;
    else if (plan.script && (s.port === 80 || s.port === 8080))
      script = `<script id="http-title" output="Welcome to ${s.product}!"><elem key="title">Welcome to ${s.product}!</elem>\n</script>`;
    ports.push({
      port: s.port,
      xml: `<port protocol="tcp" portid="${s.port}"><state state="open" reason="syn-ack" reason_ttl="63"/>${svc}${script}</port>\n`,
    } as never);
  }
  for (const port of plan.closed)
    ports.push({
      port,
      xml: `<port protocol="tcp" portid="${port}"><state state="closed" reason="reset" reason_ttl="63"/><service name="${CLOSED_NAMES[port]}" method="table" conf="3"/></port>\n`,
    } as never);
  for (const port of plan.filtered)
    ports.push({
      port,
      xml: `<port protocol="tcp" portid="${port}"><state state="filtered" reason="no-response" reason_ttl="0"/><service name="msrpc" method="table" conf="3"/></port>\n`,
    } as never);
  const sorted = (ports as unknown as { port: number; xml: string }[]).sort((a, b) => a.port - b.port);
  x += sorted.map((p) => p.xml).join('');
  x += `</ports>\n<times srtt="${((index * 37) % 5000) + 300}" rttvar="${((index * 13) % 900) + 100}" to="100000"/>\n</host>\n`;
  return x;
}

function writeScan(file: string, plans: HostPlan[], start: number): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  const out: string[] = [];
  let size = 0;
  const flush = () => {
    writeSync(fd, out.join(''));
    out.length = 0;
    size = 0;
  };
  const push = (s: string) => {
    out.push(s);
    size += s.length;
    if (size > 1 << 20) flush();
  };
  const date = new Date(start * 1000).toUTCString();
  push(
    `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n` +
      `<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>\n` +
      `<!-- Nmap 7.93 scan initiated ${date} as: nmap -sV -oX scan.xml 10.20.0.0/16 -->\n` +
      `<nmaprun scanner="nmap" args="nmap -sV -oX scan.xml 10.20.0.0/16" start="${start}" startstr="${date}" version="7.93" xmloutputversion="1.05">\n` +
      `<scaninfo type="syn" protocol="tcp" numservices="1000" services="1,3-4,6-7,9,13,17,19-26,30,32-33,37,42-43,49,53,70,79-85,88-90,99-100,106,109-111,113,119,125,135,139,143-144,146,161,163,179,199,211-212,222,254-256,259,264,280,301,306,311,340,366,389,406-407,416-417,425,427,443-445,458,464-465,481,497,500,512-515,524,541,543-545,548,554-555,563,587,593,616-617,625,631,636,646,648,666-668,683,687,691,700,705,711,714,720,722,726,749,765,777,783,787,800-801,808,843,873,880,888,898,900-903,911-912,981,987,990,992-993,995,999-1002,1007,1009-1011,1021-1100"/>\n` +
      `<verbose level="0"/>\n<debugging level="0"/>\n`,
  );
  let up = 0;
  for (let i = 0; i < plans.length; i++) {
    if (plans[i]!.up) up++;
    push(hostXml(i, plans[i]!, start + Math.floor(i / 64)));
  }
  const end = start + Math.floor(plans.length / 64) + 20;
  push(
    `<runstats><finished time="${end}" timestr="${new Date(end * 1000).toUTCString()}" summary="Nmap done; ${plans.length} IP addresses (${up} hosts up) scanned in ${end - start}.00 seconds" elapsed="${end - start}.00" exit="success"/><hosts up="${up}" down="${plans.length - up}" total="${plans.length}"/>\n</runstats>\n</nmaprun>\n`,
  );
  flush();
  closeSync(fd);
  renameSync(tmp, file);
}

/**
 * The scans' paths, generated first if missing: a and b (a few percent of the hosts differ, as between two
 * monitoring scans) and c (every host differs from a).
 */
export function ensureScans(): { a: string; b: string; c: string } {
  const a = path.join(CACHE_DIR, `scan-a-v${VERSION}.xml`);
  const b = path.join(CACHE_DIR, `scan-b-v${VERSION}.xml`);
  const c = path.join(CACHE_DIR, `scan-c-v${VERSION}.xml`);
  if (existsSync(a) && existsSync(b) && existsSync(c)) return { a, b, c };
  mkdirSync(CACHE_DIR, { recursive: true });
  const random = rng(20260524);
  const plans = Array.from({ length: HOSTS }, (_, i) => planHost(i, random));
  const changed = plans.map((p) => mutate(p, random));
  if (!existsSync(a) || !existsSync(b)) {
    writeScan(a, plans, 1779580800);
    writeScan(b, changed, 1779667200);
  }
  writeScan(
    c,
    plans.map((p) => changeEveryHost(p, random)),
    1779753600,
  );
  return { a, b, c };
}

if (import.meta.main) {
  const { a, b, c } = ensureScans();
  process.stdout.write(`${a}\n${b}\n${c}\n`);
}
