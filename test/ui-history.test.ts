// The history window in real Chromium, against the real handlers and engine: real nmap scans of loopback
// listeners that open and close ports between scans, then the timeline, the chart, a scan's detail, accepting
// it as the reference, exporting it, opening the window on a scan (as a notification click does), and a
// 20,000-scan history that stays virtualised.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright';
import type { HistoryEntry } from '../src/shared/history.ts';
import type { ProfileInput } from '../src/shared/ipc.ts';
import { chromiumMissing, launchChromium, newWatchedPage } from './support/browser.ts';
import { openBridge, type Bridge } from './support/ipc-bridge.ts';
import { Listeners, type Listener } from './support/listeners.ts';
import { manualProfile } from './support/profiles.ts';

const WEB = '127.0.50.31';
const DB = '127.0.50.32';
const shots = path.resolve(import.meta.dirname, '..', 'test-results', 'screenshots');
const skip = chromiumMissing();

let browser: Browser;
let bridge: Bridge;
const net = new Listeners();
/** The scans, oldest first: reference capture, no change, two ports opened, then SSH closed too. */
const scans: HistoryEntry[] = [];
let ports: { web: number; ssh: number; extra: number; db: number };

function labProfile(portList: number[]): ProfileInput {
  return manualProfile('Lab', [WEB, DB], portList.join(','));
}

/** A port that was free a moment ago on `host` (listen on port 0, note it, close). */
async function freePort(host: string): Promise<number> {
  const probe = await net.tcp({ host });
  await probe.close();
  return probe.port;
}

before(async () => {
  if (skip) return;
  browser = await launchChromium();
  bridge = await openBridge({ host: '127.0.50.30' });
  await mkdir(shots, { recursive: true });

  const web = await net.http({ host: WEB, server: 'nginx/1.22.1', title: 'Lab' });
  const ssh: Listener = await net.tcp({ host: WEB, banner: 'SSH-2.0-OpenSSH_9.2p1\r\n' });
  const db = await net.tcp({ host: DB });
  const extra = await freePort(WEB);
  ports = { web: web.port, ssh: ssh.port, extra, db: db.port };
  const saved = await bridge.handlers.saveProfile({
    profile: labProfile([web.port, ssh.port, extra, db.port]),
  });
  assert.ok(saved.ok, saved.ok ? '' : saved.error);

  const monitor = bridge.opened.monitor;
  const captured = await bridge.handlers.captureReference({ profile: 'Lab' });
  assert.ok(captured.ok, captured.ok ? '' : captured.error);
  scans.push(monitor.history('Lab', 1).records[0]!);
  scans.push((await monitor.scanNow('Lab')).entry); // nothing changed
  await net.tcp({ host: WEB, port: extra }); // a new service on WEB, and the same port on DB
  await net.tcp({ host: DB, port: extra });
  scans.push((await monitor.scanNow('Lab')).entry);
  await ssh.close();
  scans.push((await monitor.scanNow('Lab')).entry);
  assert.deepEqual(
    scans.map((s) => [s.status, s.counts.changes]),
    [
      ['ok', 0],
      ['ok', 0],
      ['ok', 2],
      // Against the reference, not the scan before: both new ports are still news, and SSH closed.
      ['ok', 3],
    ],
  );
});

after(async () => {
  await net.close();
  await browser?.close();
  await bridge?.close();
});

test(
  'timeline, chart and a scan’s detail: opened ports first, grouped by host, with the ndiff text',
  { skip },
  async () => {
    const { page, problems, context } = await newWatchedPage(browser, { width: 1240, height: 900 });
    await bridge.attach(page);
    await page.goto(bridge.url('history.html'));
    // Lab only: another test adds a profile with 20,000 scans.
    await page.getByLabel('Profile', { exact: true }).selectOption('Lab');
    await page.getByTestId('timeline-total').filter({ hasText: '4 scans' }).waitFor();

    // Newest first: the last scan (a port closed) is the first row.
    const options = page.getByRole('listbox').getByRole('option');
    await options.first().waitFor();
    assert.match(await options.nth(0).innerText(), /3 changes/);
    assert.match(await options.nth(1).innerText(), /2 changes/);
    assert.match(await options.nth(3).innerText(), /No changes/);

    // The chart draws one point per scan.
    await page.locator('[data-testid="ports-chart"] canvas').waitFor();

    // A click that lands while the list reloads (its rows are briefly placeholders) selects nothing, as it
    // would for a person, who clicks again: under heavy load that happened here once in a while.
    const row = options.nth(1);
    await row.click();
    if ((await row.getAttribute('aria-selected')) !== 'true') await row.click();
    const detail = page.getByTestId('scan-detail');
    await detail.waitFor().catch(async (error: Error) => {
      // Say what the window showed instead (nothing chosen, still loading, or an error), to tell the cases apart.
      const pane = await page.locator('main.history-main').innerText();
      const chosen = await page.getByRole('listbox').getByRole('option', { selected: true }).count();
      throw new Error(
        `${error.message}\n${chosen} row(s) selected; the detail pane said: ${pane.slice(0, 500)}`,
      );
    });
    const hosts = detail.getByRole('region', { name: /^Changes on / });
    assert.equal(await hosts.count(), 2);
    const first = await hosts.nth(0).innerText();
    assert.match(first, new RegExp(`${ports.extra}/tcp`));
    assert.match(first, /opened/);
    assert.equal(await detail.locator('tr.change.opened').count(), 2);
    const ndiffText = await page.getByTestId('ndiff-text').innerText();
    assert.match(ndiffText, new RegExp(`\\+${ports.extra}/tcp\\s+open`));
    await page.screenshot({ path: path.join(shots, 'history-detail.png'), fullPage: true });

    // Keyboard: ArrowUp moves to the newer scan.
    await page.getByRole('listbox').focus();
    await page.keyboard.press('ArrowUp');
    await detail
      .getByText(/port-closed|closed/)
      .first()
      .waitFor();
    assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true');
    await page.screenshot({ path: path.join(shots, 'history-chart.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(shots, 'history-dark.png') });
    assert.deepEqual(problems, []);
    await context.close();
  },
);

test('filters: by profile, port, time, host, kind of change and status', { skip }, async () => {
  const { page, problems, context } = await newWatchedPage(browser);
  await bridge.attach(page);
  await page.goto(bridge.url('history.html'));
  const total = page.getByTestId('timeline-total');
  await page.getByLabel('Profile', { exact: true }).selectOption('Lab');
  await total.filter({ hasText: '4 scans' }).waitFor();
  await page.getByLabel('Port', { exact: true }).fill(String(ports.extra));
  await total.filter({ hasText: '2 scans' }).waitFor();
  await page.getByLabel('Port', { exact: true }).fill('');
  await page.getByLabel('From', { exact: true }).fill('2099-01-01');
  await total.filter({ hasText: '0 scans' }).waitFor();
  await page.getByLabel('From', { exact: true }).fill('');
  await total.filter({ hasText: '4 scans' }).waitFor();
  await page.getByLabel('Change', { exact: true }).selectOption('port-closed');
  await total.filter({ hasText: '1 scan' }).waitFor();
  await page.getByLabel('Change', { exact: true }).selectOption('');
  await page.getByLabel('Host', { exact: true }).fill(DB);
  await total.filter({ hasText: '2 scans' }).waitFor();
  await page.getByLabel('Host', { exact: true }).fill('');
  await page.getByLabel('Only scans with changes').check();
  await total.filter({ hasText: '2 scans' }).waitFor();
  await page.getByLabel('Status', { exact: true }).selectOption('failed');
  await total.filter({ hasText: '0 scans' }).waitFor();
  await page.getByText('No scans here yet').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test(
  'export a scan as CSV and ndiff text; accept chosen hosts, then a whole scan, as the new reference',
  { skip },
  async () => {
    const opened = scans[2]!;
    const { page, problems, context } = await newWatchedPage(browser);
    await bridge.attach(page);
    // As a notification click does: the window opens on that scan.
    await page.goto(bridge.url('history.html', `scan=${encodeURIComponent(opened.id)}`));
    const detail = page.getByTestId('scan-detail');
    await detail.getByText('2 changes').waitFor();

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      detail.getByRole('button', { name: 'CSV' }).click(),
    ]);
    const csvText = await readFile((await csv.path())!, 'utf8');
    assert.match(csv.suggestedFilename(), /\.csv$/);
    assert.match(csvText, /^scan,profile,started,host,port,protocol,kind,before,after\r\n/);
    assert.ok(csvText.includes(`${WEB},${ports.extra},tcp,port-opened`), csvText);
    const [text] = await Promise.all([
      page.waitForEvent('download'),
      detail.getByRole('button', { name: 'ndiff text' }).click(),
    ]);
    assert.match(await readFile((await text.path())!, 'utf8'), new RegExp(`\\+${ports.extra}/tcp`));

    // Accept only DB from this scan: DB's new port joins the reference, WEB's does not.
    await detail.getByRole('checkbox', { name: `Choose ${DB} to accept` }).check();
    await detail.getByRole('button', { name: 'Accept 1 host as reference' }).click();
    const notice = page.getByTestId('accept-notice');
    await notice.waitFor();
    assert.match(await notice.innerText(), /1 host of this scan are now the reference for Lab/);
    let ref = await bridge.handlers.getReference({ profile: 'Lab' });
    assert.ok(ref.ok);
    const portsOf = (address: string) =>
      (ref.ok ? (ref.value.hosts.find((h) => h.address === address)?.ports ?? []) : [])
        .filter((p) => p.state === 'open')
        .map((p) => p.port)
        .sort((a, b) => a - b);
    assert.deepEqual(
      portsOf(DB),
      [ports.db, ports.extra].sort((a, b) => a - b),
    );
    assert.ok(!portsOf(WEB).includes(ports.extra));

    // Then the newest scan, whole.
    await bridge.emit('openScan', { id: scans[3]!.id });
    await detail.getByText('3 changes').waitFor();
    await detail.getByRole('button', { name: 'Accept as new reference' }).click();
    await page.getByTestId('accept-notice').filter({ hasText: 'This scan is now the reference' }).waitFor();
    ref = await bridge.handlers.getReference({ profile: 'Lab' });
    assert.deepEqual(
      portsOf(WEB),
      [ports.web, ports.extra].sort((a, b) => a - b),
    );
    assert.deepEqual(problems, []);
    await context.close();
  },
);

test(
  '20,000 scans: the timeline keeps a few dozen rows in the page and reaches the oldest',
  { skip },
  async () => {
    const made = await bridge.handlers.saveProfile({ profile: { ...labProfile([ports.web]), name: 'Bulk' } });
    assert.ok(made.ok);
    const start = Date.parse('2024-01-01T00:00:00Z');
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const entry: HistoryEntry = {
        id: `bulk-${String(i).padStart(5, '0')}`,
        profile: 'Bulk',
        startedAt: new Date(start + i * 3600_000).toISOString(),
        durationMs: 1000 + (i % 7) * 100,
        status: i % 97 === 0 ? 'failed' : 'ok',
        nmapArgs: ['-sT', '--', WEB],
        counts: {
          hostsUp: 1,
          hostsScanned: 1,
          openPorts: 3 + (i % 5),
          changes: i % 50 === 0 ? 1 : 0,
          alerted: 0,
        },
        changes: [],
        suppressed: [],
        hasXml: false,
        delivery: { state: 'none' },
      };
      lines.push(JSON.stringify(entry));
    }
    // The history log's own format (one JSON record per line), written at once instead of 20,000 fsyncs.
    await writeFile(bridge.opened.monitor.store.paths('Bulk').historyLog, lines.join('\n') + '\n');

    const { page, problems, context } = await newWatchedPage(browser);
    await bridge.attach(page);
    await page.goto(bridge.url('history.html'));
    await page.getByLabel('Profile', { exact: true }).selectOption('Bulk');
    await page.getByTestId('timeline-total').filter({ hasText: '20,000 scans' }).waitFor();
    const rows = page.locator('.timeline-row');
    await rows.first().waitFor();
    assert.ok((await rows.count()) < 60, `only the rows in view exist (${await rows.count()})`);

    await page.getByRole('listbox').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('[data-scan="bulk-00000"]').waitFor();
    assert.ok((await rows.count()) < 60);
    await page.locator('[data-scan="bulk-00000"]').click();
    await page.getByTestId('scan-detail').getByText('failed').first().waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  },
);

test(
  'a scan detail shows its report per channel: delivered, waiting, or failed with the reason',
  { skip },
  async () => {
    const entry = scans[2]!; // the scan that opened two ports
    const outbox = bridge.opened.mail.outbox;
    const item = {
      kind: 'changes' as const,
      entryId: entry.id,
      profile: entry.profile,
      startedAt: entry.startedAt,
      durationMs: entry.durationMs,
      status: entry.status,
      counts: entry.counts,
      changes: entry.changes,
      ndiffText: '',
    };
    const report = { items: [item], mode: 'single' as const };
    await outbox.enqueueReport('phone', report, 'Portwatch: 2 changes', [entry.id]);
    const chat = await outbox.enqueueReport('chat', report, 'Portwatch: 2 changes', [entry.id]);
    const failed = await outbox.attempt(
      chat.id,
      async () => {
        throw new Error('HTTP 404: Unknown Webhook; the webhook was deleted or the URL is wrong');
      },
      (error) => ({ permanent: true, message: (error as Error).message }),
    );
    assert.equal(failed.outcome, 'failed');

    const { page, problems, context } = await newWatchedPage(browser);
    await bridge.attach(page);
    await page.goto(bridge.url('history.html', `scan=${encodeURIComponent(entry.id)}`));
    const detail = page.getByTestId('scan-detail');
    await detail.waitFor();
    await detail
      .getByTestId('delivery')
      .filter({ hasText: /^chat: failed: HTTP 404/ })
      .waitFor();
    const shown = await detail.getByTestId('delivery').allInnerTexts();
    assert.deepEqual(shown, [
      'chat: failed: HTTP 404: Unknown Webhook; the webhook was deleted or the URL is wrong',
      'phone: waiting (attempt 0)',
    ]);
    assert.deepEqual(problems, []);
    await context.close();
  },
);
