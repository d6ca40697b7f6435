// Alert channels besides mail: push (ntfy), chat webhooks and a generic signed webhook. Browser-safe types.
// The URL, token and HMAC key are secrets (a webhook URL is a password in all but name): they live in the
// secret store, and a window or a listing only ever sees `target`, the host and the last 4 characters.

export const channelKinds = ['ntfy', 'webhook', 'slack', 'discord', 'teams'] as const;
export type ChannelKind = (typeof channelKinds)[number];

/** The name mail is delivered under, next to the channels' names. Not usable as a channel name. */
export const EMAIL_CHANNEL = 'email';

/** A channel as stored in channels.json and shown anywhere: no secret in it. */
export interface ChannelInfo {
  name: string;
  kind: ChannelKind;
  /** "ntfy.sh …k3Xz": the URL's host and its last 4 characters. */
  target: string;
  /** ntfy: 1 (min) .. 5 (max); default 3 (or 4 for new open ports). */
  priority?: number;
  /** ntfy tags (emoji short codes or words). */
  tags?: string[];
  /** Names of custom headers (their values are secret). */
  headerNames?: string[];
  /** The profiles whose alerts it gets; empty or absent: all. */
  profiles?: string[];
  createdAt: string;
}

/** The secret part of a channel. */
export interface ChannelSecret {
  url: string;
  /** ntfy access token (Bearer). */
  token?: string;
  /** Generic webhook: the HMAC-SHA256 key the signature header is made with. */
  hmacKey?: string;
  /** Generic webhook: extra headers (e.g. an API key the receiver wants). */
  headers?: Record<string, string>;
}

/** What a channel's test or a send got back, explained. */
export interface ChannelAnswer {
  ok: boolean;
  /** HTTP status, when the server answered. */
  status?: number;
  /** One line: what the server said and, when it failed, what to do. */
  message: string;
}

/** The host and the last 4 characters of a secret URL: enough to recognise it, useless to anyone else. */
export function maskTarget(url: string): string {
  let host = '?';
  try {
    host = new URL(url).host;
  } catch {
    // shown as '?'
  }
  return `${host} …${url.slice(-4)}`;
}

/** Channel names: a letter or digit, then letters, digits, '.', '_' or '-' (used in file names). */
export function channelNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(name))
    return `channel name '${name}' must start with a letter or digit and use only letters, digits, '.', '_' and '-' (at most 40)`;
  if (name.toLowerCase() === EMAIL_CHANNEL)
    return `'${EMAIL_CHANNEL}' is the mail channel's name; choose another`;
  return undefined;
}
