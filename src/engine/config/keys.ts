// Every setting a user can change by name (`portwatch config set KEY VALUE`), with the one rule that checks
// it. The settings file loader uses the same rules, so a hand-edited file is held to them too.
import { GMAIL_SMTP, defaultSettings, type Settings } from '../../shared/settings.ts';
import { UserError } from '../errors.ts';
import { isTimeOfDay } from '../../shared/time-of-day.ts';

export interface SettingKey {
  key: string;
  /** What is accepted, for help and errors: "a port number 1-65535". */
  accepts: string;
  /** Text (from the command line) to a value, or undefined when it is not acceptable. */
  parse(text: string): unknown;
  /** Whether a value (from the settings file) is acceptable. */
  valid(value: unknown): boolean;
  get(settings: Settings): unknown;
  set(settings: Settings, value: unknown): void;
}

// Deliberately plain: one address, no display name, no spaces; the server has the final word.
const ADDRESS =
  /^[^\s@<>(),;:"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^\[?[0-9A-Fa-f:.]+\]?$/;

export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && ADDRESS.test(text);
}

export function isTime(text: string): boolean {
  return isTimeOfDay(text);
}

function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['true', 'on', 'yes', '1'].includes(t)) return true;
  if (['false', 'off', 'no', '0'].includes(t)) return false;
  return undefined;
}

function parseInteger(min: number, max: number) {
  return (text: string): number | undefined => {
    if (!/^\d+$/.test(text.trim())) return undefined;
    const n = Number(text.trim());
    return n >= min && n <= max ? n : undefined;
  };
}

function isInteger(min: number, max: number) {
  return (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function oneOf<T extends string>(...options: T[]) {
  return {
    accepts: options.join(' or '),
    parse: (text: string) => ((options as string[]).includes(text.trim()) ? text.trim() : undefined),
    valid: (v: unknown) => typeof v === 'string' && (options as string[]).includes(v),
  };
}

type Section = 'email' | 'notifications' | 'quietHours';

/** A key stored at settings[section][field]. */
function field(
  section: Section,
  name: string,
  rule: Pick<SettingKey, 'accepts' | 'parse' | 'valid'>,
  after?: (settings: Settings) => void,
): SettingKey {
  return {
    key: `${section}.${name}`,
    ...rule,
    get: (s) => (s[section] as unknown as Record<string, unknown>)[name],
    set: (s, v) => {
      (s[section] as unknown as Record<string, unknown>)[name] = v;
      after?.(s);
    },
  };
}

const bool = { accepts: 'true or false', parse: parseBoolean, valid: (v: unknown) => typeof v === 'boolean' };
const time = {
  accepts: 'a time HH:MM (24-hour, local), e.g. 08:00',
  parse: (t: string) => (isTime(t.trim()) ? t.trim() : undefined),
  valid: (v: unknown) => typeof v === 'string' && isTime(v),
};

export const SETTING_KEYS: SettingKey[] = [
  field('email', 'enabled', bool),
  field('email', 'provider', oneOf('gmail', 'smtp'), (s) => {
    // Gmail has one right server set-up; choosing it fills it in.
    if (s.email.provider === 'gmail') {
      Object.assign(s.email, GMAIL_SMTP);
      if (s.email.from === '' && isEmailAddress(s.email.user)) s.email.from = s.email.user;
    }
  }),
  field('email', 'host', {
    accepts: 'a host name or IP address, e.g. smtp.example.com',
    parse: (t) => (t.trim() !== '' && t.length <= 253 && HOST.test(t.trim()) ? t.trim() : undefined),
    valid: (v) => typeof v === 'string' && (v === '' || HOST.test(v)),
  }),
  field('email', 'port', {
    accepts: 'a port number 1-65535',
    parse: parseInteger(1, 65535),
    valid: isInteger(1, 65535),
  }),
  field('email', 'security', {
    accepts: 'tls (implicit TLS, usually port 465), starttls (usually 587) or none',
    parse: oneOf('tls', 'starttls', 'none').parse,
    valid: oneOf('tls', 'starttls', 'none').valid,
  }),
  field(
    'email',
    'user',
    {
      accepts: 'a user name without spaces (empty for none)',
      parse: (t) => (/^[^\s]*$/.test(t.trim()) ? t.trim() : undefined),
      valid: (v) => typeof v === 'string',
    },
    (s) => {
      // With Gmail the user is the address; it is the natural sender too.
      if (s.email.provider === 'gmail' && s.email.from === '' && isEmailAddress(s.email.user))
        s.email.from = s.email.user;
    },
  ),
  field('email', 'from', {
    accepts: 'one email address, e.g. portwatch@example.com',
    parse: (t) => (isEmailAddress(t.trim()) ? t.trim() : undefined),
    valid: (v) => typeof v === 'string' && (v === '' || isEmailAddress(v)),
  }),
  field('email', 'to', {
    accepts: 'one or more email addresses, separated by commas',
    parse: (t) => {
      const list = t
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      return list.length > 0 && list.every(isEmailAddress) ? [...new Set(list)] : undefined;
    },
    valid: (v) => Array.isArray(v) && v.every((a) => typeof a === 'string' && isEmailAddress(a)),
  }),
  field('email', 'on', {
    accepts:
      'changes (one mail per scan that changed something) or digest (one mail a day at email.digestTime)',
    parse: oneOf('changes', 'digest').parse,
    valid: oneOf('changes', 'digest').valid,
  }),
  field('email', 'digestTime', time),
  field('email', 'failedScanEveryHours', {
    accepts: 'a number of hours 0-8760 (0 = never mail about failed scans)',
    parse: parseInteger(0, 8760),
    valid: isInteger(0, 8760),
  }),
  field('email', 'heartbeat', bool),
  field('email', 'caFile', {
    accepts: 'the path of a PEM file of certificate authorities to trust (empty for the system ones)',
    parse: (t) => t.trim(),
    valid: (v) => typeof v === 'string',
  }),
  field('notifications', 'desktop', bool),
  field('notifications', 'failedScans', bool),
  field('notifications', 'failedScanEveryHours', {
    accepts: 'a number of hours 1-8760',
    parse: parseInteger(1, 8760),
    valid: isInteger(1, 8760),
  }),
  field('quietHours', 'enabled', bool),
  field('quietHours', 'start', time),
  field('quietHours', 'end', time),
  {
    key: 'retentionDays',
    accepts: 'a number of days 1-3650',
    parse: parseInteger(1, 3650),
    valid: isInteger(1, 3650),
    get: (s) => s.retentionDays,
    set: (s, v) => {
      s.retentionDays = v as number;
    },
  },
  {
    key: 'nmapPath',
    accepts: 'the path of the nmap program (empty to find it on PATH)',
    parse: (t) => t.trim(),
    valid: (v) => typeof v === 'string',
    get: (s) => s.nmapPath,
    set: (s, v) => {
      s.nmapPath = v as string;
    },
  },
];

/** The key the password is set with; it is not a setting (see secrets.ts). */
export const PASSWORD_KEY = 'email.password';

export function findKey(key: string): SettingKey {
  const found = SETTING_KEYS.find((k) => k.key === key);
  if (!found) {
    const known = [...SETTING_KEYS.map((k) => k.key), PASSWORD_KEY].join(', ');
    throw new UserError(`unknown setting '${key}'; known settings: ${known}`);
  }
  return found;
}

/** Sets a key from its text form, or throws a UserError that says what is accepted. */
export function setFromText(settings: Settings, key: string, text: string): void {
  const setting = findKey(key);
  const value = setting.parse(text);
  if (value === undefined) throw new UserError(`${key} must be ${setting.accepts}, not '${text}'`);
  setting.set(settings, value);
}

/** A value as `config get` prints it. */
export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Puts a key back to its default value. */
export function resetKey(settings: Settings, key: string): void {
  const setting = findKey(key);
  setting.set(settings, structuredClone(setting.get(defaultSettings())));
}
