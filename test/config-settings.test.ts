import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setFromText, resetKey, findKey } from '../src/engine/config/keys.ts';
import {
  loadSettings,
  migrateSettings,
  saveSettings,
  settingsPath,
  updateSettings,
} from '../src/engine/config/settings-file.ts';
import { UserError } from '../src/engine/errors.ts';
import { SETTINGS_VERSION, defaultSettings } from '../src/shared/settings.ts';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-config-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a data directory without settings reads as the defaults', async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(await loadSettings(dir), defaultSettings());
  assert.equal((await loadSettings(dir)).email.on, 'changes');
});

test('settings are written crash-safe (owner-only, no temporary files left) and read back', async (t) => {
  const dir = await tempDir(t);
  const written = await updateSettings(dir, (s) => {
    setFromText(s, 'email.host', 'smtp.example.com');
    setFromText(s, 'email.to', 'a@example.com, b@example.org,a@example.com');
    setFromText(s, 'quietHours.enabled', 'on');
  });
  assert.deepEqual(
    written.email.to,
    ['a@example.com', 'b@example.org'],
    'duplicates dropped, spaces trimmed',
  );
  assert.deepEqual(await loadSettings(dir), written);
  const stat = await fs.stat(settingsPath(dir));
  assert.equal(stat.mode & 0o777, 0o600);
  assert.deepEqual(await fs.readdir(dir), ['settings.json']);
  const onDisk = JSON.parse(await fs.readFile(settingsPath(dir), 'utf8'));
  assert.equal(onDisk.version, SETTINGS_VERSION);
});

test('choosing gmail fills in its server, and its user becomes the sender', () => {
  const s = defaultSettings();
  setFromText(s, 'email.user', 'me@gmail.com');
  setFromText(s, 'email.provider', 'gmail');
  assert.equal(s.email.host, 'smtp.gmail.com');
  assert.equal(s.email.port, 465);
  assert.equal(s.email.security, 'tls');
  assert.equal(s.email.from, 'me@gmail.com');
});

test('every bad value is refused with one line that says what is accepted', () => {
  const s = defaultSettings();
  const cases: Array<[string, string, RegExp]> = [
    ['email.port', '99999', /^email\.port must be a port number 1-65535, not '99999'$/],
    ['email.port', 'abc', /port number/],
    ['email.security', 'ssl', /tls .*starttls .* or none/],
    ['email.provider', 'yahoo', /gmail or smtp/],
    ['email.to', 'not-an-address', /one or more email addresses/],
    ['email.to', 'a@example.com,,b@', /one or more email addresses/],
    ['email.from', 'Me <me@example.com>', /one email address/],
    ['email.on', 'weekly', /changes .* or digest/],
    ['email.digestTime', '25:00', /HH:MM/],
    ['quietHours.start', '7am', /HH:MM/],
    ['email.enabled', 'maybe', /true or false/],
    ['email.failedScanEveryHours', '-1', /0-8760/],
    ['email.host', 'smtp example.com', /host name or IP address/],
  ];
  for (const [key, value, pattern] of cases) {
    assert.throws(
      () => setFromText(s, key, value),
      (error: unknown) =>
        error instanceof UserError && pattern.test(error.message) && !error.message.includes('\n'),
      `${key} ${value}`,
    );
  }
  assert.throws(
    () => setFromText(s, 'email.colour', 'red'),
    /unknown setting 'email.colour'; known settings: .*email\.password/,
  );
  assert.deepEqual(s, defaultSettings(), 'nothing was changed by refused values');
});

test('unset puts a key back to its default', () => {
  const s = defaultSettings();
  setFromText(s, 'email.to', 'a@example.com');
  resetKey(s, 'email.to');
  assert.deepEqual(findKey('email.to').get(s), []);
});

test('a version-0 file (no version, to as a string, secure as a boolean) is migrated', async (t) => {
  const dir = await tempDir(t);
  await fs.writeFile(
    settingsPath(dir),
    JSON.stringify({
      email: {
        enabled: true,
        host: 'mail.example.com',
        port: 465,
        secure: true,
        to: 'a@example.com, b@example.com',
      },
    }),
  );
  const s = await loadSettings(dir);
  assert.equal(s.version, SETTINGS_VERSION);
  assert.equal(s.email.security, 'tls');
  assert.deepEqual(s.email.to, ['a@example.com', 'b@example.com']);
  assert.equal(s.email.digestTime, '08:00', 'missing fields take their defaults');
  assert.equal(s.quietHours.enabled, false);
});

test('a broken, hand-edited or newer file gives a clear error instead of a stack trace', async (t) => {
  const dir = await tempDir(t);
  await fs.writeFile(settingsPath(dir), '{"version": 1, "email": {');
  await assert.rejects(
    loadSettings(dir),
    (e: unknown) => e instanceof UserError && /is not valid JSON .* fix it or delete it/.test(e.message),
  );
  await fs.writeFile(settingsPath(dir), JSON.stringify({ version: 1, email: { port: 'x' } }));
  await assert.rejects(
    loadSettings(dir),
    /email\.port must be a port number 1-65535, not "x"; fix it with 'portwatch config set email\.port VALUE'/,
  );
  await fs.writeFile(settingsPath(dir), JSON.stringify({ version: 99 }));
  await assert.rejects(loadSettings(dir), /written by a newer Portwatch \(settings version 99/);
  assert.throws(() => migrateSettings([]), /not a settings object/);
});

test('saving refuses invalid settings (the window cannot write what the CLI would refuse)', async (t) => {
  const dir = await tempDir(t);
  const s = defaultSettings();
  s.email.port = 0;
  await assert.rejects(saveSettings(dir, s), /email\.port must be a port number/);
  await assert.rejects(fs.stat(settingsPath(dir)), { code: 'ENOENT' });
});
