// nmap's argv: built from typed options only, targets after `--`, every target re-validated, and nmap started
// directly (no shell) with exactly that argv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import type { ScanOptions } from '../src/shared/profile.ts';
import { UserError } from '../src/engine/errors.ts';
import { buildNmapArgs, runNmap } from '../src/engine/nmap/run.ts';
import { defaultScanOptions } from '../src/engine/monitor/profiles.ts';

const options: ScanOptions = { ...defaultScanOptions, timeoutSeconds: 600 };

test('defaults: XML to stdout, progress every 2 s, connect scan, host names resolved, -- before targets', () => {
  assert.deepEqual(buildNmapArgs(['192.168.1.0/24', 'router.lan'], options), [
    '-oX',
    '-',
    '--stats-every',
    '2s',
    '-sT',
    '-T3',
    '--',
    '192.168.1.0/24',
    'router.lan',
  ]);
});

test('each typed option maps to its flag', () => {
  const args = buildNmapArgs(['10.0.0.1'], {
    ...options,
    ports: { kind: 'list', spec: '22, 80,8000-8100' },
    technique: 'syn',
    serviceDetection: true,
    osDetection: true,
    timing: 4,
    skipHostDiscovery: true,
    hostTimeoutSeconds: 120,
    resolveHostnames: false,
  });
  assert.deepEqual(args, [
    '-oX',
    '-',
    '--stats-every',
    '2s',
    '-sS',
    '-sV',
    '-O',
    '-T4',
    '-Pn',
    '-n',
    '-p',
    '22,80,8000-8100',
    '--host-timeout',
    '120s',
    '--',
    '10.0.0.1',
  ]);
  const udp = buildNmapArgs(['10.0.0.1'], {
    ...options,
    technique: 'udp',
    ports: { kind: 'top', count: 50 },
  });
  assert.deepEqual(udp.slice(4, 8), ['-sU', '-T3', '--top-ports', '50']);
  const v6 = buildNmapArgs(['2001:db8::/120'], options, { privilegedFlag: true });
  assert.deepEqual(v6.slice(-4), ['--privileged', '-6', '--', '2001:db8::/120']);
});

test('change confirmation rescans only the given ports, with the protocols they need', () => {
  const args = buildNmapArgs(
    ['10.0.0.5', '10.0.0.9'],
    { ...options, ports: { kind: 'top', count: 1000 } },
    {
      onlyPorts: { tcp: [443, 22, 23, 24], udp: [53] },
    },
  );
  assert.ok(args.includes('-sT') && args.includes('-sU'));
  assert.equal(args[args.indexOf('-p') + 1], 'T:22-24,443,U:53');
  assert.ok(!args.includes('--top-ports'));
  assert.deepEqual(args.slice(-3), ['--', '10.0.0.5', '10.0.0.9']);
  const tcpOnly = buildNmapArgs(
    ['10.0.0.5'],
    { ...options, technique: 'syn' },
    { onlyPorts: { tcp: [80], udp: [] } },
  );
  assert.ok(tcpOnly.includes('-sS') && !tcpOnly.includes('-sU'));
  assert.throws(() => buildNmapArgs(['10.0.0.5'], options, { onlyPorts: { tcp: [0], udp: [] } }));
  assert.throws(() => buildNmapArgs(['10.0.0.5'], options, { onlyPorts: { tcp: [], udp: [] } }));
});

test('every target and option is re-validated: hostile input is a UserError, never an argument', () => {
  for (const targets of [
    ['-iL', '/etc/shadow'],
    ['--script=vuln'],
    ['10.0.0.1;reboot'],
    ['$(id)'],
    ['10.0.0.0/8'],
    [],
  ])
    assert.throws(() => buildNmapArgs(targets, options), UserError, JSON.stringify(targets));
  assert.throws(
    () => buildNmapArgs(['10.0.0.1'], { ...options, ports: { kind: 'list', spec: '22 -sC' } }),
    /ports: contains/,
  );
  assert.throws(
    () => buildNmapArgs(['10.0.0.1'], { ...options, timing: 9 as 3 }),
    (error) => error instanceof UserError && /timing/.test(error.message),
  );
  assert.throws(
    () => buildNmapArgs(['10.0.0.1'], { ...options, extra: '--script vuln' } as ScanOptions),
    /unknown option: extra/,
  );
});

test('nmap is started directly, not through a shell, with exactly the built argv (nmap 7.93 takes --)', async (t) => {
  if (process.platform !== 'linux') return t.skip('reads /proc');
  const controller = new AbortController();
  let exe = '';
  let argv: string[] = [];
  const result = await runNmap({
    targets: ['127.0.20.20'],
    options: {
      ...options,
      ports: { kind: 'list', spec: '1-100' },
      timing: 2,
      skipHostDiscovery: true,
      resolveHostnames: false,
    },
    signal: controller.signal,
    onStart: ({ pid }) => {
      exe = readlinkSync(`/proc/${pid}/exe`);
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    },
    onProgress: () => controller.abort(), // nmap accepted `--` and the target: it is scanning
  });
  assert.equal(exe, result.nmap.path, 'the process is nmap itself, not /bin/sh');
  assert.deepEqual(argv, [result.nmap.path, ...result.args]);
  assert.equal(argv[argv.length - 2], '--');
  assert.equal(result.failure?.kind, 'cancelled');
  assert.equal(result.run.scanInfo[0]?.services, '1-100');
});
