// One host key (src/engine/diff/host-key.ts) for the change model and the monitor: the confirmation rescan
// finds the reference's host of a host-level change, even when nmap lists an IPv6 address before the IPv4
// one. (Before, the monitor named that host by its first address and the change model by its IPv4: the
// rescan never found the host's ports.) Addresses: 127.0.91.0/24 (this suite's range).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Monitor } from '../src/engine/monitor/monitor.ts';
import { Listeners, nmapXml } from './support/listeners.ts';

test('the confirmation rescan looks again at the open ports of a host the change model names by IPv4', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-hostkey-'));
  const listeners = new Listeners();
  const monitor = new Monitor({ dataDir, isOffline: () => false });
  t.after(async () => {
    await monitor.stop();
    await listeners.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const kept = '127.0.91.31';
  const gone = '127.0.91.30';
  const a = await listeners.tcp({ host: kept });
  const b = await listeners.tcp({ host: gone });
  monitor.addProfile({
    name: 'keys',
    targets: [kept],
    options: { ports: { kind: 'list', spec: String(a.port) }, timing: 4, resolveHostnames: false },
  });
  // The reference had a second host, listed with an IPv6 address first, with a port open that the profile's
  // own port list does not cover; the profile no longer scans that host.
  const xml = (await nmapXml(['-n', '-sT', '-p', `${a.port},${b.port}`, kept, gone])).replace(
    `<address addr="${gone}" addrtype="ipv4"/>`,
    `<address addr="fe80::91:30" addrtype="ipv6"/><address addr="${gone}" addrtype="ipv4"/>`,
  );
  assert.match(xml, /fe80::91:30/);
  monitor.importReferenceXml('keys', xml, 'reference.xml');

  const outcome = await monitor.scanNow('keys');
  assert.equal(outcome.entry.status, 'ok', outcome.entry.reason);
  const confirmation = outcome.entry.confirmation;
  assert.ok(confirmation, 'the host-level change was rescanned');
  assert.ok(confirmation.args.includes(gone), confirmation.args.join(' '));
  // The rescan covers the port the host had open in the reference: its key matched the change's host.
  assert.match(confirmation.args.join(' '), new RegExp(`\\b${b.port}\\b`), confirmation.args.join(' '));
});
