// What Portwatch adds to nmap: a no-change scan of 32 loopback hosts (127.0.21.1-32, a few listeners), timed
// as nmap alone with the exact argv Portwatch used, and as the full cycle `portwatch scan NAME` (node start-up,
// profile and reference reads, nmap, parse, diff, history write). Goal: overhead ratio <= 1.10.
// Two more rows show where the time goes: the same cycle in a process that is already running (what the app
// and `portwatch watch` do on every scheduled scan), and Node's own floor: a Node process that only starts
// nmap with that argv and waits for it, the least any one-shot Node program can cost.
//
// nmap asks DNS for the hosts' PTR names (Portwatch keeps host names). To stay on loopback the bench runs in a
// private mount namespace whose resolv.conf points at a tiny NXDOMAIN responder on 127.0.21.53, when it can
// (root, unshare); otherwise it says so and uses the system resolver.
import { execFile, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runNmap } from '../src/engine/nmap/run.ts';
import { detectNmap } from '../src/engine/nmap/detect.ts';
import { Monitor } from '../src/engine/monitor/monitor.ts';
import type { ScanOptions } from '../src/shared/profile.ts';
import { defaultScanOptions } from '../src/engine/monitor/profiles.ts';

const root = path.resolve(import.meta.dirname, '..');
const HOSTS = 32;
// nmap's own time on loopback varies by +-10% from run to run: enough rounds for the medians to settle.
const ROUNDS = Number(process.env.PORTWATCH_BENCH_ROUNDS ?? 11);
const DNS_ADDRESS = '127.0.21.53';
const NS_FLAG = 'PORTWATCH_BENCH_IN_NAMESPACE';

/** Re-runs this file inside a private mount namespace with our resolv.conf, when we may. */
async function enterNamespace(): Promise<boolean> {
  if (process.env[NS_FLAG]) return false;
  if (process.platform !== 'linux' || process.geteuid?.() !== 0) return false;
  if (spawnSync('unshare', ['--version']).status !== 0) return false;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-bench-dns-'));
  const conf = path.join(dir, 'resolv.conf');
  await writeFile(conf, `nameserver ${DNS_ADDRESS}\noptions timeout:1 attempts:1\n`);
  const child = spawn(
    'unshare',
    [
      '-m',
      'sh',
      '-c',
      'mount --bind "$0" /etc/resolv.conf && exec "$@"',
      conf,
      process.execPath,
      ...process.execArgv,
      import.meta.filename,
    ],
    { stdio: 'inherit', env: { ...process.env, [NS_FLAG]: '1' } },
  );
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? 1)));
  await rm(dir, { recursive: true, force: true });
  process.exitCode = code;
  return true;
}

/** Answers every DNS query with NXDOMAIN (no such name): what a resolver says for loopback PTRs. */
async function startNxdomainResponder(): Promise<() => Promise<void>> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    if (query.length < 12) return;
    const reply = Buffer.from(query);
    reply[2] = 0x81 | (query[2]! & 0x01); // response, recursion desired echoed
    reply[3] = 0x83; // recursion available, NXDOMAIN
    reply.writeUInt16BE(0, 6); // no answers
    reply.writeUInt16BE(0, 8);
    reply.writeUInt16BE(0, 10);
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(53, DNS_ADDRESS, resolve));
  return () => new Promise<void>((resolve) => socket.close(() => resolve()));
}

async function listen(host: string): Promise<net.Server> {
  const server = net.createServer((socket) => socket.on('error', () => {}).end());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  return server;
}

function portOf(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

/** Wall-clock time of a child process, its stdout read and thrown away (as Portwatch reads nmap's). */
function timeProcess(
  file: string,
  args: string[],
  env = process.env,
): Promise<{ ms: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - start;
      if (code !== 0 && code !== 1)
        reject(new Error(`${path.basename(file)} exited ${code}: ${stderr.trim()}`));
      else resolve({ ms, code });
    });
  });
}

function portwatch(dataDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      path.join(root, 'bin', 'portwatch'),
      ['--data-dir', dataDir, ...args],
      (error, stdout, stderr) =>
        error && error.code !== 1
          ? reject(new Error(`portwatch ${args[0]}: ${stderr.trim()}`))
          : resolve(stdout),
    ),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

async function main(): Promise<void> {
  if (await enterNamespace()) return;
  const inNamespace = !!process.env[NS_FLAG];
  const stopDns = inNamespace ? await startNxdomainResponder() : async () => {};

  // A few listeners on the first hosts; the other hosts are up (loopback) with every scanned port closed.
  const servers: net.Server[] = [];
  for (let i = 1; i <= 6; i++) servers.push(await listen(`127.0.21.${i}`));
  servers.push(await listen('127.0.21.1'), await listen('127.0.21.2'));
  const listenerPorts = [...new Set(servers.map(portOf))].sort((a, b) => a - b);
  const spec = `1-1000,${listenerPorts.filter((p) => p > 1000).join(',')}`;
  const targets = [`127.0.21.1-${HOSTS}`];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-bench-'));
  const nmap = await detectNmap();

  try {
    const cliReady = existsSync(path.join(root, 'dist', 'cli.mjs'));
    const help = cliReady ? await portwatch(dataDir, ['--help']).catch(() => '') : '';
    const fullCycle =
      /\n\s+scan\s/.test(help) && /\n\s+reference\s/.test(help) && /\n\s+profile\s/.test(help);

    console.log(
      `scan bench: ${HOSTS} hosts (${targets[0]}), ports ${spec.length > 40 ? spec.slice(0, 40) + '…' : spec}`,
    );
    console.log(
      `  nmap ${nmap.version} at ${nmap.path}; DNS: ${inNamespace ? `NXDOMAIN responder on ${DNS_ADDRESS} (private mount namespace)` : 'system resolver (not root: no namespace)'}`,
    );

    const options: ScanOptions = {
      ...defaultScanOptions,
      ports: { kind: 'list', spec },
      timeoutSeconds: 600,
    };
    const warm = await runNmap({ targets, options });
    if (warm.failure) throw new Error(`warm-up scan failed: ${warm.failure.message}`);
    let nmapArgs = warm.args;
    if (fullCycle) {
      await portwatch(dataDir, ['profile', 'add', 'bench', '--targets', targets.join(','), '--ports', spec]);
      await portwatch(dataDir, ['reference', 'capture', 'bench']);
      // Warm-up scan, and the exact argv Portwatch gives nmap, from its history.
      await portwatch(dataDir, ['scan', 'bench']);
      const history = JSON.parse(await portwatch(dataDir, ['history', 'bench', '--json'])) as Array<{
        nmapArgs: string[];
        status: string;
        counts: { changes: number };
      }>;
      const last = history[0]!;
      if (last.status !== 'ok' || last.counts.changes !== 0)
        throw new Error(
          `the warm-up scan was ${last.status} with ${last.counts.changes} changes: not a no-change scan`,
        );
      nmapArgs = last.nmapArgs;
    }

    // Interleaved rounds in a rotating order, so load from elsewhere on the machine hits every row alike.
    const rows = {
      nmap: [] as number[],
      floor: [] as number[],
      engine: [] as number[],
      inProcess: [] as number[],
      cycle: [] as number[],
      startup: [] as number[],
    };
    // Node's floor: start node, spawn nmap with the same argv, read its output, exit with its code.
    const floorScript = [
      "const c = require('node:child_process').spawn(process.argv[1], process.argv.slice(2), { stdio: ['ignore', 'pipe', 'pipe'] });",
      "c.stdout.resume(); c.stderr.resume(); c.on('close', (code) => { process.exitCode = code; });",
    ].join('\n');
    const monitor = fullCycle ? new Monitor({ dataDir, isOffline: () => false }) : undefined;
    const measure = {
      nmap: async () => rows.nmap.push((await timeProcess(nmap.path, nmapArgs)).ms),
      floor: async () =>
        rows.floor.push(
          (await timeProcess(process.execPath, ['-e', floorScript, nmap.path, ...nmapArgs])).ms,
        ),
      inProcess: async () => {
        if (!monitor) return;
        const start = performance.now();
        const outcome = await monitor.scanNow('bench');
        rows.inProcess.push(performance.now() - start);
        if (outcome.entry.status !== 'ok' || outcome.entry.counts.changes !== 0)
          throw new Error(
            `the in-process scan was ${outcome.entry.status} with changes: not a no-change scan`,
          );
      },
      engine: async () => {
        const start = performance.now();
        const result = await runNmap({ targets, options });
        rows.engine.push(performance.now() - start);
        if (result.failure) throw new Error(`scan failed: ${result.failure.message}`);
      },
      cycle: async () => {
        if (!fullCycle) return;
        const cycle = await timeProcess(path.join(root, 'bin', 'portwatch'), [
          '--data-dir',
          dataDir,
          'scan',
          'bench',
        ]);
        if (cycle.code !== 0)
          throw new Error(`portwatch scan found changes (exit ${cycle.code}) in a no-change bench`);
        rows.cycle.push(cycle.ms);
      },
      // The CLI's fixed cost: start Node, load the bundle, print help.
      startup: async () => {
        if (fullCycle)
          rows.startup.push((await timeProcess(path.join(root, 'bin', 'portwatch'), ['--help'])).ms);
      },
    };
    const order = [
      measure.nmap,
      measure.floor,
      measure.engine,
      measure.inProcess,
      measure.cycle,
      measure.startup,
    ];
    for (let round = 0; round < ROUNDS; round++)
      for (let k = 0; k < order.length; k++) await order[(round + k) % order.length]!();
    await monitor?.stop();

    // nmap's own time drifts between rounds (by up to 30% here), so each round's rows are compared with that
    // round's nmap run (they ran back to back) and the ratio is the median of those paired ratios.
    const line = (name: string, times: number[]) => {
      const ratios = times.map((ms, round) => ms / rows.nmap[round]!);
      const ratio = median(ratios);
      console.log(
        `  ${name.padEnd(28)} median ${fmt(median(times))}  ratio ${ratio.toFixed(3)}  (per round ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
      );
      return ratio;
    };
    console.log(`  nmap argv: ${nmapArgs.join(' ')}`);
    console.log(
      `  ${ROUNDS} rounds; ratio = median over rounds of (time / that round's nmap time); goal <= 1.10 for the full cycle`,
    );
    line('nmap alone', rows.nmap);
    const floorRatio = line("Node's floor (only nmap)", rows.floor);
    const engineRatio = line('runNmap + parse (in process)', rows.engine);
    if (fullCycle) {
      const inProcessRatio = line('scan cycle (running monitor)', rows.inProcess);
      console.log(`  ${'portwatch --help (start-up)'.padEnd(28)} median ${fmt(median(rows.startup))}`);
      const ratio = line('portwatch scan (full cycle)', rows.cycle);
      const beyondFloor = median(rows.cycle.map((ms, round) => ms - rows.floor[round]!));
      console.log(
        `  full-cycle overhead ratio ${ratio.toFixed(3)}: ${ratio <= 1.1 ? 'within' : 'OVER'} the 1.10 goal; ` +
          `Node's floor alone is ${floorRatio.toFixed(3)}, Portwatch's own work beyond it ${(beyondFloor / 1000).toFixed(3)} s ` +
          `(${((beyondFloor / median(rows.nmap)) * 100).toFixed(1)}% of nmap's median time)`,
      );
      console.log(
        `  in a running monitor (the app, portwatch watch) the cycle's ratio is ${inProcessRatio.toFixed(3)}: ${inProcessRatio <= 1.1 ? 'within' : 'OVER'} the 1.10 goal`,
      );
    } else {
      console.log(`  portwatch scan is not available yet; engine overhead ratio ${engineRatio.toFixed(3)}`);
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await stopDns();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
