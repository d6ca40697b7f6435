// The real app in the real Electron, driven by Playwright: start-up, the tray menu, both windows over
// portwatch://, a real nmap scan of a loopback listener through IPC, a clean quit. Runs
// wherever Electron's binary is installed; elsewhere (ELECTRON_SKIP_BINARY_DOWNLOAD=1, as in CI) it is skipped
// and says why.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { _electron as electron, type Page } from 'playwright';
import { electronBinary } from '../scripts/electron-binary.ts';
import { Listeners } from './support/listeners.ts';

const root = path.resolve(import.meta.dirname, '..');
const HOST = '127.0.101.30';

const found = electronBinary(root);
if (found.missing) console.log(`# skipped: ${found.missing}`);
const built = existsSync(path.join(root, 'dist', 'main', 'main.cjs'));

type Running = { tray: { menu: { id?: string; label?: string; click?: () => void }[] } };

test(
  'start-up, both windows over portwatch://, a real scan through IPC, and a clean quit',
  {
    skip: found.missing ?? (built ? false : 'dist/main/main.cjs is missing: run npm run build first'),
    timeout: 180_000,
  },
  async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-e2e-'));
    const net = new Listeners();
    const web = await net.tcp({ host: HOST });
    const app = await electron.launch({
      executablePath: found.path!,
      args: [root, '--no-sandbox', '--password-store=basic'],
      env: { ...process.env, PORTWATCH_DATA_DIR: dataDir, ELECTRON_ENABLE_LOGGING: '1' },
    });
    const problems: string[] = [];
    const watch = (page: Page) => {
      page.on('console', (m) => void (m.type() === 'error' && problems.push(`${page.url()}: ${m.text()}`)));
      page.on('pageerror', (e) => void problems.push(`${page.url()}: ${e.message}`));
    };
    const clickTray = (id: string) =>
      app.evaluate((_electron, itemId) => {
        const running = (globalThis as { portwatch?: Running }).portwatch;
        running?.tray.menu.find((i) => i.id === itemId)?.click?.();
      }, id);
    try {
      // Start-up: the running app is published once ready; no default application menu on Linux/Windows.
      await app.evaluate(async () => {
        for (let i = 0; i < 200 && !(globalThis as { portwatch?: Running }).portwatch; i++)
          await new Promise((r) => setTimeout(r, 50));
      });
      const menu = await app.evaluate(
        ({ Menu }) => Menu.getApplicationMenu()?.items.map((i) => i.label) ?? null,
      );
      if (process.platform === 'darwin') assert.ok(menu && menu.length > 0);
      else assert.equal(menu, null, 'no View ▸ Reload / Toggle Developer Tools');

      // First start, no profiles: the settings window opens by itself, as the welcome, from our scheme.
      const settings = await app.firstWindow();
      watch(settings);
      await settings.getByRole('heading', { name: 'Welcome to Portwatch' }).waitFor();
      await settings.getByRole('heading', { name: 'Add a profile' }).waitFor();
      assert.match(settings.url(), /^portwatch:\/\/app\/settings\.html/);
      assert.equal(
        await settings.evaluate(() => typeof (window as unknown as { require?: unknown }).require),
        'undefined',
      );
      assert.equal(await settings.evaluate(() => typeof window.portwatch.listProfiles), 'function');
      const labels = await app.evaluate(() => {
        const running = (globalThis as { portwatch?: Running }).portwatch;
        return running?.tray.menu.map((i) => i.label ?? '—') ?? [];
      });
      assert.ok(labels.includes('Open history…') && labels.includes('Quit Portwatch'), labels.join(', '));

      // A scan through IPC, as the windows make it: a loopback profile, its reference (a real nmap run),
      // then Scan now, recorded in the history.
      const scanned = await settings.evaluate(
        async ({ host, port }) => {
          const api = window.portwatch;
          const saved = await api.saveProfile({
            profile: {
              name: 'Loopback',
              targets: [host],
              options: {
                ports: { kind: 'list', spec: String(port) },
                technique: 'connect',
                serviceDetection: false,
                osDetection: false,
                timing: 4,
                skipHostDiscovery: true,
                confirmChanges: false,
                timeoutSeconds: 120,
                resolveHostnames: false,
              },
              schedule: { kind: 'manual' },
              watchdogHours: 0,
            },
          });
          if (!saved.ok) return saved.error;
          const reference = await api.captureReference({ profile: 'Loopback' });
          if (!reference.ok) return reference.error;
          const started = await api.scanNow({ profile: 'Loopback' });
          if (!started.ok) return started.error;
          for (let i = 0; i < 600; i++) {
            const page = await api.listHistory({ profile: 'Loopback', offset: 0, limit: 10 });
            if (page.ok && page.value.total >= 2) return page.value.rows.map((r) => r.status);
            await new Promise((r) => setTimeout(r, 100));
          }
          return 'the scan was not recorded within a minute';
        },
        { host: HOST, port: web.port },
      );
      assert.deepEqual(scanned, ['ok', 'ok']);

      // The history window, from the tray, over our scheme, showing that scan.
      const historyOpened = app.waitForEvent('window');
      await clickTray('history');
      const history = await historyOpened;
      watch(history);
      assert.match(history.url(), /^portwatch:\/\/app\/history\.html/);
      await history.getByRole('heading', { name: 'Scans' }).waitFor();
      await history.locator('.timeline-row').first().waitFor();
      assert.equal(app.windows().length, 2);

      // A window may not navigate away or open others.
      await settings.evaluate(() => window.open('https://example.com/'));
      assert.equal(app.windows().length, 2);
      assert.deepEqual(problems, [], 'no console errors or CSP violations in either window');

      // Quit from the tray: schedules stop, the process exits with 0.
      const exited = new Promise<number | null>((resolve) =>
        app.process().once('exit', (code) => resolve(code)),
      );
      await clickTray('quit');
      await app.waitForEvent('close', { timeout: 30_000 });
      assert.equal(await exited, 0);
    } finally {
      await app.close().catch(() => {});
      await net.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);
