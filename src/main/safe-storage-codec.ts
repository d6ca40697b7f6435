// The mail password's protection in the app: Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet),
// plugged into the engine's SecretStore as its codec.
//
// Linux: getSelectedStorageBackend() names the backend Chromium picked from the desktop, not what the async
// encryptor really used: with the keyring locked or missing it falls back to a fixed key while the backend
// still reads 'gnome_libsecret'. What was used is in the ciphertext itself: Chromium tags it 'v10' for the
// fixed key and 'v11' for a key held by the keyring. The codec reports that tag ('basic_text' for 'v10'); with
// an unknown tag it falls back to the backend's name, and the settings window says plainly what is known.
import type { SecretCodec } from '../engine/config/secrets.ts';
import { UserError } from '../engine/errors.ts';
import type { SafeStorageLike } from './deps.ts';

type Kind = 'os' | 'basic_text';

/** What the backend says before anything is encrypted. */
export function safeStorageKind(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Kind {
  return platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text'
    ? 'basic_text'
    : 'os';
}

/** Which key protected `encrypted` on Linux, from Chromium's version tag; undefined when the tag is unknown. */
export function linuxKeyUsed(encrypted: Uint8Array): Kind | undefined {
  const tag = Buffer.from(encrypted.subarray(0, 3)).toString('latin1');
  return tag === 'v10' ? 'basic_text' : tag === 'v11' ? 'os' : undefined;
}

export function safeStorageCodec(safeStorage: SafeStorageLike, platform: NodeJS.Platform): SecretCodec {
  let used: Kind | undefined;
  return {
    // Read after encrypt() by the store: then it is what this encryption really used.
    get kind() {
      return used ?? safeStorageKind(safeStorage, platform);
    },
    // Either kind was made by safeStorage, which can read it back.
    reads: ['os', 'basic_text'],
    async encrypt(plain) {
      if (!(await safeStorage.isAsyncEncryptionAvailable()))
        throw new UserError(
          'this system offers no way to encrypt the password; set PORTWATCH_SMTP_PASSWORD instead',
        );
      const encrypted = new Uint8Array(await safeStorage.encryptStringAsync(plain));
      used =
        platform === 'linux' ? (linuxKeyUsed(encrypted) ?? safeStorageKind(safeStorage, platform)) : 'os';
      return encrypted;
    },
    async decrypt(data) {
      const { result } = await safeStorage.decryptStringAsync(Buffer.from(data));
      return result;
    },
  };
}
