import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  PASSWORD_ENV,
  codecSecretStore,
  createSecretStore,
  fileBackend,
  secretFilePath,
  type SecretCodec,
} from '../src/engine/config/secrets.ts';
import { UserError } from '../src/engine/errors.ts';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'src/cli/main.ts');

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-secret-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the CLI from source (the Node running the tests runs TypeScript), with stdin text. */
function portwatch(
  dataDir: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, ...options.env };
    if (!options.env?.[PASSWORD_ENV]) delete env[PASSWORD_ENV];
    const child = execFile(
      process.execPath,
      [cli, '--data-dir', dataDir, ...args],
      { env },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(options.input ?? '');
  });
}

test('the file store keeps the password owner-only (0600 in a 0700 directory) and reads it back', async (t) => {
  const dir = await tempDir(t);
  const store = createSecretStore({ dataDir: dir, env: {} });
  assert.deepEqual(await store.status(), { set: false, storage: 'none' });
  assert.equal(await store.get(), undefined);
  await store.set('s3cret app pw');
  assert.equal(await store.get(), 's3cret app pw');
  assert.deepEqual(await store.status(), { set: true, storage: 'file' });
  const file = secretFilePath(dir);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  assert.equal((await fs.stat(path.dirname(file))).mode & 0o777, 0o700);
  await store.clear();
  assert.equal(await store.get(), undefined);
});

test('a password file others can read is refused with a message that says how to fix it', async (t) => {
  const dir = await tempDir(t);
  const store = createSecretStore({ dataDir: dir, env: {} });
  await store.set('pw');
  const file = secretFilePath(dir);
  await fs.chmod(file, 0o644);
  await assert.rejects(
    store.get(),
    (e: unknown) =>
      e instanceof UserError &&
      e.message.includes('can be read by other users (mode 644)') &&
      e.message.includes(`chmod 600 ${file}`),
  );
});

test('PORTWATCH_SMTP_PASSWORD wins over the stored password', async (t) => {
  const dir = await tempDir(t);
  await createSecretStore({ dataDir: dir, env: {} }).set('stored');
  const store = createSecretStore({ dataDir: dir, env: { [PASSWORD_ENV]: 'from-env' } });
  assert.equal(await store.get(), 'from-env');
  assert.deepEqual(await store.status(), { set: true, storage: 'env' });
});

test('a codec plugs in (as the app plugs in safeStorage); what one codec stored another refuses clearly', async (t) => {
  const dir = await tempDir(t);
  // A stand-in for safeStorage: reversible, and visibly not the plain text.
  const osCodec: SecretCodec = {
    kind: 'os',
    encrypt: async (plain) => new Uint8Array(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)),
    decrypt: async (data) => Buffer.from(Buffer.from(data).map((b) => b ^ 0x5a)).toString('utf8'),
  };
  const file = secretFilePath(dir);
  const appStore = codecSecretStore(osCodec, fileBackend(file));
  await appStore.set('hunter2');
  assert.equal(await appStore.get(), 'hunter2');
  assert.deepEqual(await appStore.status(), { set: true, storage: 'os' });
  assert.ok(
    !(await fs.readFile(file, 'utf8')).includes('hunter2'),
    'the file does not hold the plain password',
  );
  const cliStore = createSecretStore({ dataDir: dir, env: {} });
  await assert.rejects(
    cliStore.get(),
    /stored encrypted by the Portwatch app \(os\).*PORTWATCH_SMTP_PASSWORD.*config set email\.password -/,
  );
});

test('CLI: the password is read from stdin, never printed, and config get masks it', async (t) => {
  const dir = await tempDir(t);
  const secret = 'pw-That-Must-Not-Leak';
  const set = await portwatch(dir, ['config', 'set', 'email.password', '-'], { input: `${secret}\n` });
  assert.equal(set.code, 0, set.stderr);
  assert.equal(await createSecretStore({ dataDir: dir, env: {} }).get(), secret);
  const all = await portwatch(dir, ['config', 'get']);
  const one = await portwatch(dir, ['config', 'get', 'email.password']);
  for (const out of [set, all, one])
    assert.ok(!(out.stdout + out.stderr).includes(secret), 'the password never appears');
  assert.match(all.stdout, /^email\.password = \*{8} \(stored: file\)$/m);
  assert.equal(one.stdout, '******** (stored: file)\n');
  const env = await portwatch(dir, ['config', 'get', 'email.password'], { env: { [PASSWORD_ENV]: 'x' } });
  assert.equal(env.stdout, '******** (from PORTWATCH_SMTP_PASSWORD)\n');
  const unset = await portwatch(dir, ['config', 'unset', 'email.password']);
  assert.equal(unset.code, 0);
  assert.equal((await portwatch(dir, ['config', 'get', 'email.password'])).stdout, '(not set)\n');
});

test('CLI: config set validates, explains, and help says the password is read from stdin', async (t) => {
  const dir = await tempDir(t);
  const bad = await portwatch(dir, ['config', 'set', 'email.security', 'ssl']);
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    "portwatch: email.security must be tls (implicit TLS, usually port 465), starttls (usually 587) or none, not 'ssl'\n",
  );
  const gmail = await portwatch(dir, ['config', 'set', 'email.provider', 'gmail']);
  assert.equal(gmail.code, 0);
  assert.match(gmail.stdout, /email\.host = smtp\.gmail\.com, email\.port = 465, email\.security = tls/);
  assert.match(gmail.stdout, /app password/);
  assert.equal((await portwatch(dir, ['config', 'get', 'email.port'])).stdout, '465\n');
  const empty = await portwatch(dir, ['config', 'set', 'email.password', '-'], { input: '' });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /no password on standard input/);
  const help = await portwatch(dir, ['config', '--help']);
  assert.match(help.stdout, /email\.password -\s+reads the password from standard input.*\n.*shell history/);
  const ca = await portwatch(dir, ['config', 'set', 'email.caFile', path.join(dir, 'missing.pem')]);
  assert.equal(ca.code, 2);
  assert.match(
    ca.stderr,
    /email\.caFile: cannot read .*missing\.pem; give the path of a PEM certificate file/,
  );
});
