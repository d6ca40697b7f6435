// The browser UI's password (`portwatch config set ui.password -`): kept only as a slow salted hash (scrypt,
// N=2^15, r=8, p=1: ~30 MB and tens of milliseconds per try, so a stolen file is slow to guess), in a file
// only its owner can read. Never in settings.json, which the windows receive.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readIfExists, writeFileAtomicAsync } from '../store/atomic.ts';

export const UI_PASSWORD_KEY = 'ui.password';
const FILE = 'ui-password';
const PARAMS = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, KEY_LENGTH, { ...params, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** "scrypt$N$r$p$salt$hash" (base64url): the parameters travel with the hash, so they can grow later. */
export async function hashUiPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function verifyUiPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.trim().split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const fileOf = (dataDir: string) => path.join(dataDir, FILE);

/** The stored hash, or undefined when no password is set. */
export const readUiPasswordHash = (dataDir: string): Promise<string | undefined> =>
  readIfExists(fileOf(dataDir)).then((text) => text?.trim() || undefined);

export async function setUiPassword(dataDir: string, password: string): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFileAtomicAsync(fileOf(dataDir), (await hashUiPassword(password)) + '\n', { mode: 0o600 });
}

export const clearUiPassword = (dataDir: string): Promise<void> => fs.rm(fileOf(dataDir), { force: true });
