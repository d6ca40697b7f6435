// Packaging and icons: electron-builder.yml passes electron-builder's own schema check, the .deb depends on
// nmap, and every icon the tray or the installers name exists and is what it claims to be.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { appIconPath, trayIconPath } from '../src/main/icons.ts';
import type { TrayState } from '../src/shared/ipc.ts';

const root = path.resolve(import.meta.dirname, '..');
const assets = path.join(root, 'assets');
const require = createRequire(import.meta.url);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface PackConfig {
  deb: { depends: string[] };
  linux: { target: string[]; icon: string };
  win: { target: string; icon: string };
  mac: { target: string; icon: string };
}

function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(file);
  assert.ok(data.subarray(0, 8).equals(PNG), `${file} is a PNG`);
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

test('electron-builder.yml is valid for electron-builder and the .deb depends on nmap', async () => {
  const lib = path.dirname(require.resolve('app-builder-lib/package.json'));
  const { validateConfiguration } = require(path.join(lib, 'out', 'util', 'config', 'config.js')) as {
    validateConfiguration(config: unknown, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require(require.resolve('builder-util', { paths: [lib] })) as {
    DebugLogger: new (on: boolean) => unknown;
  };
  const yaml = require(require.resolve('js-yaml', { paths: [lib] })) as { load(text: string): PackConfig };
  const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
  await validateConfiguration(config, new DebugLogger(false));
  assert.ok(config.deb.depends.includes('nmap'));
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.equal(config.win.target, 'nsis');
  assert.equal(config.mac.target, 'dmg');
  for (const icon of [config.linux.icon, config.win.icon, config.mac.icon])
    assert.ok(existsSync(path.join(root, icon)), icon);
});

test('a tray icon for every state on every platform, and the app icon in every format', () => {
  const states: TrayState[] = ['quiet', 'unseen', 'scanning', 'error', 'paused'];
  for (const state of states) {
    for (const size of [16, 22, 24, 32, 48]) {
      assert.deepEqual(pngSize(path.join(assets, 'tray', `${state}-${size}.png`)), {
        width: size,
        height: size,
      });
      assert.deepEqual(pngSize(path.join(assets, 'tray', `${state}-${size}@2x.png`)), {
        width: 2 * size,
        height: 2 * size,
      });
    }
    assert.deepEqual(pngSize(trayIconPath(assets, state, 'darwin')), { width: 16, height: 16 });
    assert.deepEqual(pngSize(trayIconPath(assets, state, 'darwin').replace('.png', '@2x.png')), {
      width: 32,
      height: 32,
    });
    assert.ok(existsSync(trayIconPath(assets, state, 'linux')));
    const ico = readFileSync(trayIconPath(assets, state, 'win32'));
    assert.deepEqual(
      [ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)],
      [0, 1, 4],
      `${state}.ico holds 4 sizes`,
    );
  }
  assert.deepEqual(pngSize(appIconPath(assets)), { width: 512, height: 512 });
  const icns = readFileSync(path.join(assets, 'icon.icns'));
  assert.equal(icns.subarray(0, 4).toString('ascii'), 'icns');
  assert.equal(icns.readUInt32BE(4), icns.length);
  // The macOS template images keep their alpha channel (the menu bar tints them by it).
  const template = readFileSync(trayIconPath(assets, 'unseen', 'darwin'));
  assert.equal(template[25], 6, 'RGBA');
});
