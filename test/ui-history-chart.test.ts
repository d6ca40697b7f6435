// The history chart's time axis in real Chromium: it fits the scans shown (scans minutes, days and a year
// apart), never shrinks below a sensible span, and labels its ticks to suit that span. Screenshots of each in
// test-results/screenshots/history-chart-*.png.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright';
import type { HistoryEntry } from '../src/shared/history.ts';
import { chromiumMissing, launchChromium, newWatchedPage } from './support/browser.ts';
import { openBridge, type Bridge } from './support/ipc-bridge.ts';
import { manualProfile } from './support/profiles.ts';

const TARGET = '127.0.101.2'; // named in the profiles only: these histories are written, never scanned
const shots = path.resolve(import.meta.dirname, '..', 'test-results', 'screenshots');
const skip = chromiumMissing();

let browser: Browser;
let bridge: Bridge;

/** A profile whose history holds scans at these times (one failed among them), written in the log's format. */
async function withHistory(name: string, times: number[]): Promise<void> {
  const saved = await bridge.handlers.saveProfile({ profile: manualProfile(name, [TARGET], '22,80,443') });
  assert.ok(saved.ok, saved.ok ? '' : saved.error);
  const lines = times.map((t, i) => {
    const entry: HistoryEntry = {
      id: `${name}-${i}`,
      profile: name,
      startedAt: new Date(t).toISOString(),
      durationMs: 1200,
      status: i === 2 ? 'failed' : 'ok',
      nmapArgs: ['-sT', '--', TARGET],
      counts: { hostsUp: 1, hostsScanned: 1, openPorts: 3 + (i % 3), changes: 0, alerted: 0 },
      changes: [],
      suppressed: [],
      hasXml: false,
      delivery: { state: 'none' },
    };
    return JSON.stringify(entry);
  });
  await writeFile(bridge.opened.monitor.store.paths(name).historyLog, lines.join('\n') + '\n');
}

interface Axis {
  min: number;
  max: number;
  ticks: string[];
}

async function chartOf(name: string, shot: string): Promise<Axis> {
  const { page, problems, context } = await newWatchedPage(browser);
  try {
    await bridge.attach(page);
    await page.goto(bridge.url('history.html'));
    await page.getByLabel('Profile', { exact: true }).selectOption(name);
    const chart = page.getByTestId('ports-chart');
    await chart.and(page.locator(`[data-profile="${name}"][data-x-min]`)).waitFor();
    const axis = await chart.evaluate((el) => ({
      min: Number(el.dataset.xMin),
      max: Number(el.dataset.xMax),
      ticks: (el.dataset.xTicks ?? '').split('|').filter(Boolean),
    }));
    await page.locator('.chart-card').screenshot({ path: path.join(shots, `history-chart-${shot}.png`) });
    assert.deepEqual(problems, []);
    return axis;
  } finally {
    await context.close();
  }
}

before(async () => {
  if (skip) return;
  browser = await launchChromium();
  bridge = await openBridge({ host: '127.0.101.1' });
  await mkdir(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await bridge?.close();
});

const T0 = Date.parse('2026-03-03T09:00:00Z');
const MIN = 60_000;
const DAY = 86400_000;

test('scans minutes apart: the axis spans that hour, with times of day', { skip }, async () => {
  const times = [0, 7, 15, 22, 30, 41, 55].map((m) => T0 + m * MIN);
  await withHistory('Minutes', times);
  const axis = await chartOf('Minutes', 'minutes');
  assert.ok(axis.min <= times[0]! / 1000 && axis.max >= times.at(-1)! / 1000, 'every scan is in view');
  assert.ok(axis.max - axis.min <= 2 * 3600, `about the hour the scans took (${axis.max - axis.min} s)`);
  assert.ok(axis.ticks.length >= 3, axis.ticks.join(' | '));
  for (const tick of axis.ticks)
    assert.match(tick, /^\d\d:\d\d$/, `a time of day: ${axis.ticks.join(' | ')}`);
});

test('scans seconds apart: the axis keeps a minimum span, and labels carry seconds', { skip }, async () => {
  const times = [0, 4, 9, 15, 20].map((s) => T0 + s * 1000);
  await withHistory('Seconds', times);
  const axis = await chartOf('Seconds', 'seconds');
  assert.ok(axis.min <= times[0]! / 1000 && axis.max >= times.at(-1)! / 1000);
  assert.ok(axis.max - axis.min >= 60, 'never narrower than a minute');
  assert.ok(axis.max - axis.min <= 600, `not stretched to hours (${axis.max - axis.min} s)`);
  for (const tick of axis.ticks) assert.match(tick, /^\d\d:\d\d:\d\d$/, axis.ticks.join(' | '));
});

test('scans days apart: the axis spans those days, with dates', { skip }, async () => {
  const times = [0, 1, 2, 3, 5, 8, 9, 12].map((d) => T0 + d * DAY);
  await withHistory('Days', times);
  const axis = await chartOf('Days', 'days');
  assert.ok(axis.min <= times[0]! / 1000 && axis.max >= times.at(-1)! / 1000);
  assert.ok(axis.max - axis.min <= 20 * 86400, `about the 12 days (${(axis.max - axis.min) / 86400} days)`);
  for (const tick of axis.ticks) assert.match(tick, /^\d{1,2} [A-Z][a-z]{2}$/, axis.ticks.join(' | '));
});

test('scans a year apart: the axis spans the year, with months', { skip }, async () => {
  const times = [0, 40, 100, 160, 220, 290, 365].map((d) => T0 + d * DAY);
  await withHistory('Year', times);
  const axis = await chartOf('Year', 'year');
  assert.ok(axis.min <= times[0]! / 1000 && axis.max >= times.at(-1)! / 1000);
  assert.ok(axis.max - axis.min <= 400 * 86400, `about the year (${(axis.max - axis.min) / 86400} days)`);
  assert.ok(axis.ticks.length >= 3, axis.ticks.join(' | '));
  assert.ok(
    axis.ticks.some((t) => /2027/.test(t)),
    `the year shows where it changes: ${axis.ticks.join(' | ')}`,
  );
});

test('a single scan: a sensible window around it, not years', { skip }, async () => {
  await withHistory('Once', [T0]);
  const axis = await chartOf('Once', 'single');
  assert.ok(axis.min <= T0 / 1000 && axis.max >= T0 / 1000);
  assert.ok(axis.max - axis.min <= 2 * 3600, `${axis.max - axis.min} s`);
});
