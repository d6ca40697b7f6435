// The configured channels: <data dir>/channels.json holds what may be shown (name, kind, masked target,
// options); each one's URL, token, HMAC key and header values are in the secret store (secrets.ts).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  channelKinds,
  channelNameProblem,
  maskTarget,
  type ChannelInfo,
  type ChannelKind,
  type ChannelSecret,
} from '../../shared/channels.ts';
import { readIfExists, writeFileAtomicAsync } from '../store/atomic.ts';
import { channelSecretStore, plainFileCodec, type SecretCodec } from '../config/secrets.ts';
import { UserError } from '../errors.ts';
import { urlProblem } from './http.ts';

export interface NewChannel {
  name: string;
  kind: string;
  url: string;
  token?: string;
  hmacKey?: string;
  /** "Name: value" pairs. */
  headers?: string[];
  priority?: number;
  tags?: string[];
  profiles?: string[];
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** Headers Portwatch sets itself: a custom one may not replace them. */
const RESERVED = new Set([
  'content-type',
  'content-length',
  'host',
  'idempotency-key',
  'x-portwatch-signature',
  'x-portwatch-event',
]);

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    const name = at > 0 ? line.slice(0, at).trim() : '';
    if (!HEADER_NAME.test(name))
      throw new UserError(
        `--header needs "Name: value", e.g. --header "X-Api-Key: abc"; got '${line.slice(0, 40)}'`,
      );
    if (RESERVED.has(name.toLowerCase()))
      throw new UserError(`--header ${name} is set by Portwatch itself; leave it out`);
    headers[name] = line.slice(at + 1).trim();
  }
  return headers;
}

/** Checks a new channel; throws one UserError line saying what to change. */
export function validateChannel(input: NewChannel): {
  info: Omit<ChannelInfo, 'createdAt'>;
  secret: ChannelSecret;
} {
  const nameProblem = channelNameProblem(input.name);
  if (nameProblem) throw new UserError(nameProblem);
  if (!(channelKinds as readonly string[]).includes(input.kind))
    throw new UserError(`--kind must be one of ${channelKinds.join(', ')}, not '${input.kind}'`);
  const kind = input.kind as ChannelKind;
  const problem = urlProblem(input.url);
  if (problem) throw new UserError(`--url: ${problem}`);
  if (kind === 'ntfy' && new URL(input.url).pathname.split('/').pop() === '')
    throw new UserError('--url for ntfy is the server and the topic, e.g. https://ntfy.sh/my-topic');
  if (input.priority !== undefined && kind !== 'ntfy')
    throw new UserError('--priority is for ntfy channels only');
  if (input.tags?.length && kind !== 'ntfy') throw new UserError('--tags is for ntfy channels only');
  if (input.token !== undefined && kind !== 'ntfy') throw new UserError('--token is for ntfy channels only');
  if ((input.hmacKey !== undefined || input.headers?.length) && kind !== 'webhook')
    throw new UserError('--secret and --header are for webhook channels only');
  if (
    input.priority !== undefined &&
    !(Number.isInteger(input.priority) && input.priority >= 1 && input.priority <= 5)
  )
    throw new UserError('--priority needs a whole number from 1 (min) to 5 (max)');
  const headers = parseHeaders(input.headers ?? []);
  const info: Omit<ChannelInfo, 'createdAt'> = {
    name: input.name,
    kind,
    target: maskTarget(input.url),
    ...(input.priority !== undefined ? { priority: input.priority } : {}),
    ...(input.tags?.length ? { tags: input.tags } : {}),
    ...(Object.keys(headers).length > 0 ? { headerNames: Object.keys(headers) } : {}),
    ...(input.profiles?.length ? { profiles: input.profiles } : {}),
  };
  const secret: ChannelSecret = {
    url: input.url,
    ...(input.token ? { token: input.token } : {}),
    ...(input.hmacKey ? { hmacKey: input.hmacKey } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
  return { info, secret };
}

export class ChannelStore {
  private readonly file: string;
  private readonly dataDir: string;
  private readonly codec: SecretCodec;

  constructor(dataDir: string, codec: SecretCodec = plainFileCodec) {
    this.dataDir = dataDir;
    this.codec = codec;
    this.file = path.join(dataDir, 'channels.json');
  }

  async list(): Promise<ChannelInfo[]> {
    const text = await readIfExists(this.file);
    if (text === undefined) return [];
    try {
      const parsed = JSON.parse(text) as { channels?: ChannelInfo[] };
      return Array.isArray(parsed.channels) ? parsed.channels : [];
    } catch {
      throw new UserError(`${this.file} is damaged; fix or remove it and add the channels again`);
    }
  }

  async get(name: string): Promise<ChannelInfo | undefined> {
    return (await this.list()).find((c) => c.name === name);
  }

  /** The channels a profile's alerts go to: those listing it, and those listing no profile (all). */
  async forProfile(profile: string): Promise<ChannelInfo[]> {
    return (await this.list()).filter((c) => !c.profiles?.length || c.profiles.includes(profile));
  }

  private async save(list: ChannelInfo[]): Promise<void> {
    await fs.mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    await writeFileAtomicAsync(this.file, JSON.stringify({ channels: list }, null, 2) + '\n', {
      mode: 0o600,
    });
  }

  async add(input: NewChannel, now = new Date()): Promise<ChannelInfo> {
    const { info, secret } = validateChannel(input);
    const list = await this.list();
    if (list.some((c) => c.name === info.name))
      throw new UserError(`a channel named '${info.name}' exists; remove it first or choose another name`);
    // The secret first: a listed channel always has one.
    await channelSecretStore(this.dataDir, info.name, this.codec).set(JSON.stringify(secret));
    const added: ChannelInfo = { ...info, createdAt: now.toISOString() };
    await this.save([...list, added]);
    return added;
  }

  async remove(name: string): Promise<void> {
    const list = await this.list();
    if (!list.some((c) => c.name === name))
      throw new UserError(`no channel named '${name}'; see 'portwatch channel list'`);
    await this.save(list.filter((c) => c.name !== name));
    await channelSecretStore(this.dataDir, name, this.codec).clear();
  }

  async secret(name: string): Promise<ChannelSecret> {
    const text = await channelSecretStore(this.dataDir, name, this.codec).get();
    if (text === undefined) throw new UserError(`channel '${name}' has no stored URL; add the channel again`);
    return JSON.parse(text) as ChannelSecret;
  }
}
