// The mail password, encrypted with Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet) and kept as a
// file in the data directory. On Linux without a keyring, safeStorage falls back to 'basic_text': the status
// says so, and the settings window tells the user the password is not really encrypted.
import { readFile, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../engine/errors.ts';
import type { SecretStatus } from '../shared/settings.ts';
import type { SafeStorageLike } from './deps.ts';

const FILE = 'mail-password.safestorage';

export class SafeStorageSecrets {
  private readonly file: string;
  private readonly safeStorage: SafeStorageLike;
  private readonly platform: NodeJS.Platform;

  constructor(options: { dataDir: string; safeStorage: SafeStorageLike; platform: NodeJS.Platform }) {
    this.file = path.join(options.dataDir, FILE);
    this.safeStorage = options.safeStorage;
    this.platform = options.platform;
  }

  storageKind(): SecretStatus['storage'] {
    if (this.platform === 'linux' && this.safeStorage.getSelectedStorageBackend?.() === 'basic_text')
      return 'basic_text';
    return 'os';
  }

  async status(): Promise<SecretStatus> {
    const set = await readFile(this.file).then(
      (b) => b.length > 0,
      () => false,
    );
    return { set, storage: set ? this.storageKind() : 'none' };
  }

  async get(): Promise<string | undefined> {
    let data: Buffer;
    try {
      data = await readFile(this.file);
    } catch {
      return undefined;
    }
    const { result, shouldReEncrypt } = await this.safeStorage.decryptStringAsync(data).catch(() => {
      throw new UserError(
        'the saved mail password cannot be decrypted (the keyring changed?); enter it again in Settings',
      );
    });
    if (shouldReEncrypt) await this.set(result);
    return result;
  }

  async set(password: string): Promise<void> {
    if (!(await this.safeStorage.isAsyncEncryptionAvailable()))
      throw new UserError(
        'this system offers no way to encrypt the password; set PORTWATCH_SMTP_PASSWORD instead',
      );
    const encrypted = await this.safeStorage.encryptStringAsync(password);
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, encrypted, { mode: 0o600 });
    await rename(tmp, this.file);
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
