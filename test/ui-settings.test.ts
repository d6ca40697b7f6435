// The settings window in real Chromium, against the real request handlers and engine (test/support/ipc-bridge.ts):
// add a profile (bad targets first), import a reference made by a real nmap scan of a loopback listener, set up
// email and send a test message to a real SMTP server on loopback.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright';
import { loadSettings } from '../src/engine/config/settings-file.ts';
import { chromiumMissing, launchChromium, newWatchedPage } from './support/browser.ts';
import { openBridge, type Bridge } from './support/ipc-bridge.ts';
import { Listeners, nmapXml } from './support/listeners.ts';
import { TestSmtpServer } from './support/smtp.ts';
import { HttpReceiver } from './support/http-receiver.ts';

const HOST = '127.0.50.21';
const SMTP_HOST = '127.0.50.22';
const shots = path.resolve(import.meta.dirname, '..', 'test-results', 'screenshots');
const skip = chromiumMissing();

let browser: Browser;
let bridge: Bridge;
const net = new Listeners();
let scratch: string;

before(async () => {
  if (skip) return;
  browser = await launchChromium();
  bridge = await openBridge({ host: '127.0.50.20' });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'portwatch-ui-settings-'));
  await mkdir(shots, { recursive: true });
});

after(async () => {
  await net.close();
  await browser?.close();
  await bridge?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('add a profile: bad targets are explained as they are typed, good ones save', { skip }, async () => {
  const { page, problems, context } = await newWatchedPage(browser);
  await bridge.attach(page);
  await page.goto(bridge.url('settings.html'));
  await page.getByRole('heading', { name: 'Add a profile' }).waitFor();

  await page.getByLabel('Name', { exact: true }).fill('Lab servers');
  const targets = page.getByLabel('Targets', { exact: true });
  await targets.fill(`${HOST}\n10.0.0.300\n-sS`);
  const errors = page.locator(`[id="${await targets.getAttribute('id')}-error"]`);
  await errors.waitFor();
  const text = await errors.innerText();
  assert.match(text, /target 2 \(10\.0\.0\.300\)/);
  assert.match(text, /target 3 \(-sS\)/);
  assert.equal(await targets.getAttribute('aria-invalid'), 'true');
  await page.screenshot({ path: path.join(shots, 'settings-validation.png') });

  // Saving while a field is wrong is refused in the window, with the reason.
  await page.getByRole('button', { name: 'Add profile', exact: true }).click();
  await page.getByTestId('profile-save-error').waitFor();
  const none = await bridge.handlers.listProfiles({});
  assert.ok(none.ok && none.value.length === 0, 'nothing was saved');

  await targets.fill(HOST);
  await errors.waitFor({ state: 'detached' });
  assert.equal(await targets.getAttribute('aria-invalid'), 'false');
  await page.getByText('1 target, 1 address').waitFor();

  // Ports: a list, checked with the shared rules as typed.
  await page.getByLabel('Ports').selectOption('list');
  const ports = page.getByLabel('Port list');
  await ports.fill('22,80-');
  await page.getByText(/open-ended/).waitFor();
  await ports.fill('22,80,443');

  // The schedule is described in words with its next runs; a broken cron expression is explained.
  await page.getByLabel('Schedule kind').selectOption('cron');
  await page.getByLabel('Cron expression').fill('0 7 * *');
  await page.getByText(/cron needs 5/).waitFor();
  await page.getByLabel('Cron expression').fill('30 6 * * 1-5');
  const description = page.getByTestId('schedule-description');
  await description.waitFor();
  assert.match(await description.innerText(), /next:/);

  // Tests keep DNS on loopback: no reverse lookups (the switch is saved with the profile).
  await page.getByLabel('Look up host names (reverse DNS)').uncheck();

  await page.getByRole('button', { name: 'Add profile', exact: true }).click();
  await page.getByRole('heading', { name: 'Lab servers', level: 1 }).waitFor();
  const saved = await bridge.handlers.listProfiles({});
  assert.ok(saved.ok);
  const profile = saved.value[0]!.profile;
  assert.deepEqual(profile.targets, [HOST]);
  assert.deepEqual(profile.options.ports, { kind: 'list', spec: '22,80,443' });
  assert.deepEqual(profile.schedule, { kind: 'cron', expression: '30 6 * * 1-5' });
  assert.equal(profile.options.resolveHostnames, false);

  // Leaving a form with unsaved edits asks first; keeping them keeps them, discarding leaves.
  await page.getByLabel('Targets', { exact: true }).fill(`${HOST}\n127.0.50.23`);
  await page.getByRole('button', { name: 'Email', exact: true }).click();
  const ask = page.getByRole('alertdialog', { name: 'Unsaved changes' });
  await ask.waitFor();
  await ask.getByRole('button', { name: 'Keep editing' }).click();
  assert.equal(await page.getByLabel('Targets', { exact: true }).inputValue(), `${HOST}\n127.0.50.23`);
  await page.getByRole('button', { name: 'Email', exact: true }).click();
  await ask.getByRole('button', { name: 'Discard changes' }).click();
  await page.getByRole('heading', { name: 'Email reports' }).waitFor();
  const unchanged = await bridge.handlers.listProfiles({});
  assert.ok(unchanged.ok);
  assert.deepEqual(unchanged.value[0]!.profile.targets, [HOST]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('import a reference from a real nmap scan, then view its ports', { skip }, async () => {
  const web = await net.http({ host: HOST, server: 'nginx/1.22.1', title: 'Welcome' });
  const ssh = await net.tcp({ host: HOST, banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' });
  const xml = await nmapXml(['-n', '-Pn', '-sT', '-sV', '-p', `${web.port},${ssh.port}`, HOST]);
  const file = path.join(scratch, 'reference.xml');
  await writeFile(file, xml);
  // The profile from the first test, or a fresh one when this test runs alone.
  const list = await bridge.handlers.listProfiles({});
  if (list.ok && list.value.length === 0)
    await bridge.handlers.saveProfile({
      profile: {
        name: 'Lab servers',
        targets: [HOST],
        options: {
          ports: { kind: 'list', spec: '22,80,443' },
          technique: 'connect',
          serviceDetection: true,
          osDetection: false,
          timing: 3,
          skipHostDiscovery: false,
          confirmChanges: true,
          timeoutSeconds: 600,
        },
        schedule: { kind: 'daily', time: '07:00' },
        watchdogHours: 0,
      },
    });

  const { page, problems, context } = await newWatchedPage(browser, { height: 1000 });
  await bridge.attach(page);
  await page.goto(bridge.url('settings.html'));
  await page.getByRole('heading', { name: 'Lab servers', level: 1 }).waitFor();

  // A file that is not nmap XML is refused with a one-line reason.
  const bad = path.join(scratch, 'notes.xml');
  await writeFile(bad, '<notes><note>hello</note></notes>');
  await page.getByTestId('reference-file').setInputFiles(bad);
  const refused = page.getByTestId('reference-error');
  await refused.waitFor();
  assert.match(await refused.innerText(), /notes\.xml/);

  await page.getByTestId('reference-file').setInputFiles(file);
  const notice = page.getByTestId('reference-notice');
  await notice.waitFor();
  assert.match(await notice.innerText(), /Imported reference\.xml: 1 host, 2 open ports/);
  const summary = await page.getByTestId('reference-summary').innerText();
  assert.match(summary, /imported from a file/);

  await page.getByRole('button', { name: 'Show ports' }).click();
  const table = page.getByRole('table', { name: 'Ports in the reference' });
  await table.waitFor();
  const rows = await table.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 2);
  assert.ok(
    rows.some((r) => r.includes(`${web.port}/tcp`) && /nginx/.test(r)),
    rows.join('\n'),
  );
  assert.ok(
    rows.some((r) => r.includes(`${ssh.port}/tcp`) && /OpenSSH/.test(r)),
    rows.join('\n'),
  );

  const ref = await bridge.handlers.getReference({ profile: 'Lab servers' });
  assert.ok(ref.ok && ref.value.summary?.openPorts === 2);
  await page.screenshot({ path: path.join(shots, 'settings-profile.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test(
  'email: the test message goes to a real SMTP server and its answer shows inline; a bad port is explained',
  { skip },
  async () => {
    const smtp = await new TestSmtpServer({ host: SMTP_HOST, security: 'none' }).start();
    try {
      const { page, problems, context } = await newWatchedPage(browser, { height: 1100 });
      await bridge.attach(page);
      await page.goto(bridge.url('settings.html'));
      await page.getByRole('button', { name: 'Email', exact: true }).click();
      await page.getByRole('heading', { name: 'Email reports' }).waitFor();

      await page.getByLabel('Email me a report when ports change').check();
      await page.getByRole('button', { name: 'Other SMTP server' }).click();
      await page.getByLabel('Server').fill(SMTP_HOST);
      await page.getByLabel('Connection security').selectOption('none');
      await page.getByLabel('From').fill('portwatch@lab.example');
      await page.getByLabel('Recipients').fill('not-an-address');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText(/'not-an-address' is not an email address/).waitFor();
      await page.getByTestId('settings-save-error').waitFor();
      assert.equal(
        (await loadSettings(bridge.dataDir)).email.enabled,
        false,
        'an invalid form saves nothing',
      );

      await page.getByLabel('Recipients').fill('admin@lab.example\nops@lab.example');
      // First a port where nothing listens: the window says what is wrong.
      const closed = await net.tcp({ host: SMTP_HOST });
      const closedPort = closed.port;
      await closed.close();
      await page.getByLabel('Port and security').fill(String(closedPort));
      await page.getByRole('button', { name: 'Send test email' }).click();
      const result = page.getByTestId('test-email-result');
      await result.waitFor();
      assert.match(await result.innerText(), new RegExp(`${SMTP_HOST.replaceAll('.', '\\.')}:${closedPort}`));
      assert.match((await result.getAttribute('class')) ?? '', /error/);

      await page.getByLabel('Port and security').fill(String(smtp.port));
      await page.getByRole('button', { name: 'Send test email' }).click();
      await page.getByTestId('test-email-result').filter({ hasText: 'Sent to' }).waitFor();
      assert.equal(smtp.accepted.length, 1);
      assert.deepEqual(smtp.accepted[0]!.envelopeTo, ['admin@lab.example', 'ops@lab.example']);
      assert.match(await page.getByTestId('test-email-result').innerText(), /the server said: .*queued/);

      // The password is write-only: the window sees only whether it is set and where it is kept.
      assert.equal(await page.getByTestId('password-status').innerText(), 'Not set');
      await page.getByLabel('Password', { exact: true }).fill('s3cret-app-password');
      await page.getByRole('button', { name: 'Save password' }).click();
      await page.getByTestId('password-status').filter({ hasText: /^Set$/ }).waitFor();
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
      assert.equal(await bridge.opened.secrets.get(), 's3cret-app-password');

      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved.').waitFor();
      const saved = await loadSettings(bridge.dataDir);
      assert.equal(saved.email.enabled, true);
      assert.equal(saved.email.host, SMTP_HOST);
      assert.equal(saved.email.port, smtp.port);
      assert.deepEqual(saved.email.to, ['admin@lab.example', 'ops@lab.example']);
      await page.screenshot({ path: path.join(shots, 'settings-email.png'), fullPage: true });
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      await smtp.stop();
    }
  },
);

test('nmap page shows the detected nmap and what its privileges allow', { skip }, async () => {
  const { page, problems, context } = await newWatchedPage(browser, { colorScheme: 'dark' });
  await bridge.attach(page);
  await page.goto(bridge.url('settings.html'));
  await page.getByRole('button', { name: 'Nmap', exact: true }).click();
  const status = page.getByTestId('nmap-status');
  await status.waitFor();
  const text = await status.innerText();
  assert.match(text, /7\.\d+/);
  assert.match(text, /nmap/);
  await page.screenshot({ path: path.join(shots, 'settings-nmap-dark.png') });
  await page.getByRole('button', { name: 'Notifications', exact: true }).click();
  await page.getByRole('heading', { name: 'Desktop notifications' }).waitFor();
  await page.screenshot({ path: path.join(shots, 'settings-notifications-dark.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('capture a reference now (a real scan), and remove a profile after confirming', { skip }, async () => {
  const list = await bridge.handlers.listProfiles({});
  assert.ok(list.ok);
  const base = {
    targets: [HOST],
    options: {
      ports: { kind: 'list' as const, spec: '9,13' },
      technique: 'connect' as const,
      serviceDetection: false,
      osDetection: false,
      timing: 4 as const,
      skipHostDiscovery: true,
      confirmChanges: true,
      timeoutSeconds: 120,
      resolveHostnames: false, // tests keep DNS off the machine's (non-loopback) resolver
    },
    schedule: { kind: 'manual' as const },
    watchdogHours: 0,
  };
  assert.ok((await bridge.handlers.saveProfile({ profile: { ...base, name: 'Scratch' } })).ok);

  const { page, problems, context } = await newWatchedPage(browser);
  await bridge.attach(page);
  await page.goto(bridge.url('settings.html'));
  await page.getByRole('button', { name: 'Scratch', exact: true }).click();
  await page.getByRole('heading', { name: 'Scratch', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Capture now' }).click();
  const notice = page.getByTestId('reference-notice');
  await notice.waitFor();
  assert.match(await notice.innerText(), /^Captured: 1 host, 0 open ports\.$/);
  assert.match(await page.getByTestId('reference-summary').innerText(), /captured by a scan/);

  await page.getByRole('button', { name: 'Remove profile…' }).click();
  await page.getByText('Remove “Scratch”, its reference and its history?').waitFor();
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await page.getByRole('button', { name: 'Scratch', exact: true }).waitFor({ state: 'detached' });
  const after = await bridge.handlers.listProfiles({});
  assert.ok(after.ok && !after.value.some((v) => v.profile.name === 'Scratch'));
  assert.deepEqual(problems, []);
  await context.close();
});

test(
  'channels: add one (a bad URL explained first), test it and see the answer, remove it',
  { skip },
  async () => {
    const receiver = await new HttpReceiver('127.0.121.8').start();
    try {
      receiver.answer = () => ({ status: 200, body: '{"id":"ui1","event":"message"}' });
      const { page, problems, context } = await newWatchedPage(browser);
      await bridge.attach(page);
      await page.goto(bridge.url('settings.html'));
      await page.getByRole('button', { name: 'Channels', exact: true }).click();
      await page.getByRole('heading', { name: 'Add a channel' }).waitFor();
      await page.getByText('No channels yet.').waitFor();

      await page.getByLabel('Channel name').fill('phone');
      await page.getByLabel('URL', { exact: true }).fill('http://ntfy.example.com/topic');
      await page.getByRole('button', { name: 'Add channel' }).click();
      await page.getByText('use the https:// address').waitFor();
      const none = await bridge.handlers.listChannels({});
      assert.ok(none.ok && none.value.length === 0, 'nothing was added');

      const url = receiver.url('/ui-topic-K7pQ');
      await page.getByLabel('URL', { exact: true }).fill(url);
      await page.getByLabel('Access token').fill('tk_ui_secret');
      await page.getByRole('button', { name: 'Add channel' }).click();
      const row = page.getByTestId('channel-phone');
      await row.waitFor();
      const shown = await row.innerText();
      assert.match(shown, /127\.0\.121\.8:\d+ …K7pQ/);
      assert.ok(!shown.includes('ui-topic'), 'the URL is never shown in full');
      assert.ok(!(await page.content()).includes('tk_ui_secret'), 'nor the token');
      assert.equal(await page.getByLabel('URL', { exact: true }).inputValue(), '', 'the form is cleared');

      await row.getByRole('button', { name: 'Test' }).click();
      const answer = page.getByTestId('channel-answer');
      await answer.waitFor();
      assert.match(
        await answer.innerText(),
        /^Sent\. The server said: delivered \(HTTP 200: \{"id":"ui1","event":"message"\}\)$/,
      );
      assert.equal(receiver.requests.length, 1);
      assert.equal(receiver.requests[0]!.headers.authorization, 'Bearer tk_ui_secret');

      receiver.answer = () => ({ status: 404, body: 'not found' });
      await row.getByRole('button', { name: 'Test' }).click();
      await page.getByTestId('channel-answer').filter({ hasText: 'webhook was deleted' }).waitFor();
      await page.screenshot({ path: path.join(shots, 'settings-channels.png'), fullPage: true });

      await row.getByRole('button', { name: 'Remove' }).click();
      await row.waitFor({ state: 'detached' });
      const after = await bridge.handlers.listChannels({});
      assert.ok(after.ok && after.value.length === 0);
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      await receiver.stop();
    }
  },
);
