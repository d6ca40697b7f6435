// The CLI side of the browser UI: `config set ui.password -` keeps only a salted hash and never prints the
// password; `watch --ui` refuses plain HTTP beyond loopback and options that need --ui, with one line each.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { verifyUiPassword } from '../src/engine/config/ui-password.ts';

const cli = path.resolve(import.meta.dirname, '..', 'src/cli/main.ts');
const PASSWORD = 'correct horse battery staple';

function portwatch(dataDir: string, args: string[], input = '') {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [cli, '--data-dir', dataDir, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

test('config set ui.password - stores a salted scrypt hash, owner-only; get shows only that it is set', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-ui-password-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  assert.match((await portwatch(dir, ['config', 'get', 'ui.password'])).stdout, /\(not set\)/);
  const set = await portwatch(dir, ['config', 'set', 'ui.password', '-'], `${PASSWORD}\n`);
  assert.equal(set.code, 0, set.stderr);
  const file = path.join(dir, 'ui-password');
  const stored = await fs.readFile(file, 'utf8');
  assert.ok(!stored.includes(PASSWORD));
  assert.equal(await verifyUiPassword(PASSWORD, stored), true);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  const all = await portwatch(dir, ['config', 'get']);
  assert.match(all.stdout, /^ui\.password = \*{8} \(a scrypt hash\)$/m);
  for (const out of [set.stdout, set.stderr, all.stdout, all.stderr]) {
    assert.ok(!out.includes(PASSWORD));
    assert.ok(!out.includes(stored.trim()));
  }
  const short = await portwatch(dir, ['config', 'set', 'ui.password', '-'], 'short\n');
  assert.equal(short.code, 2);
  assert.match(short.stderr, /at least 8 characters/);
  assert.equal((await portwatch(dir, ['config', 'unset', 'ui.password'])).code, 0);
  await assert.rejects(fs.stat(file));
});

test('watch --ui: plain HTTP beyond loopback, a bad --listen and options without --ui are refused', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-ui-args-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const wide = await portwatch(dir, ['watch', '--ui', '--listen', '0.0.0.0:0']);
  assert.equal(wide.code, 2);
  assert.match(wide.stderr, /^portwatch: --listen 0\.0\.0\.0 reaches beyond this machine: give --tls-cert/m);
  const bad = await portwatch(dir, ['watch', '--ui', '--listen', 'example.org:80']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--listen needs ADDRESS:PORT/);
  const alone = await portwatch(dir, ['watch', '--listen', '127.0.0.1:0']);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--listen works with --ui only/);
  const halfTls = await portwatch(dir, ['watch', '--ui', '--tls-cert', 'x.pem']);
  assert.match(halfTls.stderr, /needs both --tls-cert FILE and --tls-key FILE/);
});
