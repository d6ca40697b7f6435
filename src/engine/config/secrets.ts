// The mail password: never in the settings, never logged or printed. A SecretStore is a codec (how the
// bytes are protected) over a backend (where they are kept), so the app can plug Electron's safeStorage in
// as the codec while the CLI uses a plain file only its owner can read. PORTWATCH_SMTP_PASSWORD wins over both.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SecretStatus } from '../../shared/settings.ts';
import { UserError, messageOf } from '../errors.ts';
import { writeFileAtomicAsync } from '../store/atomic.ts';

export const PASSWORD_ENV = 'PORTWATCH_SMTP_PASSWORD';

export type SecretStorageKind = SecretStatus['storage'];

export interface SecretStore {
  status(): Promise<SecretStatus>;
  /** The password, or undefined when none is set. Throws UserError when it is set but cannot be read. */
  get(): Promise<string | undefined>;
  set(value: string): Promise<void>;
  clear(): Promise<void>;
}

/** How the stored bytes are protected. Electron: safeStorage.encryptString / decryptString (async where present). */
export interface SecretCodec {
  /** How the last encrypt() protected the bytes (read after it), stored with them. */
  readonly kind: Exclude<SecretStorageKind, 'env' | 'none'>;
  /** The stored kinds this codec can decrypt, when more than its own `kind` (the app's safeStorage: both). */
  readonly reads?: readonly Exclude<SecretStorageKind, 'env' | 'none'>[];
  encrypt(plain: string): Uint8Array | Promise<Uint8Array>;
  decrypt(data: Uint8Array): string | Promise<string>;
}

/** Where the protected bytes are kept. */
export interface SecretBackend {
  /** A description for messages, e.g. the file's path. */
  where: string;
  read(): Promise<Uint8Array | undefined>;
  write(data: Uint8Array): Promise<void>;
  remove(): Promise<void>;
}

/** No encryption: the protection is the file's mode (0600 in a 0700 directory). For headless machines. */
export const plainFileCodec: SecretCodec = {
  kind: 'file',
  encrypt: (plain) => new TextEncoder().encode(plain),
  decrypt: (data) => new TextDecoder().decode(data),
};

export function secretFilePath(dataDir: string): string {
  return path.join(dataDir, 'secrets', 'smtp-password');
}

const checkModes = process.platform !== 'win32';

/** A file only its owner may read: 0600 inside a 0700 directory. Refuses to read one that others can. */
export function fileBackend(file: string, what = 'mail password'): SecretBackend {
  const dir = path.dirname(file);
  return {
    where: file,
    async read() {
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(file, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new UserError(`cannot read the ${what} file ${file}: ${messageOf(error)}`);
      }
      try {
        const stat = await handle.stat();
        if (checkModes && (stat.mode & 0o077) !== 0) {
          const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
          throw new UserError(
            `the ${what} file ${file} can be read by other users (mode ${mode}); run 'chmod 600 ${file}' and change the secret if others may have read it`,
          );
        }
        if (checkModes && process.getuid && stat.uid !== process.getuid()) {
          throw new UserError(`the ${what} file ${file} belongs to another user; set it again as this user`);
        }
        return new Uint8Array(await handle.readFile());
      } finally {
        await handle.close();
      }
    },
    async write(data) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      if (checkModes) await fs.chmod(dir, 0o700);
      await writeFileAtomicAsync(file, data, { mode: 0o600 });
    },
    async remove() {
      await fs.rm(file, { force: true });
    },
  };
}

interface Envelope {
  v: 1;
  kind: SecretCodec['kind'];
  data: string;
}

/** A store that keeps `codec.encrypt(password)` in `backend`, tagged with the codec's kind. */
/** How a store names its secret in errors; the default is the mail password's. */
export interface SecretLabel {
  what: string;
  /** What to do when it cannot be read: "add the channel again". */
  fix: string;
}

export function codecSecretStore(
  codec: SecretCodec,
  backend: SecretBackend,
  label?: SecretLabel,
): SecretStore {
  async function readEnvelope(): Promise<Envelope | undefined> {
    const bytes = await backend.read();
    if (bytes === undefined) return undefined;
    try {
      const envelope = JSON.parse(new TextDecoder().decode(bytes)) as Envelope;
      if (envelope.v === 1 && typeof envelope.kind === 'string' && typeof envelope.data === 'string')
        return envelope;
    } catch {
      // fall through
    }
    throw new UserError(
      `the ${label?.what ?? 'mail password'} file ${backend.where} is damaged; ${label?.fix ?? 'set the password again'}`,
    );
  }
  return {
    async status() {
      const envelope = await readEnvelope();
      return envelope ? { set: true, storage: envelope.kind } : { set: false, storage: 'none' };
    },
    async get() {
      const envelope = await readEnvelope();
      if (!envelope) return undefined;
      const readable = envelope.kind === codec.kind || codec.reads?.includes(envelope.kind) === true;
      if (!readable && label) {
        const by = envelope.kind === 'file' ? 'the CLI' : `the Portwatch app (${envelope.kind})`;
        throw new UserError(
          `the ${label.what} was stored by ${by}, which this process cannot read; ${label.fix}`,
        );
      }
      if (!readable) {
        throw new UserError(
          envelope.kind === 'file'
            ? `the mail password in ${backend.where} was stored by the CLI; set it again in the app to keep it in the system keyring`
            : `the mail password was stored encrypted by the Portwatch app (${envelope.kind}), which the CLI cannot read; set ${PASSWORD_ENV}, or store a copy for the CLI with 'portwatch config set email.password -'`,
        );
      }
      try {
        return await codec.decrypt(Buffer.from(envelope.data, 'base64'));
      } catch (error) {
        throw new UserError(
          `cannot decrypt the ${label?.what ?? 'mail password'} (${messageOf(error)}); ${label?.fix ?? 'set it again'}`,
        );
      }
    },
    async set(value) {
      const data = Buffer.from(await codec.encrypt(value)).toString('base64');
      const envelope: Envelope = { v: 1, kind: codec.kind, data };
      await backend.write(new TextEncoder().encode(JSON.stringify(envelope) + '\n'));
    },
    async clear() {
      await backend.remove();
    },
  };
}

/** PORTWATCH_SMTP_PASSWORD, when set, wins over `stored` for reading; setting still goes to `stored`. */
export function withEnvOverride(stored: SecretStore, env: NodeJS.ProcessEnv): SecretStore {
  const fromEnv = () => {
    const value = env[PASSWORD_ENV];
    return value !== undefined && value !== '' ? value : undefined;
  };
  return {
    async status() {
      return fromEnv() !== undefined ? { set: true, storage: 'env' } : stored.status();
    },
    async get() {
      return fromEnv() ?? stored.get();
    },
    set: (value) => stored.set(value),
    clear: () => stored.clear(),
  };
}

export interface SecretStoreOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** The app passes a safeStorage codec; the CLI uses the plain file. */
  codec?: SecretCodec;
}

/** The store the CLI and the reporter use: env override, then the data directory's secret file. */
export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const stored = codecSecretStore(
    options.codec ?? plainFileCodec,
    fileBackend(secretFilePath(options.dataDir)),
  );
  return withEnvOverride(stored, options.env ?? process.env);
}

/** A channel's secret (URL, token, HMAC key, header values) as JSON: <data dir>/secrets/channel-<name>. */
export function channelSecretStore(
  dataDir: string,
  name: string,
  codec: SecretCodec = plainFileCodec,
): SecretStore {
  const what = `secret of channel '${name}'`;
  return codecSecretStore(codec, fileBackend(path.join(dataDir, 'secrets', `channel-${name}`), what), {
    what,
    fix: `add the channel again ('portwatch channel add ${name} ...' or in the Settings window)`,
  });
}
