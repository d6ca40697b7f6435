// The mail password's protection in the app: Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet),
// plugged into the engine's SecretStore as its codec. On Linux without a keyring safeStorage falls back to
// 'basic_text', a fixed key: the codec says so, the status carries it, and the settings window warns that the
// password is not really encrypted.
import type { SecretCodec } from '../engine/config/secrets.ts';
import { UserError } from '../engine/errors.ts';
import type { SafeStorageLike } from './deps.ts';

export function safeStorageKind(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
): 'os' | 'basic_text' {
  return platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text'
    ? 'basic_text'
    : 'os';
}

export function safeStorageCodec(safeStorage: SafeStorageLike, platform: NodeJS.Platform): SecretCodec {
  return {
    kind: safeStorageKind(safeStorage, platform),
    async encrypt(plain) {
      if (!(await safeStorage.isAsyncEncryptionAvailable()))
        throw new UserError(
          'this system offers no way to encrypt the password; set PORTWATCH_SMTP_PASSWORD instead',
        );
      return new Uint8Array(await safeStorage.encryptStringAsync(plain));
    },
    async decrypt(data) {
      const { result } = await safeStorage.decryptStringAsync(Buffer.from(data));
      return result;
    },
  };
}
