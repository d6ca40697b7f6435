// The real app in the real Electron, driven by Playwright: launch, the tray menu, both windows, quit. Runs
// wherever Electron's binary is installed; elsewhere (ELECTRON_SKIP_BINARY_DOWNLOAD=1, as in CI) it is skipped
// and says why.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { _electron as electron } from 'playwright';
import { electronBinary } from '../scripts/electron-binary.ts';

const root = path.resolve(import.meta.dirname, '..');

const found = electronBinary(root);
if (found.missing) console.log(`# skipped: ${found.missing}`);
const built = existsSync(path.join(root, 'dist', 'main', 'main.cjs'));

test(
  'the app starts in the tray, opens both windows from its menu, and quits cleanly',
  {
    skip: found.missing ?? (built ? false : 'dist/main/main.cjs is missing: run npm run build first'),
    timeout: 120_000,
  },
  async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-e2e-'));
    const app = await electron.launch({
      executablePath: found.path!,
      args: [root, '--no-sandbox', '--password-store=basic'],
      env: { ...process.env, PORTWATCH_DATA_DIR: dataDir, ELECTRON_ENABLE_LOGGING: '1' },
    });
    try {
      // First start, no profiles: the settings window opens by itself.
      const settings = await app.firstWindow();
      await settings.getByRole('heading', { name: 'Add a profile' }).waitFor();
      assert.equal(
        await settings.evaluate(() => typeof (window as unknown as { require?: unknown }).require),
        'undefined',
      );
      assert.equal(await settings.evaluate(() => typeof window.portwatch.listProfiles), 'function');

      const labels = await app.evaluate(() => {
        const running = (globalThis as { portwatch?: { tray: { menu: { label?: string }[] } } }).portwatch;
        return running?.tray.menu.map((i) => i.label ?? '—') ?? [];
      });
      assert.ok(labels.includes('Open history…') && labels.includes('Quit Portwatch'), labels.join(', '));

      const historyOpened = app.waitForEvent('window');
      await app.evaluate(() => {
        const running = (
          globalThis as { portwatch?: { tray: { menu: { id?: string; click?: () => void }[] } } }
        ).portwatch;
        running?.tray.menu.find((i) => i.id === 'history')?.click?.();
      });
      const history = await historyOpened;
      await history.getByRole('heading', { name: 'Scans' }).waitFor();
      assert.equal(app.windows().length, 2);

      // A window may not navigate away or open others.
      await settings.evaluate(() => window.open('https://example.com/'));
      assert.equal(app.windows().length, 2);

      await app.evaluate(() => {
        const running = (
          globalThis as { portwatch?: { tray: { menu: { id?: string; click?: () => void }[] } } }
        ).portwatch;
        running?.tray.menu.find((i) => i.id === 'quit')?.click?.();
      });
      await app.waitForEvent('close', { timeout: 30_000 });
    } finally {
      await app.close().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);
