// The change model on the real nmap fixtures (test/fixtures/scans), read by the real parser: exact changes
// for every scenario, including the three places where it tells more than ndiff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { computeChanges } from '../src/engine/diff/changes.ts';
import { runCounts } from '../src/engine/nmap/hosts.ts';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { changeKey, type Change } from '../src/shared/changes.ts';

const scans = path.join(import.meta.dirname, 'fixtures', 'scans');

function changesOf(scenario: string): Change[] {
  const before = parseNmapXmlFile(path.join(scans, `${scenario}-before.xml`));
  const after = parseNmapXmlFile(path.join(scans, `${scenario}-after.xml`));
  return computeChanges(before, after);
}

test('tcp: ports open and close across several hosts; a host leaves and one joins the target list', () => {
  assert.deepEqual(changesOf('tcp'), [
    {
      kind: 'port-closed',
      host: '127.0.12.1',
      port: 20080,
      protocol: 'tcp',
      before: { state: 'open', service: { name: 'unknown' } },
      after: { state: 'closed', notShown: true },
    },
    {
      kind: 'port-opened',
      host: '127.0.12.1',
      port: 20081,
      protocol: 'tcp',
      before: { state: 'closed', notShown: true },
      after: { state: 'open' },
    },
    {
      kind: 'port-opened',
      host: '127.0.12.1',
      port: 21000,
      protocol: 'tcp',
      before: { state: 'unscanned' },
      after: { state: 'open', service: { name: 'irtrans' } },
    },
    {
      kind: 'port-opened',
      host: '127.0.12.2',
      port: 20025,
      protocol: 'tcp',
      before: { state: 'closed', notShown: true },
      after: { state: 'open' },
    },
    {
      kind: 'host-removed',
      host: '127.0.12.3',
      before: { state: 'up', hostnames: [] },
      after: { state: 'absent', hostnames: [] },
    },
    {
      kind: 'host-added',
      host: '127.0.12.4',
      before: { state: 'absent', hostnames: [] },
      after: { state: 'up', hostnames: [] },
    },
    {
      kind: 'port-opened',
      host: '127.0.12.4',
      port: 20022,
      protocol: 'tcp',
      before: { state: 'absent' },
      after: { state: 'open' },
    },
  ]);
});

test('tcp (unlike ndiff): 20200, open but outside the current port list, is not reported closed', () => {
  const keys = changesOf('tcp').map(changeKey);
  assert.equal(keys.filter((k) => k.includes(' 20200/')).length, 0);
  // ...and 21000, open but outside the reference's list, says it was unscanned, not closed.
  const opened = changesOf('tcp').find((c) => c.kind === 'port-opened' && c.port === 21000);
  assert.deepEqual(opened?.before, { state: 'unscanned' });
});

test('version: -sV product/version/extrainfo changes are service-changed', () => {
  assert.deepEqual(changesOf('version'), [
    {
      kind: 'service-changed',
      host: '127.0.12.5',
      port: 20022,
      protocol: 'tcp',
      before: {
        state: 'open',
        service: {
          name: 'ssh',
          product: 'OpenSSH',
          version: '9.2p1 Debian 2+deb12u3',
          extrainfo: 'protocol 2.0',
        },
      },
      after: {
        state: 'open',
        service: {
          name: 'ssh',
          product: 'OpenSSH',
          version: '9.6p1 Ubuntu 3ubuntu13.5',
          extrainfo: 'Ubuntu Linux; protocol 2.0',
        },
      },
    },
    {
      kind: 'service-changed',
      host: '127.0.12.5',
      port: 20080,
      protocol: 'tcp',
      before: { state: 'open', service: { name: 'http', product: 'nginx', version: '1.22.1' } },
      after: { state: 'open', service: { name: 'http', product: 'nginx', version: '1.24.0' } },
    },
  ]);
});

test('scripts: one script-changed per script id, several on one port (where ndiff crashes)', () => {
  const changes = changesOf('scripts');
  assert.deepEqual(changes.map(changeKey), [
    '127.0.12.6 20025/tcp script-changed banner',
    '127.0.12.6 20080/tcp script-changed http-headers',
    '127.0.12.6 20080/tcp script-changed http-title',
  ]);
  assert.deepEqual(changes[0]!.before, {
    id: 'banner',
    output: '220 mail.fixture.test ESMTP Postfix (Debian/GNU)',
  });
  assert.deepEqual(changes[0]!.after, {
    id: 'banner',
    output: '220 mx1.fixture.test ESMTP Postfix (Debian/GNU)',
  });
  assert.deepEqual(changes[2]!.before, { id: 'http-title', output: 'Welcome to nginx!' });
  assert.deepEqual(changes[2]!.after, { id: 'http-title', output: 'Portal - sign in' });
  const headers = changes[1]!.after as { output: string };
  assert.match(headers.output, /Content-Length: 119/);
});

test('udp: a responder moving from one port to another', () => {
  assert.deepEqual(changesOf('udp'), [
    {
      kind: 'port-closed',
      host: '127.0.12.7',
      port: 20061,
      protocol: 'udp',
      before: { state: 'open' },
      after: { state: 'closed', notShown: true },
    },
    {
      kind: 'port-opened',
      host: '127.0.12.7',
      port: 20069,
      protocol: 'udp',
      before: { state: 'closed', notShown: true },
      after: { state: 'open', service: { name: 'unknown' } },
    },
  ]);
});

test('ipv6: changes on ::1', () => {
  assert.deepEqual(changesOf('ipv6').map(changeKey), [
    '::1 20643/tcp port-opened',
    '::1 20680/tcp port-closed',
  ]);
});

test('host-down: one host-down, not a port-closed per port', () => {
  assert.deepEqual(changesOf('host-down'), [
    {
      kind: 'host-down',
      host: '10.123.0.3',
      before: { state: 'up', hostnames: [], mac: '02:00:00:7B:00:02' },
      after: { state: 'down', hostnames: [] },
    },
  ]);
});

test('firewall (unlike ndiff): open -> "Not shown: 99 filtered ports" is port-closed, after.state filtered', () => {
  assert.deepEqual(changesOf('firewall'), [
    {
      kind: 'port-closed',
      host: '10.123.0.2',
      port: 22,
      protocol: 'tcp',
      before: { state: 'open', service: { name: 'ssh' } },
      after: { state: 'filtered', notShown: true },
    },
  ]);
});

test('names (unlike ndiff): a new PTR name and a new MAC on the same address are one host changing', () => {
  assert.deepEqual(changesOf('names'), [
    {
      kind: 'hostname-changed',
      host: '10.123.0.2',
      before: { state: 'up', hostnames: ['web-old.fixture.test'], mac: '02:00:00:7B:00:02' },
      after: { state: 'up', hostnames: ['web-new.fixture.test'], mac: '02:00:00:7B:01:02' },
    },
    {
      kind: 'mac-changed',
      host: '10.123.0.2',
      before: { state: 'up', hostnames: ['web-old.fixture.test'], mac: '02:00:00:7B:00:02' },
      after: { state: 'up', hostnames: ['web-new.fixture.test'], mac: '02:00:00:7B:01:02' },
    },
  ]);
});

test('every fixture compared with itself: no changes', () => {
  for (const scenario of ['tcp', 'version', 'scripts', 'udp', 'ipv6', 'host-down', 'firewall', 'names']) {
    for (const side of ['before', 'after']) {
      const run = parseNmapXmlFile(path.join(scans, `${scenario}-${side}.xml`));
      assert.deepEqual(computeChanges(run, run), [], `${scenario}-${side}`);
    }
  }
});

test("a run's counts (the history's and the references' one count): hosts up, hosts scanned, open ports", () => {
  const before = parseNmapXmlFile(path.join(scans, 'tcp-before.xml'));
  const after = parseNmapXmlFile(path.join(scans, 'tcp-after.xml'));
  assert.deepEqual(runCounts(after), { hostsUp: 3, hostsScanned: 3, openPorts: 6 });
  assert.equal(runCounts(before).openPorts, 5);
});
