// The first launch: the settings window welcomes the user with what Portwatch does and a first profile
// suggested from this machine's own network, which is saved (and so ever scanned) only when the user adds it.
// The suggestion itself comes from the interfaces (src/engine/api/local-networks.ts).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright';
import { localNetworks } from '../src/engine/api/local-networks.ts';
import { chromiumMissing, launchChromium, newWatchedPage } from './support/browser.ts';
import { openBridge, type Bridge } from './support/ipc-bridge.ts';

const shots = path.resolve(import.meta.dirname, '..', 'test-results', 'screenshots');
const skip = chromiumMissing();

const iface = (address: string, cidr: string, internal = false): os.NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal,
  cidr,
});

test("this machine's networks: IPv4, no loopback or link-local, at most a /24, the LAN before containers", () => {
  const found = localNetworks({
    lo: [iface('127.0.0.1', '127.0.0.1/8', true)],
    docker0: [iface('172.17.0.1', '172.17.0.1/16')],
    wlan0: [
      iface('192.168.1.23', '192.168.1.23/24'),
      {
        ...iface('fe80::1', 'fe80::1/64'),
        family: 'IPv6',
        netmask: 'ffff:ffff:ffff:ffff::',
        scopeid: 2,
      },
    ],
    eth0: [iface('10.20.30.40', '10.20.30.40/16'), iface('169.254.3.4', '169.254.3.4/16')],
    wg0: [iface('10.8.0.2', '10.8.0.2/32')],
  });
  assert.deepEqual(
    found.map((n) => n.label),
    ['192.168.1.0/24 (wlan0)', '10.20.30.0/24 (eth0)', '172.17.0.0/24 (docker0)', '10.8.0.2/32 (wg0)'],
  );
  // On this machine, whatever it has: well-formed and never loopback.
  for (const n of localNetworks()) {
    assert.match(n.cidr, /^\d+\.\d+\.\d+\.\d+\/(2[4-9]|3[0-2])$/);
    assert.ok(!n.cidr.startsWith('127.'));
  }
});

let browser: Browser;
let bridge: Bridge;

before(async () => {
  if (skip) return;
  browser = await launchChromium();
  // Written into the form only; this test never saves it, so nothing outside loopback is ever scanned.
  bridge = await openBridge({
    host: '127.0.101.20',
    localNetworks: [
      { cidr: '192.168.1.0/24', interface: 'wlan0', label: '192.168.1.0/24 (wlan0)' },
      { cidr: '10.20.30.0/24', interface: 'eth0', label: '10.20.30.0/24 (eth0)' },
    ],
  });
  await mkdir(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await bridge?.close();
});

test(
  'first launch: a welcome, and a first profile pre-filled with this network, saved only when confirmed',
  { skip },
  async () => {
    const { page, problems, context } = await newWatchedPage(browser);
    try {
      await bridge.attach(page);
      await page.goto(bridge.url('settings.html'));
      const welcome = page.getByTestId('welcome');
      await welcome.getByRole('heading', { name: 'Welcome to Portwatch' }).waitFor();
      await welcome.getByText(/tells you when their open ports change/).waitFor();
      await welcome.locator('strong', { hasText: '192.168.1.0/24 (wlan0)' }).waitFor();
      const targets = page.getByLabel('Targets', { exact: true });
      assert.equal(await targets.inputValue(), '192.168.1.0/24');
      assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Home network');
      await page.screenshot({ path: path.join(shots, 'settings-welcome.png') });

      // Another of the machine's networks can be chosen instead.
      await welcome.getByLabel('Network').selectOption('10.20.30.0/24');
      await page.waitForFunction(
        () => (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value === '10.20.30.0/24',
      );
      assert.equal(await targets.inputValue(), '10.20.30.0/24');

      // Nothing is saved, nor scanned, until the user adds the profile.
      const listed = await bridge.handlers.listProfiles({});
      assert.ok(listed.ok && listed.value.length === 0);
      assert.ok(!bridge.calls.includes('saveProfile') && !bridge.calls.includes('scanNow'));
      assert.ok(!bridge.calls.includes('captureReference'));
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);
