// The change model on small constructed runs: one test per kind and per rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeChanges } from '../src/engine/diff/changes.ts';
import type { Change } from '../src/shared/changes.ts';
import { changeKey } from '../src/shared/changes.ts';
import type { ExtraPorts, Host, NmapRun, Port, ScriptResult, Service } from '../src/shared/scan.ts';

function run(
  hosts: Host[],
  services: Record<string, string> = { tcp: '1-1000' },
  args = 'nmap -sT',
): NmapRun {
  return {
    args,
    scanInfo: Object.entries(services).map(([protocol, list]) => ({
      type: protocol === 'udp' ? 'udp' : 'connect',
      protocol,
      services: list,
    })),
    hosts,
    preScripts: [],
    postScripts: [],
    completeness: { status: 'complete' },
  };
}

interface HostOptions {
  state?: string;
  ports?: Port[];
  extra?: ExtraPorts[];
  names?: string[];
  mac?: string;
  os?: string[];
  scripts?: ScriptResult[];
  timedOut?: boolean;
}

function host(addr: string, options: HostOptions = {}): Host {
  const addrtype =
    addr.includes(':') && !/^([0-9A-F]{2}:){5}/i.test(addr) ? 'ipv6' : /\./.test(addr) ? 'ipv4' : 'mac';
  return {
    status: { state: options.state ?? 'up', reason: 'syn-ack' },
    timedOut: options.timedOut ?? false,
    addresses: [
      { addr, addrtype },
      ...(options.mac ? [{ addr: options.mac, addrtype: 'mac' as const, vendor: 'Acme' }] : []),
    ],
    hostnames: (options.names ?? []).map((name) => ({ name, type: 'PTR' })),
    extraPorts: options.extra ?? [],
    ports: options.ports ?? [],
    os: (options.os ?? []).map((name) => ({ name, accuracy: 100, classes: [] })),
    hostScripts: options.scripts ?? [],
  };
}

function port(spec: string, state: string, service?: Partial<Service>, scripts: ScriptResult[] = []): Port {
  const [id, protocol] = spec.split('/') as [string, string];
  return {
    protocol: protocol ?? 'tcp',
    portid: Number(id),
    state: { state, reason: 'x' },
    service: service ? { cpe: [], ...service } : undefined,
    scripts,
  };
}

function notShown(state: string, count: number, ports?: string, proto = 'tcp'): ExtraPorts {
  return { state, count, reasons: [{ reason: 'r', count, proto, ...(ports ? { ports } : {}) }] };
}

const keys = (changes: Change[]) => changes.map(changeKey);

test('identical runs: no changes', () => {
  const a = run([host('127.0.12.1', { ports: [port('22', 'open', { name: 'ssh' })] })]);
  assert.deepEqual(computeChanges(a, a), []);
});

test('port-opened from closed, port-closed to closed, port-state-changed closed -> filtered', () => {
  const before = run([
    host('127.0.12.1', {
      ports: [port('22', 'open'), port('80', 'closed'), port('443', 'closed')],
      extra: [notShown('closed', 997, '1-21,23-79,81-442,444-1000')],
    }),
  ]);
  const after = run([
    host('127.0.12.1', {
      ports: [port('22', 'closed'), port('80', 'open'), port('443', 'filtered')],
      extra: [notShown('closed', 997, '1-21,23-79,81-442,444-1000')],
    }),
  ]);
  const changes = computeChanges(before, after);
  assert.deepEqual(keys(changes), [
    '127.0.12.1 22/tcp port-closed',
    '127.0.12.1 80/tcp port-opened',
    '127.0.12.1 443/tcp port-state-changed',
  ]);
  assert.deepEqual(changes[0]!.before, { state: 'open' });
  assert.deepEqual(changes[0]!.after, { state: 'closed' });
  assert.deepEqual(changes[1]!.before, { state: 'closed' });
  assert.deepEqual(changes[2]!.after, { state: 'filtered' });
});

test('a port that opens out of "Not shown: N closed ports" says so', () => {
  const before = run([host('127.0.12.1', { ports: [], extra: [notShown('closed', 1000, '1-1000')] })]);
  const after = run([
    host('127.0.12.1', {
      ports: [port('8080', 'open')],
      extra: [notShown('closed', 999, '1-8079,8081-1000')],
    }),
  ]);
  // 8080 is outside the 1-1000 the reference covered.
  const changes = computeChanges(
    run(before.hosts, { tcp: '1-1000' }),
    run(after.hosts, { tcp: '1-1000,8080' }),
  );
  assert.deepEqual(changes, [
    {
      kind: 'port-opened',
      host: '127.0.12.1',
      port: 8080,
      protocol: 'tcp',
      before: { state: 'unscanned' },
      after: { state: 'open' },
    },
  ]);
  const inside = computeChanges(
    run([host('127.0.12.1', { extra: [notShown('closed', 1000, '1-1000')] })]),
    run([
      host('127.0.12.1', { ports: [port('25', 'open')], extra: [notShown('closed', 999, '1-24,26-1000')] }),
    ]),
  );
  assert.deepEqual(inside[0]!.before, { state: 'closed', notShown: true });
});

test('open -> "Not shown: N filtered ports" is port-closed with after.state filtered (ndiff loses the port)', () => {
  const before = run([
    host('127.0.12.1', {
      ports: [port('22', 'open', { name: 'ssh' })],
      extra: [notShown('closed', 999, '1-21,23-1000')],
    }),
  ]);
  const after = run([host('127.0.12.1', { extra: [notShown('filtered', 1000, '1-1000')] })]);
  assert.deepEqual(computeChanges(before, after), [
    {
      kind: 'port-closed',
      host: '127.0.12.1',
      port: 22,
      protocol: 'tcp',
      before: { state: 'open', service: { name: 'ssh' } },
      after: { state: 'filtered', notShown: true },
    },
  ]);
});

test('without extrareasons ports (old XML): the single extraports state, else the ambiguity stated', () => {
  const before = run([host('127.0.12.1', { ports: [port('22', 'open')], extra: [notShown('closed', 999)] })]);
  const single = computeChanges(before, run([host('127.0.12.1', { extra: [notShown('filtered', 1000)] })]));
  assert.deepEqual(single[0]!.after, { state: 'filtered', notShown: true });
  const two = computeChanges(
    before,
    run([host('127.0.12.1', { extra: [notShown('filtered', 600), notShown('closed', 400)] })]),
  );
  assert.equal(two[0]!.kind, 'port-state-changed');
  assert.deepEqual(two[0]!.after, { state: 'filtered or closed', notShown: true });
});

test('old XML with a group per protocol: the group whose count is that protocol’s unlisted ports', () => {
  const old = (state: string, count: number): ExtraPorts => ({
    state,
    count,
    reasons: [{ reason: 'r', count }],
  });
  const services = { tcp: '1-100', udp: '1-100' };
  const before = run(
    [
      host('127.0.12.1', {
        ports: [port('22', 'open')],
        extra: [old('filtered', 99), old('open|filtered', 100)],
      }),
    ],
    services,
  );
  const after = run(
    [
      host('127.0.12.1', {
        ports: [port('53/udp', 'open')],
        extra: [old('filtered', 100), old('open|filtered', 99)],
      }),
    ],
    services,
  );
  const changes = computeChanges(before, after);
  assert.deepEqual(
    changes.map((c) => [changeKey(c), c.before, c.after]),
    [
      ['127.0.12.1 22/tcp port-closed', { state: 'open' }, { state: 'filtered', notShown: true }],
      ['127.0.12.1 53/udp port-opened', { state: 'open|filtered', notShown: true }, { state: 'open' }],
    ],
  );
});

test('a port the current scan did not cover is never reported closed', () => {
  const before = run([host('127.0.12.1', { ports: [port('22', 'open'), port('8080', 'open')] })], {
    tcp: '22,8080',
  });
  const after = run([host('127.0.12.1', { ports: [port('22', 'open')] })], { tcp: '22' });
  assert.deepEqual(computeChanges(before, after), []);
});

test('a port the reference did not cover and that is not open now is no change', () => {
  const before = run([host('127.0.12.1', { ports: [port('22', 'open')] })], { tcp: '22' });
  const after = run([host('127.0.12.1', { ports: [port('22', 'open'), port('23', 'closed')] })], {
    tcp: '22,23',
  });
  assert.deepEqual(computeChanges(before, after), []);
});

test('changes in the count of "Not shown" ports are not changes', () => {
  const before = run([
    host('127.0.12.1', { ports: [port('22', 'open')], extra: [notShown('closed', 999, '1-21,23-1000')] }),
  ]);
  const after = run([
    host('127.0.12.1', {
      ports: [port('22', 'open'), port('25', 'filtered')],
      extra: [notShown('closed', 998, '1-21,23-24,26-1000')],
    }),
  ]);
  // 25 closed (not shown) -> filtered (listed) is a real state change; the count going 999 -> 998 is not.
  assert.deepEqual(keys(computeChanges(before, after)), ['127.0.12.1 25/tcp port-state-changed']);
});

test('service-changed on the same state; script-changed per script id', () => {
  const before = run([
    host('127.0.12.1', {
      ports: [
        port('22', 'open', { name: 'ssh', product: 'OpenSSH', version: '9.2p1' }),
        port('80', 'open', { name: 'http' }, [
          { id: 'http-title', output: 'Old' },
          { id: 'http-headers', output: 'Server: a' },
        ]),
      ],
    }),
  ]);
  const after = run([
    host('127.0.12.1', {
      ports: [
        port('22', 'open', { name: 'ssh', product: 'OpenSSH', version: '9.6p1' }),
        port('80', 'open', { name: 'http' }, [
          { id: 'http-title', output: 'New' },
          { id: 'banner', output: 'hello' },
        ]),
      ],
    }),
  ]);
  const changes = computeChanges(before, after);
  assert.deepEqual(keys(changes), [
    '127.0.12.1 22/tcp service-changed',
    '127.0.12.1 80/tcp script-changed banner',
    '127.0.12.1 80/tcp script-changed http-headers',
    '127.0.12.1 80/tcp script-changed http-title',
  ]);
  assert.deepEqual(changes[0]!.after, {
    state: 'open',
    service: { name: 'ssh', product: 'OpenSSH', version: '9.6p1' },
  });
  assert.deepEqual([changes[1]!.before, changes[1]!.after], [null, { id: 'banner', output: 'hello' }]);
  assert.deepEqual(
    [changes[2]!.before, changes[2]!.after],
    [{ id: 'http-headers', output: 'Server: a' }, null],
  );
  assert.deepEqual(changes[3]!.after, { id: 'http-title', output: 'New' });
});

test('host scripts and OS matches', () => {
  const before = run(
    [host('127.0.12.1', { os: ['Linux 5.0 - 5.14'], scripts: [{ id: 'smb-os', output: 'a' }] })],
    {
      tcp: '1-1000',
    },
  );
  const after = run([host('127.0.12.1', { os: ['Linux 6.1'], scripts: [{ id: 'smb-os', output: 'b' }] })]);
  assert.deepEqual(computeChanges(before, after), [
    {
      kind: 'os-changed',
      host: '127.0.12.1',
      before: { matches: ['Linux 5.0 - 5.14'] },
      after: { matches: ['Linux 6.1'] },
    },
    {
      kind: 'script-changed',
      host: '127.0.12.1',
      before: { id: 'smb-os', output: 'a' },
      after: { id: 'smb-os', output: 'b' },
    },
  ]);
  // A scan without -O says nothing about the OS.
  const noOs = run(
    [host('127.0.12.1', { scripts: [{ id: 'smb-os', output: 'a' }] })],
    { tcp: '1-1000' },
    'nmap -sT',
  );
  assert.deepEqual(computeChanges(before, noOs), []);
  const withOs = run(
    [host('127.0.12.1', { scripts: [{ id: 'smb-os', output: 'a' }] })],
    { tcp: '1-1000' },
    'nmap -O',
  );
  assert.deepEqual(keys(computeChanges(before, withOs)), ['127.0.12.1 os-changed']);
});

test('hosts are matched by address: a new PTR name is hostname-changed, a new MAC is mac-changed', () => {
  const before = run([
    host('127.0.12.1', { names: ['web-old.example'], mac: '02:00:00:00:00:01', ports: [port('80', 'open')] }),
  ]);
  const after = run([
    host('127.0.12.1', { names: ['web-new.example'], mac: '02:00:00:00:00:02', ports: [port('80', 'open')] }),
  ]);
  const changes = computeChanges(before, after);
  assert.deepEqual(keys(changes), ['127.0.12.1 hostname-changed', '127.0.12.1 mac-changed']);
  assert.deepEqual(changes[0]!.before, {
    state: 'up',
    hostnames: ['web-old.example'],
    mac: '02:00:00:00:00:01',
    macVendor: 'Acme',
  });
  assert.deepEqual((changes[0]!.after as { hostnames: string[] }).hostnames, ['web-new.example']);
});

test('MAC-only hosts are matched by MAC', () => {
  const before = run([host('02:00:00:00:00:0A', { ports: [port('80', 'open')] })]);
  const after = run([host('02:00:00:00:00:0a', { ports: [port('80', 'closed')] })]);
  assert.deepEqual(keys(computeChanges(before, after)), ['02:00:00:00:00:0A 80/tcp port-closed']);
});

test('host-added lists its open ports; host-removed and host-down are one change each', () => {
  const web = [port('22', 'open'), port('80', 'open'), port('81', 'closed')];
  const before = run([host('127.0.12.1', { ports: web }), host('127.0.12.2', { ports: web })]);
  const after = run([host('127.0.12.2', { state: 'down' }), host('127.0.12.3', { ports: web })]);
  const changes = computeChanges(before, after);
  assert.deepEqual(keys(changes), [
    '127.0.12.1 host-removed',
    '127.0.12.2 host-down',
    '127.0.12.3 host-added',
    '127.0.12.3 22/tcp port-opened',
    '127.0.12.3 80/tcp port-opened',
  ]);
  assert.deepEqual(changes[0]!.after, { state: 'absent', hostnames: [] });
  assert.deepEqual(changes[1]!.after, { state: 'down', hostnames: [] });
  assert.deepEqual(changes[3]!.before, { state: 'absent' });
});

test('host-up when a host that was down comes up; down or absent on both sides is nothing', () => {
  const before = run([host('127.0.12.1', { state: 'down' }), host('127.0.12.2', { state: 'down' })]);
  const after = run([host('127.0.12.1', { ports: [port('22', 'open')] })]);
  assert.deepEqual(keys(computeChanges(before, after)), [
    '127.0.12.1 host-up',
    '127.0.12.1 22/tcp port-opened',
  ]);
});

test('a timed-out host: only its listed ports count', () => {
  const before = run([host('127.0.12.1', { ports: [port('22', 'open'), port('80', 'open')] })]);
  const after = run([host('127.0.12.1', { timedOut: true, ports: [port('22', 'open')] })]);
  assert.deepEqual(computeChanges(before, after), []);
});

test('UDP and TCP on the same port number are different ports; open|filtered -> open is port-opened', () => {
  const before = run(
    [host('127.0.12.1', { ports: [port('53/udp', 'open|filtered'), port('53/tcp', 'open')] })],
    {
      tcp: '53',
      udp: '53',
    },
  );
  const after = run(
    [host('127.0.12.1', { ports: [port('53/udp', 'open'), port('53/tcp', 'open|filtered')] })],
    {
      tcp: '53',
      udp: '53',
    },
  );
  assert.deepEqual(keys(computeChanges(before, after)), [
    '127.0.12.1 53/tcp port-state-changed',
    '127.0.12.1 53/udp port-opened',
  ]);
});

test('order: IPv4 numerically, then IPv6 numerically; host changes before port changes', () => {
  const addrs = ['127.0.12.10', '::1', '127.0.12.9', 'fe80::1', '10.0.0.1', '::ffff:1.2.3.4'];
  const before = run(addrs.map((a) => host(a, { names: ['x'] })));
  const after = run(addrs.map((a) => host(a, { names: ['y'], ports: [port('22', 'open')] })));
  const changes = computeChanges(before, after);
  assert.deepEqual(
    changes.map((c) => `${c.host} ${c.kind}`),
    [
      '10.0.0.1 hostname-changed',
      '10.0.0.1 port-opened',
      '127.0.12.9 hostname-changed',
      '127.0.12.9 port-opened',
      '127.0.12.10 hostname-changed',
      '127.0.12.10 port-opened',
      '::1 hostname-changed',
      '::1 port-opened',
      '::ffff:1.2.3.4 hostname-changed',
      '::ffff:1.2.3.4 port-opened',
      'fe80::1 hostname-changed',
      'fe80::1 port-opened',
    ],
  );
  // The same inputs in another order give the same output.
  const reversed = computeChanges(run([...before.hosts].reverse()), run([...after.hosts].reverse()));
  assert.deepEqual(reversed, changes);
});
