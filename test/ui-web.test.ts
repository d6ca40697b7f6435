// The browser UI end to end, with no test bridge: the real `portwatch watch --ui` process (its HTTP server,
// the built pages in dist/web), real Chromium, real nmap against loopback listeners. Open the printed login
// link, add a profile, capture a reference, change the listeners, press Scan now and watch its progress, see
// the change in the history, accept it, and export it as a CSV file that is downloaded and read.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright';
import { chromiumMissing, launchChromium, newWatchedPage } from './support/browser.ts';
import { closedPort, Listeners } from './support/listeners.ts';

const HOST = '127.0.111.1';
const root = path.resolve(import.meta.dirname, '..');
const shots = path.join(root, 'test-results', 'screenshots');
const skip = chromiumMissing();

let browser: Browser;
let dataDir: string;
let watch: ChildProcess;
let stderr = '';
const net = new Listeners();

/** Starts `portwatch watch --ui` and resolves to the login link it prints. */
function startWatch(): Promise<string> {
  watch = spawn(
    path.join(root, 'bin', 'portwatch'),
    ['--data-dir', dataDir, 'watch', '--ui', '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    watch.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const link = /Portwatch UI: open (http:\/\/\S+)/.exec(stderr)?.[1];
      if (link) resolve(link);
    });
    watch.on('exit', (code) => reject(new Error(`watch --ui exited ${code}: ${stderr}`)));
  });
}

before(async () => {
  if (skip) return;
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-ui-web-'));
  await mkdir(shots, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  if (watch && watch.exitCode === null) {
    const exited = new Promise((resolve) => watch.on('exit', resolve));
    watch.kill('SIGTERM');
    await exited;
  }
  await browser?.close();
  await net.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test(
  'in a browser: login link, profile, capture, Scan now with progress, the change in history, accept, CSV',
  { skip },
  async () => {
    const kept = await net.tcp({ host: HOST });
    const closing = await net.tcp({ host: HOST });
    const opening = await closedPort(HOST);
    // Ten ports at nmap's "polite" speed take a few seconds, long enough for its progress reports (every 2 s).
    const extra = await Promise.all(Array.from({ length: 7 }, () => closedPort(HOST)));
    const ports = [kept.port, closing.port, opening, ...extra];

    const link = await startWatch();
    const { page, problems, context } = await newWatchedPage(browser, { height: 900 });
    const nav = page.getByRole('navigation', { name: 'Portwatch pages' });

    // The link signs in and leaves no token in the address bar; the cookie is out of the page's reach.
    await page.goto(link);
    await page.waitForURL(/\/status\.html$/);
    assert.ok(!page.url().includes('token'), page.url());
    const [cookie] = await context.cookies();
    assert.equal(cookie?.name, 'portwatch_session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '');
    await page.getByText('No profiles yet').waitFor();

    // Settings: the app's own window code, over HTTP.
    await nav.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Add a profile' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Loopback');
    await page.getByLabel('Targets', { exact: true }).fill(HOST);
    await page.getByLabel('Ports').selectOption('list');
    await page.getByLabel('Port list').fill(ports.join(','));
    await page.getByLabel('Schedule kind').selectOption('manual');
    await page.getByLabel('Look up host names (reverse DNS)').uncheck();
    await page.getByLabel('Treat every host as up (-Pn)').check();
    await page.getByLabel('Detect service versions (-sV)').uncheck();
    await page.getByLabel('Speed').selectOption('2');
    await page.getByRole('button', { name: 'Add profile', exact: true }).click();
    await page.getByRole('heading', { name: 'Loopback', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Capture now' }).click();
    const captured = page.getByTestId('reference-notice');
    await captured.waitFor({ timeout: 60_000 }).catch(async (error: Error) => {
      await page.screenshot({ path: path.join(shots, 'web-capture-failed.png'), fullPage: true });
      throw new Error(`${error.message}\nwatch said: ${stderr}\npage problems: ${problems.join('\n')}`);
    });
    assert.match(await captured.innerText(), /Captured: 1 host, 2 open ports/);
    await page.screenshot({ path: path.join(shots, 'web-settings.png'), fullPage: true });

    // The listeners change: one port closes, another opens.
    await closing.close();
    await net.tcp({ host: HOST, port: opening });

    // The status page does the tray's job: Scan now, with nmap's progress as it arrives.
    await nav.getByRole('link', { name: 'Status' }).click();
    const row = page.getByTestId('profile-Loopback');
    await row.waitFor();
    await row.getByRole('button', { name: 'Scan now' }).click();
    const progress = row.getByRole('progressbar');
    await progress.waitFor({ timeout: 30_000 });
    assert.match((await progress.getAttribute('aria-valuenow')) ?? '', /^\d+$/);
    await page.screenshot({ path: path.join(shots, 'web-status-scanning.png') });
    await page
      .getByTestId('overall-state')
      .filter({ hasText: 'Changes to review' })
      .waitFor({ timeout: 60_000 });
    assert.match(await row.innerText(), /2 changes/);
    await page.screenshot({ path: path.join(shots, 'web-status.png') });

    // The change in the history (opened from the status page's last-scan link, as a notification would).
    await row.getByRole('link').click();
    await page.waitForURL(/\/history\.html\?scan=/);
    const detail = page.getByTestId('scan-detail');
    await detail.getByText('2 changes').first().waitFor();
    const ndiff = await page.getByTestId('ndiff-text').innerText();
    assert.match(ndiff, new RegExp(`\\+${opening}/tcp`));
    assert.match(ndiff, new RegExp(`-${closing.port}/tcp`));

    // Exported as a file the browser downloads.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      detail.getByRole('button', { name: 'CSV' }).click(),
    ]);
    assert.match(csv.suggestedFilename(), /\.csv$/);
    const csvText = await readFile((await csv.path())!, 'utf8');
    assert.match(csvText, /^scan,profile,started,host,port,protocol,kind,before,after\r\n/);
    assert.ok(csvText.includes(`${HOST},${opening},tcp,port-opened`), csvText);
    assert.ok(csvText.includes(`${HOST},${closing.port},tcp,port-closed`), csvText);

    await detail.getByRole('button', { name: 'Accept as new reference' }).click();
    await page.getByTestId('accept-notice').filter({ hasText: 'This scan is now the reference' }).waitFor();
    await page.screenshot({ path: path.join(shots, 'web-history.png') });

    // The reference now has the opened port and not the closed one.
    await nav.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Loopback', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Show ports' }).click();
    const table = page.getByRole('table', { name: 'Ports in the reference' });
    const rows = (await table.locator('tbody tr').allInnerTexts()).join('\n');
    assert.match(rows, new RegExp(`${opening}/tcp\\s+open`));
    assert.match(rows, new RegExp(`${closing.port}/tcp\\s+closed`));

    // Each state-changing request left one line in the log, without secrets.
    assert.match(stderr, /\[web\] 127\.0\.0\.1 saveProfile: profile 'Loopback' added/);
    assert.match(stderr, /\[web\] 127\.0\.0\.1 captureReference: profile 'Loopback': reference captured/);
    assert.match(stderr, /\[web\] 127\.0\.0\.1 scanNow: scan started: 'Loopback'/);
    assert.match(stderr, /\[web\] 127\.0\.0\.1 acceptScan: scan \S+ accepted as the reference/);
    const logFile = await readFile(path.join(dataDir, 'portwatch.log'), 'utf8');
    assert.match(logFile, /INFO \[web\] 127\.0\.0\.1 saveProfile: profile 'Loopback' added/);
    assert.deepEqual(problems, []);
    await context.close();
  },
);
