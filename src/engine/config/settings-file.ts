// The settings file, <data dir>/settings.json: shared by the CLI and the app, versioned, migrated on read,
// checked with the same rules as `portwatch config set`, and written crash-safe.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SETTINGS_VERSION, defaultSettings, type Settings } from '../../shared/settings.ts';
import { UserError, messageOf } from '../errors.ts';
import { acquireLock } from '../store/lock.ts';
import { readIfExists, writeFileAtomicAsync } from '../store/atomic.ts';
import { SETTING_KEYS } from './keys.ts';

export const SETTINGS_FILE = 'settings.json';

export function settingsPath(dataDir: string): string {
  return path.join(dataDir, SETTINGS_FILE);
}

type Raw = Record<string, unknown>;

/**
 * Migrations, index n turns a version-n file into version n+1. Version 0 is a file without a version (the
 * pre-release shape: `email.to` a comma-separated string, `email.secure` a boolean).
 */
const MIGRATIONS: Array<(raw: Raw) => Raw> = [
  (raw) => {
    const email = { ...((raw.email as Raw | undefined) ?? {}) };
    if (typeof email.to === 'string') {
      email.to = email.to
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
    }
    if (typeof email.secure === 'boolean' && email.security === undefined) {
      email.security = email.secure ? 'tls' : 'starttls';
    }
    delete email.secure;
    return { ...raw, email, version: 1 };
  },
];

/** Turns any stored shape into current Settings: migrate, fill in defaults, check every value. */
export function migrateSettings(input: unknown, where = SETTINGS_FILE): Settings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new UserError(`${where} is not a settings object; fix it or delete it to start from the defaults`);
  }
  let raw = input as Raw;
  const version = raw.version === undefined ? 0 : raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new UserError(
      `${where} has an invalid version '${String(raw.version)}'; fix it or delete the file`,
    );
  }
  if (version > SETTINGS_VERSION) {
    throw new UserError(
      `${where} was written by a newer Portwatch (settings version ${version}, this one reads up to ${SETTINGS_VERSION}); update Portwatch`,
    );
  }
  for (let v = version; v < SETTINGS_VERSION; v++) raw = MIGRATIONS[v]!(raw);

  const settings = defaultSettings();
  for (const setting of SETTING_KEYS) {
    const [section, name] = setting.key.includes('.') ? setting.key.split('.') : [undefined, setting.key];
    const container = section === undefined ? raw : (raw[section] as Raw | undefined);
    const value = container?.[name!];
    if (value === undefined) continue;
    if (!setting.valid(value)) {
      throw new UserError(
        `${where}: ${setting.key} must be ${setting.accepts}, not ${JSON.stringify(value)}; fix it with 'portwatch config set ${setting.key} VALUE'`,
      );
    }
    // Set the field directly: loading must not re-apply side effects such as the Gmail preset.
    if (section === undefined) (settings as unknown as Raw)[name!] = value;
    else ((settings as unknown as Raw)[section] as Raw)[name!] = value;
  }
  settings.version = SETTINGS_VERSION;
  return settings;
}

/**
 * What the monitor takes from the settings: nmap's path (settings first, then PORTWATCH_NMAP, else found on
 * PATH) and how long raw XML is kept. One rule for the CLI, the scan's head start and the app.
 */
export function monitorSettingsOf(
  settings: Pick<Settings, 'nmapPath' | 'retentionDays'>,
  env: NodeJS.ProcessEnv = process.env,
): { nmapPath?: string; retentionDays: number } {
  const nmapPath = settings.nmapPath.trim() || env.PORTWATCH_NMAP?.trim();
  return { ...(nmapPath ? { nmapPath } : {}), retentionDays: settings.retentionDays };
}

/** The settings, or the defaults when there is no file yet. */
export async function loadSettings(dataDir: string): Promise<Settings> {
  const file = settingsPath(dataDir);
  let text: string | undefined;
  try {
    text = await readIfExists(file);
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${messageOf(error)}`);
  }
  if (text === undefined) return defaultSettings();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `${file} is not valid JSON (${messageOf(error)}); fix it or delete it to start from the defaults`,
    );
  }
  return migrateSettings(parsed, file);
}

export async function saveSettings(dataDir: string, settings: Settings): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const checked = migrateSettings({ ...settings, version: SETTINGS_VERSION }, settingsPath(dataDir));
  await writeFileAtomicAsync(settingsPath(dataDir), JSON.stringify(checked, null, 2) + '\n', { mode: 0o600 });
}

/** Read, change, write, under a lock so that the CLI and the app do not undo each other's change. */
export async function updateSettings(
  dataDir: string,
  change: (settings: Settings) => void,
): Promise<Settings> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const lock = await acquireLock(path.join(dataDir, 'settings.lock'), {
    purpose: 'changing settings',
    waitMs: 10_000,
  });
  if (!lock) throw new UserError('another Portwatch process is changing the settings; try again in a moment');
  try {
    const settings = await loadSettings(dataDir);
    change(settings);
    await saveSettings(dataDir, settings);
    return settings;
  } finally {
    lock.release();
  }
}
