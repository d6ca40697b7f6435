// Packaging and icons: electron-builder.yml passes electron-builder's own schema check, the .deb depends on
// nmap, and every icon the tray or the installers name exists and is what it claims to be; the package holds
// exactly what the app reads at run time; the main bundle needs no node_modules; `npm start` without
// Electron's binary says so in one line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { appPaths } from '../src/main/app-paths.ts';
import { appIconPath, trayIconPath } from '../src/main/icons.ts';
import { windowKinds } from '../src/main/windows.ts';
import type { TrayState } from '../src/shared/ipc.ts';

const root = path.resolve(import.meta.dirname, '..');
const assets = path.join(root, 'assets');
const require = createRequire(import.meta.url);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface PackConfig {
  deb: { depends: string[]; recommends?: string[] };
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
  assert.deepEqual(config.linux.target, ['deb', 'AppImage'], 'the .deb first (README: AppArmor)');
  assert.ok(!config.deb.recommends?.includes('libappindicator3-1'), 'obsolete');
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

// ---- what the packaged app holds --------------------------------------------------------------------------

/** dist/ as `npm run build` makes it (built here when a single suite runs without it). */
function ensureBuilt(): void {
  if (existsSync(path.join(root, 'dist', 'main', 'main.cjs'))) return;
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.ts')], { stdio: 'inherit' });
  assert.equal(built.status, 0, 'npm run build');
}

/** Every file the running app reads from its root: the entry, the preload, the windows and what they load, the icons. */
function filesReadAtRunTime(): Set<string> {
  const paths = appPaths(root);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
  const used = new Set<string>(['package.json', pkg.main, paths.preloadPath, paths.digestWorkerPath]);
  // Each window's page, and what it links (scripts, styles), followed through the files it names in turn.
  const pending = windowKinds.map((kind) => path.join(paths.rendererDir, `${kind}.html`));
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (used.has(file)) continue;
    used.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:src|href)="(\.\/[^"]+)"|from\s*"(\.\/[^"]+)"|url\((\.\/[^)]+)\)/g))
      pending.push(path.resolve(path.dirname(file), m[1] ?? m[2] ?? m[3]!));
  }
  const states: TrayState[] = ['quiet', 'unseen', 'scanning', 'error', 'paused'];
  for (const state of states)
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const icon = trayIconPath(paths.assetsDir, state, platform);
      used.add(icon);
      // nativeImage.createFromPath loads name@2x.png beside name.png for HiDPI screens.
      const hidpi = icon.replace(/\.png$/, '@2x.png');
      if (hidpi !== icon && existsSync(hidpi)) used.add(hidpi);
    }
  used.add(appIconPath(paths.assetsDir));
  return new Set([...used].map((f) => path.relative(root, path.resolve(root, f)).split(path.sep).join('/')));
}

/** The project's files that electron-builder.yml's `files` selects (later `!` patterns exclude). */
function packagedFiles(): Set<string> {
  const lib = path.dirname(require.resolve('app-builder-lib/package.json'));
  const yaml = require(require.resolve('js-yaml', { paths: [lib] })) as {
    load(text: string): { files: string[] };
  };
  const { files } = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
  const picked = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!['node_modules', '.git', 'release', 'test-results'].includes(rel)) walk(rel);
        continue;
      }
      let included = false;
      for (const pattern of files)
        if (pattern.startsWith('!')) {
          if (path.matchesGlob(rel, pattern.slice(1))) included = false;
        } else if (path.matchesGlob(rel, pattern)) included = true;
      if (included) picked.add(rel);
    }
  };
  walk('');
  return picked;
}

test('every file the app reads at run time is packaged, and nothing it does not read', () => {
  ensureBuilt();
  const used = filesReadAtRunTime();
  const packaged = packagedFiles();
  for (const file of used) {
    assert.ok(existsSync(path.join(root, file)), `${file} is read at run time but does not exist`);
    assert.ok(
      packaged.has(file),
      `${file} is read at run time but electron-builder.yml's files leave it out`,
    );
  }
  for (const file of packaged)
    assert.ok(used.has(file), `${file} is packaged but the app never reads it: leave it out of files`);
  assert.ok(used.has('dist/renderer/history.js') && used.has('dist/renderer/settings.css'));
});

test('the main bundle requires nothing but electron and Node built-ins; the preload only electron', () => {
  ensureBuilt();
  // A call, not text: ajv keeps `require("ajv/dist/runtime/…")` in code-generation strings, after a quote.
  const requires = (file: string) => [
    ...new Set(
      [...readFileSync(path.join(root, file), 'utf8').matchAll(/(?<![\w$.`'"])require\("([^"]+)"\)/g)].map(
        (m) => m[1]!,
      ),
    ),
  ];
  const main = requires('dist/main/main.cjs');
  assert.ok(main.includes('electron') && main.includes('node:fs'), main.join(', '));
  assert.deepEqual(
    main.filter((name) => name !== 'electron' && !isBuiltin(name)),
    [],
    'the packaged app ships no node_modules',
  );
  assert.deepEqual(
    requires('dist/preload/preload.cjs'),
    ['electron'],
    'a sandboxed preload may require only electron',
  );
});

test('npm start without Electron’s binary prints one line: what is missing, how to get it, and that the CLI works', () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'portwatch-no-electron-'));
  try {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'start.ts')], {
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0]!,
      /^portwatch: Electron's binary is not installed .*node node_modules\/electron\/install\.js.*The CLI works without it/,
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
