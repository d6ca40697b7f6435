// `npm run fixtures [-- [--out DIR] SCENARIO...]`: makes test/fixtures/scans/*.xml (or DIR/*.xml) from real nmap runs against real
// listeners, one before/after pair per scenario (see test/fixtures/scans/README.md for what each shows).
// The output is committed, so tests never need to run this; it is kept so anyone can remake the set.
//
// Needs: root (SYN and UDP scans, network namespaces), nmap 7.93, iproute2. Scans only 127.0.12.0/24, ::1
// and 10.123.0.0/24 inside namespaces named pw-fx-* that it creates and deletes.
import { execFile } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Listeners, nmapXml } from '../test/support/listeners.ts';
import { NetnsLab, netnsAvailable } from '../test/support/netns.ts';

const root = path.resolve(import.meta.dirname, '..');
const fixturesDir = path.join(root, 'test', 'fixtures', 'scans');

interface Scenario {
  name: string;
  /** Runs the before and after scans, returning their XML. */
  make(): Promise<{ before: string; after: string }>;
}

const SSH_OLD = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n';
const SSH_NEW = 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n';

const scenarios: Scenario[] = [
  {
    // Ports opening and closing on several hosts, a host dropped from and one added to the target list, and
    // ports outside one side's port list (unscanned there).
    name: 'tcp',
    async make() {
      const net = new Listeners();
      try {
        const on = (host: string, port: number) => net.tcp({ host: `127.0.12.${host}`, port });
        await on('1', 20022);
        const closing = await on('1', 20080);
        await on('1', 20200); // covered by the reference only: must not be reported closed
        await on('1', 21000); // covered by the current scan only: opened, but before.state 'unscanned'
        await on('2', 20043);
        await on('3', 20022);
        const before = await nmapXml(['-n', '-sS', '-p', '20000-20100,20200', '127.0.12.1-3']);
        await closing.close();
        await on('1', 20081);
        await on('2', 20025);
        await on('4', 20022);
        const after = await nmapXml(['-n', '-sS', '-p', '20000-20100,21000', '127.0.12.1-2,4']);
        return { before, after };
      } finally {
        await net.close();
      }
    },
  },
  {
    // -sV against banner servers whose versions change (an SSH upgrade, an nginx upgrade).
    name: 'version',
    async make() {
      const host = '127.0.12.5';
      const args = ['-n', '-Pn', '-sV', '-p', '20022,20080', host];
      const scan = async (ssh: string, nginx: string) => {
        const net = new Listeners();
        try {
          await net.tcp({ host, port: 20022, banner: ssh });
          await net.http({ host, port: 20080, server: nginx, title: 'Welcome to nginx!' });
          return await nmapXml(args);
        } finally {
          await net.close();
        }
      };
      return { before: await scan(SSH_OLD, 'nginx/1.22.1'), after: await scan(SSH_NEW, 'nginx/1.24.0') };
    },
  },
  {
    // NSE output: `banner` on an SMTP port, and two scripts (http-title, http-headers) on one HTTP port;
    // the services stay the same, the scripts' output changes.
    name: 'scripts',
    async make() {
      const host = '127.0.12.6';
      const args = [
        '-n',
        '-Pn',
        '-sV',
        '--script',
        'banner,http-title,http-headers',
        '-p',
        '20025,20080',
        host,
      ];
      const scan = async (smtp: string, title: string) => {
        const net = new Listeners();
        try {
          await net.tcp({ host, port: 20025, banner: smtp });
          await net.http({ host, port: 20080, server: 'nginx/1.22.1', title });
          return await nmapXml(args);
        } finally {
          await net.close();
        }
      };
      return {
        before: await scan('220 mail.fixture.test ESMTP Postfix (Debian/GNU)\r\n', 'Welcome to nginx!'),
        after: await scan('220 mx1.fixture.test ESMTP Postfix (Debian/GNU)\r\n', 'Portal - sign in'),
      };
    },
  },
  {
    // UDP (-sU): a responder that answers every datagram moves from one port to another.
    name: 'udp',
    async make() {
      const host = '127.0.12.7';
      const args = ['-n', '-Pn', '-sU', '-p', '20050-20080', host];
      const scan = async (ports: number[]) => {
        const net = new Listeners();
        try {
          for (const port of ports) await net.udp({ host, port });
          return await nmapXml(args);
        } finally {
          await net.close();
        }
      };
      return { before: await scan([20053, 20061]), after: await scan([20053, 20069]) };
    },
  },
  {
    // IPv6 (-6) on ::1.
    name: 'ipv6',
    async make() {
      const args = ['-6', '-n', '-sS', '-p', '20600-20700', '::1'];
      const scan = async (ports: number[]) => {
        const net = new Listeners();
        try {
          for (const port of ports) await net.tcp({ host: '::1', port });
          return await nmapXml(args);
        } finally {
          await net.close();
        }
      };
      return { before: await scan([20622, 20680]), after: await scan([20622, 20643]) };
    },
  },
  {
    // A real host going down: two hosts on a namespace link (so nmap sees their MAC), then one of them stops
    // answering ARP (its address is removed). -v makes nmap write the down host into the XML.
    name: 'host-down',
    async make() {
      const lab = await NetnsLab.create({
        name: 'pw-fx-d',
        subnet: '10.123.0',
        targetMac: '02:00:00:7b:00:02',
      });
      try {
        const second = '10.123.0.3';
        await lab.addTargetAddress(second);
        await lab.serve([
          { host: lab.targetIp, port: 22 },
          { host: second, port: 22 },
          { host: second, port: 80 },
        ]);
        const args = ['-v', '-n', '-sS', '-p', '22,80,443', `${lab.targetIp}-3`];
        const before = await lab.nmapXml(args);
        await lab.removeTargetAddress(second);
        const after = await lab.nmapXml(args);
        return { before, after };
      } finally {
        await lab.destroy();
      }
    },
  },
  {
    // A firewall appears and drops everything but port 80: port 22 goes from open into
    // "Not shown: 99 filtered ports" (ndiff shows it as a vanished port; we show open -> filtered).
    name: 'firewall',
    async make() {
      const lab = await NetnsLab.create({
        name: 'pw-fx-f',
        subnet: '10.123.0',
        targetMac: '02:00:00:7b:00:02',
      });
      try {
        await lab.serve([
          { host: lab.targetIp, port: 22 },
          { host: lab.targetIp, port: 80 },
        ]);
        const args = ['-n', '-sS', '-T4', '--max-retries', '1', '-p', '1-100', lab.targetIp];
        const before = await lab.nmapXml(args);
        await lab.dropTcp(['1-79', '81-100']);
        const after = await lab.nmapXml(args);
        return { before, after };
      } finally {
        await lab.destroy();
      }
    },
  },
  {
    // The same machine renamed (its reverse-DNS name, as the scanner's resolver reports it) and given a new
    // network card (MAC). ndiff shows it as a removed and an added host; we match it by address.
    name: 'names',
    async make() {
      const lab = await NetnsLab.create({
        name: 'pw-fx-n',
        subnet: '10.123.0',
        targetMac: '02:00:00:7b:00:02',
      });
      try {
        await lab.serve([
          { host: lab.targetIp, port: 22 },
          { host: lab.targetIp, port: 80 },
        ]);
        const args = ['--system-dns', '-sS', '-p', '22,80', lab.targetIp];
        await lab.setNames({ [lab.targetIp]: 'web-old.fixture.test' });
        const before = await lab.nmapXml(args);
        await lab.setNames({ [lab.targetIp]: 'web-new.fixture.test' });
        await lab.setTargetMac('02:00:00:7b:01:02');
        const after = await lab.nmapXml(args);
        return { before, after };
      } finally {
        await lab.destroy();
      }
    },
  },
];

async function nmapVersion(): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('nmap', ['--version'], (error, stdout) =>
      error ? reject(new Error('nmap is not installed: sudo apt-get install nmap')) : resolve(stdout),
    ),
  );
}

async function main(argv: string[]): Promise<number> {
  const outAt = argv.indexOf('--out');
  const outDir = outAt >= 0 ? argv[outAt + 1] : fixturesDir;
  if (outDir === undefined || outDir.startsWith('-')) {
    process.stderr.write('make-fixtures: --out needs a directory\n');
    return 2;
  }
  const names = outAt >= 0 ? argv.filter((_, i) => i !== outAt && i !== outAt + 1) : argv;
  if (process.getuid?.() !== 0) {
    process.stderr.write('make-fixtures: needs root (SYN/UDP scans, network namespaces); run it with sudo\n');
    return 2;
  }
  if (!(await netnsAvailable())) {
    process.stderr.write('make-fixtures: needs iproute2 (`ip netns`): sudo apt-get install iproute2\n');
    return 2;
  }
  const version = /Nmap version (\S+)/.exec(await nmapVersion())?.[1];
  if (version !== '7.93')
    process.stderr.write(`make-fixtures: warning: nmap ${version}, the fixtures are from 7.93\n`);
  const unknown = names.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `make-fixtures: no scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}\n`,
    );
    return 2;
  }
  const chosen = names.length > 0 ? scenarios.filter((s) => names.includes(s.name)) : scenarios;
  await mkdir(outDir, { recursive: true });
  for (const [index, scenario] of chosen.entries()) {
    process.stdout.write(`[${index + 1}/${chosen.length}] ${scenario.name} ... `);
    const started = Date.now();
    const { before, after } = await scenario.make();
    await writeFile(path.join(outDir, `${scenario.name}-before.xml`), before);
    await writeFile(path.join(outDir, `${scenario.name}-after.xml`), after);
    process.stdout.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  process.stdout.write(`wrote ${chosen.length * 2} files to ${path.relative(root, outDir) || '.'}/\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
