// A two-machine lab in Linux network namespaces, for scans loopback cannot show: a host that goes down, a
// MAC address (nmap sees one only on a shared link), a reverse-DNS name, a firewall that drops packets.
// Needs root and iproute2 (`ip`), nothing else.
//
//   const lab = await NetnsLab.create({ name: 'pw-fx-a', subnet: '10.123.0' });
//   try {
//     await lab.serve([{ host: lab.targetIp, port: 22 }]);        // a TCP listener on the target machine
//     await lab.setNames({ [lab.targetIp]: 'web.fixture.test' }); // what reverse lookups say (nmap --system-dns)
//     const xml = await lab.nmapXml(['-n', '-sS', '-p', '22,80', lab.targetIp]);
//   } finally {
//     await lab.destroy();                                         // namespaces, listeners, name files
//   }
//
// Two namespaces, `<name>-s` (the scanner) and `<name>-t` (the target), joined by a veth pair named eth0 on
// both sides; the scanner is <subnet>.1/24 and the target <subnet>.2/24. Nothing touches the root namespace,
// so these addresses never leave the lab. Use names and subnets your task owns.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';

const IFACE = 'eth0';

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Whether namespaces can be made here (root and iproute2). */
export async function netnsAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await run('ip', ['netns', 'list']);
    return true;
  } catch {
    return false;
  }
}

export interface LabOptions {
  /** Prefix of the two namespaces' names, e.g. 'pw-fx-a'. */
  name: string;
  /** First three octets of the /24 inside the lab, e.g. '10.123.0'. */
  subnet: string;
  scannerMac?: string;
  targetMac?: string;
}

// Inline so the listener needs no file: listens on each host:port given, says "ready", exits on stdin EOF.
const SERVER = `
const net = require('node:net');
const endpoints = process.argv.slice(1).map((e) => { const i = e.lastIndexOf(':'); return [e.slice(0, i), +e.slice(i + 1)]; });
let pending = endpoints.length;
for (const [host, port] of endpoints) {
  const server = net.createServer((s) => { s.on('error', () => {}); });
  server.listen({ host, port }, () => { if (--pending === 0) process.stdout.write('ready\\n'); });
  server.on('error', (e) => { process.stderr.write(String(e) + '\\n'); process.exit(1); });
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export class NetnsLab {
  readonly scanner: string;
  readonly target: string;
  readonly scannerIp: string;
  readonly targetIp: string;
  readonly #servers = new Set<ChildProcess>();

  private constructor(options: LabOptions) {
    this.scanner = `${options.name}-s`;
    this.target = `${options.name}-t`;
    this.scannerIp = `${options.subnet}.1`;
    this.targetIp = `${options.subnet}.2`;
  }

  static async create(options: LabOptions): Promise<NetnsLab> {
    const lab = new NetnsLab(options);
    // A lab left over from a killed run would make `ip netns add` fail.
    await lab.#removeNamespaces();
    try {
      await run('ip', ['netns', 'add', lab.scanner]);
      await run('ip', ['netns', 'add', lab.target]);
      await run('ip', [
        'link',
        'add',
        IFACE,
        'netns',
        lab.scanner,
        'type',
        'veth',
        'peer',
        'name',
        IFACE,
        'netns',
        lab.target,
      ]);
      for (const [ns, ip, mac] of [
        [lab.scanner, lab.scannerIp, options.scannerMac],
        [lab.target, lab.targetIp, options.targetMac],
      ] as const) {
        if (mac) await lab.ip(ns, ['link', 'set', IFACE, 'address', mac]);
        await lab.ip(ns, ['addr', 'add', `${ip}/24`, 'dev', IFACE]);
        await lab.ip(ns, ['link', 'set', 'lo', 'up']);
        await lab.ip(ns, ['link', 'set', IFACE, 'up']);
      }
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  /** `ip -n NS ARGS`. */
  ip(ns: string, args: string[]): Promise<string> {
    return run('ip', ['-n', ns, ...args]);
  }

  /** Runs a command inside a namespace (`ip netns exec`), which also mounts /etc/netns/NS/* over /etc. */
  exec(ns: string, command: string, args: string[]): Promise<string> {
    return run('ip', ['netns', 'exec', ns, command, ...args]);
  }

  /** Runs `nmap ARGS -oX -` on the scanner and returns the XML. */
  nmapXml(args: string[]): Promise<string> {
    return this.exec(this.scanner, 'nmap', [...args, '-oX', '-']);
  }

  /** Another address for the target machine (a second host on the link), or removes one (it goes down). */
  async addTargetAddress(ip: string): Promise<void> {
    await this.ip(this.target, ['addr', 'add', `${ip}/24`, 'dev', IFACE]);
  }
  async removeTargetAddress(ip: string): Promise<void> {
    await this.ip(this.target, ['addr', 'del', `${ip}/24`, 'dev', IFACE]);
  }

  /** A new MAC address for the target (as if its network card were replaced). */
  async setTargetMac(mac: string): Promise<void> {
    await this.ip(this.target, ['link', 'set', IFACE, 'address', mac]);
    // The scanner would otherwise keep sending to the old card until its ARP entry goes stale.
    await this.ip(this.scanner, ['neigh', 'flush', 'dev', IFACE]);
  }

  /** What the scanner's resolver says for these addresses (its /etc/hosts; nmap needs --system-dns). */
  async setNames(names: Record<string, string>): Promise<void> {
    const dir = `/etc/netns/${this.scanner}`;
    await mkdir(dir, { recursive: true });
    const lines = Object.entries(names).map(([ip, name]) => `${ip}\t${name}`);
    await writeFile(`${dir}/hosts`, `127.0.0.1\tlocalhost\n${lines.join('\n')}\n`);
  }

  /**
   * A firewall on the target that silently drops incoming TCP to these port ranges ("1-79"), so nmap sees
   * them filtered. Made with policy routing (a blackhole rule ahead of local delivery): iproute2 only.
   */
  async dropTcp(ranges: string[]): Promise<void> {
    let pref = 10;
    for (const range of ranges) {
      await this.ip(this.target, [
        'rule',
        'add',
        'pref',
        `${pref++}`,
        'iif',
        IFACE,
        'ipproto',
        'tcp',
        'dport',
        range,
        'blackhole',
      ]);
    }
    await this.ip(this.target, ['rule', 'add', 'pref', '100', 'lookup', 'local']);
    await this.ip(this.target, ['rule', 'del', 'pref', '0']);
  }

  /** TCP listeners on the target; resolves once all listen. close() stops them. */
  async serve(endpoints: Array<{ host: string; port: number }>): Promise<{ close(): Promise<void> }> {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.target,
        process.execPath,
        '-e',
        SERVER,
        ...endpoints.map((e) => `${e.host}:${e.port}`),
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    this.#servers.add(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) =>
        reject(new Error(`listener in ${this.target} exited (${code}): ${stderr.trim()}`)),
      );
    });
    const close = async () => {
      if (!this.#servers.delete(child)) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    };
    return { close };
  }

  /** Stops the listeners, deletes both namespaces and the scanner's name file. Safe to call twice. */
  async destroy(): Promise<void> {
    for (const child of this.#servers) {
      child.stdin?.end();
      child.kill('SIGKILL');
    }
    this.#servers.clear();
    await this.#removeNamespaces();
    await rm(`/etc/netns/${this.scanner}`, { recursive: true, force: true });
  }

  async #removeNamespaces(): Promise<void> {
    const existing = await run('ip', ['netns', 'list']);
    for (const ns of [this.scanner, this.target]) {
      if (existing.split('\n').some((line) => line.split(' ')[0] === ns))
        await run('ip', ['netns', 'del', ns]);
    }
  }
}
