// `portwatch config`: read and change the settings the app and the CLI share, and the mail password.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  PASSWORD_KEY,
  SETTING_KEYS,
  findKey,
  formatValue,
  resetKey,
  setFromText,
} from '../../engine/config/keys.ts';
import { PASSWORD_ENV, createSecretStore } from '../../engine/config/secrets.ts';
import { loadSettings, settingsPath, updateSettings } from '../../engine/config/settings-file.ts';
import { UserError } from '../../engine/errors.ts';
import type { SecretStatus } from '../../shared/settings.ts';
import type { Command, CommandContext } from '../command.ts';
import { readPassword } from '../../engine/config/read-secret.ts';
import {
  UI_PASSWORD_KEY,
  clearUiPassword,
  readUiPasswordHash,
  setUiPassword,
} from '../../engine/config/ui-password.ts';

function maskedPassword(status: SecretStatus): string {
  if (!status.set) return '(not set)';
  const where = status.storage === 'env' ? `from ${PASSWORD_ENV}` : `stored: ${status.storage}`;
  return `******** (${where})`;
}

const keyList = [
  ...SETTING_KEYS.map((k) => `  ${k.key.padEnd(28)} ${k.accepts}`),
  `  ${PASSWORD_KEY.padEnd(28)} the mail password; '-' reads it from standard input (kept out of shell history)`,
  `  ${UI_PASSWORD_KEY.padEnd(28)} a password for the browser UI (watch --ui); '-' reads it from standard input`,
].join('\n');

async function checkCaFile(value: string): Promise<string> {
  if (value === '') return value;
  const absolute = path.resolve(value);
  let pem: string;
  try {
    pem = await fs.readFile(absolute, 'utf8');
  } catch {
    throw new UserError(`email.caFile: cannot read ${absolute}; give the path of a PEM certificate file`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UserError(`email.caFile: ${absolute} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  return absolute;
}

async function get(args: string[], ctx: CommandContext): Promise<number> {
  if (args.length > 1) throw new UserError('usage: portwatch config get [KEY]');
  const settings = await loadSettings(ctx.dataDir);
  const secrets = createSecretStore({ dataDir: ctx.dataDir, env: ctx.env });
  const key = args[0];
  if (key === PASSWORD_KEY) {
    ctx.stdout.write(maskedPassword(await secrets.status()) + '\n');
    return 0;
  }
  const uiPassword = (await readUiPasswordHash(ctx.dataDir)) ? '******** (a scrypt hash)' : '(not set)';
  if (key === UI_PASSWORD_KEY) {
    ctx.stdout.write(uiPassword + '\n');
    return 0;
  }
  if (key !== undefined) {
    ctx.stdout.write(formatValue(findKey(key).get(settings)) + '\n');
    return 0;
  }
  const lines = SETTING_KEYS.map((k) => `${k.key} = ${formatValue(k.get(settings))}`);
  const email = lines.findIndex((l) => l.startsWith('email.caFile'));
  let status: string;
  try {
    status = maskedPassword(await secrets.status());
  } catch (error) {
    status = `(unreadable: ${(error as Error).message})`;
  }
  lines.splice(email + 1, 0, `${PASSWORD_KEY} = ${status}`);
  lines.push(`${UI_PASSWORD_KEY} = ${uiPassword}`);
  ctx.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function set(args: string[], ctx: CommandContext): Promise<number> {
  const [key, value, ...extra] = args;
  if (key === undefined || value === undefined || extra.length > 0) {
    throw new UserError(
      "usage: portwatch config set KEY VALUE (quote values with spaces; 'portwatch config --help' lists the keys)",
    );
  }
  if (key === UI_PASSWORD_KEY) {
    const password = value === '-' ? await readPassword(ctx) : value;
    if (value !== '-')
      ctx.stderr.write(
        "portwatch: note: a password on the command line stays in your shell history; next time use 'portwatch config set ui.password -'\n",
      );
    if (password.length < 8) throw new UserError('the UI password is too short; use at least 8 characters');
    await setUiPassword(ctx.dataDir, password);
    ctx.stdout.write('ui.password stored as a salted scrypt hash (readable by this user only)\n');
    return 0;
  }
  if (key === PASSWORD_KEY) {
    const secrets = createSecretStore({ dataDir: ctx.dataDir, env: ctx.env });
    let password = value;
    if (value === '-') password = await readPassword(ctx);
    else
      ctx.stderr.write(
        "portwatch: note: a password on the command line stays in your shell history; next time use 'portwatch config set email.password -'\n",
      );
    if (password === '')
      throw new UserError("the password is empty; to remove it use 'portwatch config unset email.password'");
    if (/[\r\n]/.test(password))
      throw new UserError('the password contains a line break; give it on one line');
    await secrets.set(password);
    ctx.stdout.write('email.password stored (readable by this user only)\n');
    if (ctx.env[PASSWORD_ENV])
      ctx.stderr.write(
        `portwatch: note: ${PASSWORD_ENV} is set and is used instead of the stored password\n`,
      );
    return 0;
  }
  const text = key === 'email.caFile' ? await checkCaFile(value) : value;
  const settings = await updateSettings(ctx.dataDir, (s) => setFromText(s, key, text));
  ctx.stdout.write(`${key} = ${formatValue(findKey(key).get(settings))}\n`);
  if (key === 'email.security' && settings.email.security === 'none') {
    ctx.stderr.write(
      'portwatch: note: with security none, reports and the password travel unencrypted; use it only with a server on this machine or a trusted local network\n',
    );
  }
  if (key === 'email.provider' && settings.email.provider === 'gmail') {
    ctx.stdout.write(
      [
        `email.host = ${settings.email.host}, email.port = ${settings.email.port}, email.security = ${settings.email.security}`,
        'Next: portwatch config set email.user you@gmail.com',
        '      portwatch config set email.password -   (a Gmail app password: https://myaccount.google.com/apppasswords, needs 2-Step Verification)',
      ].join('\n') + '\n',
    );
  }
  return 0;
}

async function unset(args: string[], ctx: CommandContext): Promise<number> {
  const [key, ...extra] = args;
  if (key === undefined || extra.length > 0) throw new UserError('usage: portwatch config unset KEY');
  if (key === UI_PASSWORD_KEY) {
    await clearUiPassword(ctx.dataDir);
    ctx.stdout.write('ui.password removed (sign in with the link watch --ui prints)\n');
    return 0;
  }
  if (key === PASSWORD_KEY) {
    await createSecretStore({ dataDir: ctx.dataDir, env: ctx.env }).clear();
    ctx.stdout.write('email.password removed\n');
    return 0;
  }
  const settings = await updateSettings(ctx.dataDir, (s) => resetKey(s, key));
  ctx.stdout.write(`${key} = ${formatValue(findKey(key).get(settings))} (default)\n`);
  return 0;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'show or change settings (email, quiet hours, notifications) and the mail password',
  help: `Usage: portwatch config get [KEY]
       portwatch config set KEY VALUE
       portwatch config unset KEY
       portwatch config path

Settings live in settings.json in the data directory, shared with the app. The mail password is
never printed: 'config get' shows whether it is set and where it is kept.

  portwatch config set email.password -     reads the password from standard input (hidden when typed
                                            at a terminal), so it stays out of your shell history
  PORTWATCH_SMTP_PASSWORD=...               when set, used instead of the stored password
  portwatch config set ui.password -        a password for the browser UI, kept as a salted scrypt hash

Keys:
${keyList}

Gmail in three steps (needs 2-Step Verification on the Google account):
  portwatch config set email.provider gmail
  portwatch config set email.user you@gmail.com
  portwatch config set email.password -      (paste an app password from https://myaccount.google.com/apppasswords)
then: portwatch config set email.to you@gmail.com && portwatch config set email.enabled true && portwatch mail test
`,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'get') return get(rest, ctx);
    if (sub === 'set') return set(rest, ctx);
    if (sub === 'unset') return unset(rest, ctx);
    if (sub === 'path') {
      ctx.stdout.write(settingsPath(ctx.dataDir) + '\n');
      return 0;
    }
    if (sub === undefined) return get([], ctx);
    throw new UserError(`unknown config action '${sub}'; use get, set, unset or path`);
  },
};
