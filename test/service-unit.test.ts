// The systemd unit: the repository's copy is what `portwatch service install` writes, it passes
// `systemd-analyze verify` (system, privileged drop-in, and per-user), and its hardening is in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_UNIT, renderPrivilegedDropIn, renderUnit } from '../src/engine/service/unit.ts';

const root = path.resolve(import.meta.dirname, '..');
const cliMain = path.join(root, 'src/cli/main.ts');

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { env }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function tempDir(t: { after(fn: () => Promise<void>): void }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-unit-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the repository carries the unit and drop-in that service install writes', async () => {
  assert.equal(
    await fs.readFile(path.join(root, 'assets/systemd/portwatch.service'), 'utf8'),
    renderUnit(DEFAULT_UNIT),
  );
  assert.equal(
    await fs.readFile(path.join(root, 'assets/systemd/privileged.conf'), 'utf8'),
    renderPrivilegedDropIn(),
  );
});

test('service install: the system unit with the privileged drop-in verifies cleanly and is hardened', async (t) => {
  const dir = await tempDir(t);
  const r = await run(process.execPath, [
    cliMain,
    'service',
    'install',
    '--privileged',
    '--metrics',
    '9464',
    '--unit-dir',
    dir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*portwatch\.service and .*privileged\.conf\nnext:\n/);
  const file = path.join(dir, 'portwatch.service');
  const verified = await run('systemd-analyze', ['verify', file]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.equal(verified.stderr, '', 'no warning about the unit or the drop-in');
  const unit = await fs.readFile(file, 'utf8');
  assert.match(
    unit,
    new RegExp(
      `^ExecStart=${path.join(root, 'bin/portwatch')} --data-dir /var/lib/portwatch watch --metrics 9464$`,
      'm',
    ),
  );
  for (const line of [
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ReadWritePaths=/var/lib/portwatch',
    'User=portwatch',
    'CapabilityBoundingSet=',
    'KillSignal=SIGTERM',
  ])
    assert.match(unit, new RegExp(`^${line}$`, 'm'), line);
  assert.match(unit, /^ProtectHome=(yes|read-only)$/m);
  assert.doesNotMatch(unit, /AmbientCapabilities/, 'no capability unless asked for');
  const dropIn = await fs.readFile(path.join(dir, 'portwatch.service.d', 'privileged.conf'), 'utf8');
  assert.match(dropIn, /^AmbientCapabilities=CAP_NET_RAW$/m);
  assert.match(dropIn, /^Environment=NMAP_PRIVILEGED=1$/m);

  // Installed again without --privileged: the capability goes away.
  assert.equal((await run(process.execPath, [cliMain, 'service', 'install', '--unit-dir', dir])).code, 0);
  await assert.rejects(fs.stat(path.join(dir, 'portwatch.service.d', 'privileged.conf')));
});

test('service install --user: a per-user unit over this data directory verifies cleanly', async (t) => {
  const dir = await tempDir(t);
  const dataDir = path.join(dir, 'data with space');
  const r = await run(process.execPath, [
    cliMain,
    '--data-dir',
    dataDir,
    'service',
    'install',
    '--user',
    '--unit-dir',
    dir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /systemctl --user enable --now portwatch/);
  const file = path.join(dir, 'portwatch.service');
  const unit = await fs.readFile(file, 'utf8');
  assert.match(unit, /^ProtectHome=read-only$/m);
  assert.match(unit, new RegExp(`^ReadWritePaths="${dataDir}"$`, 'm'));
  assert.doesNotMatch(unit, /^User=/m);
  assert.match(unit, /^WantedBy=default\.target$/m);
  const verified = await run('systemd-analyze', ['verify', file]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.equal(verified.stderr, '');
  const both = await run(process.execPath, [
    cliMain,
    'service',
    'install',
    '--user',
    '--privileged',
    '--unit-dir',
    dir,
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^portwatch: privileged scans need the system service/);
});
