// Each app's request body, built from one ChannelMessage: what ntfy, Slack (and Mattermost, Rocket.Chat),
// Discord and a Teams Workflow expect, and the generic webhook's signed JSON with the change model.
import { createHmac } from 'node:crypto';
import type { ChannelInfo, ChannelKind, ChannelSecret } from '../../shared/channels.ts';
import type { ReportItem } from '../mail/report.ts';
import { moreLine, plainText, type ChannelMessage } from './message.ts';

export interface ChannelRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface FormatInput {
  info: ChannelInfo;
  secret: ChannelSecret;
  message: ChannelMessage;
  /** The report items (the webhook sends their change model); empty for a test message. */
  items: ReportItem[];
  /** Stable across retries and re-sends after a crash: the receiver's key to drop a duplicate. */
  eventId: string;
  /** The shortened version, after a 413. */
  short: boolean;
}

const JSON_TYPE = 'application/json';

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

function ntfy(input: FormatInput): ChannelRequest {
  // JSON publishing goes to the server's root with the topic in the body (UTF-8 safe, unlike the Title header).
  const url = new URL(input.secret.url);
  const parts = url.pathname.split('/');
  const topic = decodeURIComponent(parts.pop() ?? '');
  url.pathname = parts.join('/') + '/';
  const { message, info } = input;
  const body = {
    topic,
    title: `Portwatch: ${message.title}`,
    message: clip(plainText(message), 3800),
    priority: info.priority ?? (message.urgent ? 4 : 3),
    tags: info.tags ?? (message.urgent ? ['warning'] : ['mag']),
  };
  const headers: Record<string, string> = { 'content-type': JSON_TYPE };
  if (input.secret.token) headers.authorization = `Bearer ${input.secret.token}`;
  return { url: url.toString(), headers, body: JSON.stringify(body) };
}

/** Slack's mrkdwn needs only &, < and > escaped. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slack(input: FormatInput): ChannelRequest {
  const { message } = input;
  const sectionText = (s: ChannelMessage['sections'][number]) =>
    clip(
      [`*${slackEscape(s.heading)}*`, ...[...s.lines, ...moreLine(s)].map((l) => `• ${slackEscape(l)}`)].join(
        '\n',
      ),
      2900,
    );
  const body = {
    // Mattermost and Rocket.Chat show `text`; Slack shows the blocks and uses `text` for notifications.
    text: clip(
      `*Portwatch: ${slackEscape(message.title)}*\n${message.sections.map(sectionText).join('\n')}`,
      3900,
    ),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(`Portwatch: ${message.title}`, 150) } },
      ...message.sections
        .slice(0, 45)
        .map((s) => ({ type: 'section', text: { type: 'mrkdwn', text: sectionText(s) } })),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `at ${message.at}` }] },
    ],
  };
  return { url: input.secret.url, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

function discord(input: FormatInput): ChannelRequest {
  const { message } = input;
  const description = message.sections
    .map((s) => [`**${s.heading}**`, ...[...s.lines, ...moreLine(s)].map((l) => `• ${l}`)].join('\n'))
    .join('\n\n');
  const body = {
    username: 'Portwatch',
    embeds: [
      {
        title: clip(`Portwatch: ${message.title}`, 256),
        description: clip(description, 4000),
        color: message.urgent ? 0xd9534f : 0x2b7bb9,
        timestamp: message.at,
      },
    ],
    // Nothing in a scan result may ping anyone.
    allowed_mentions: { parse: [] },
  };
  return { url: input.secret.url, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

function teams(input: FormatInput): ChannelRequest {
  const { message } = input;
  const text = (value: string, extra: Record<string, unknown> = {}) => ({
    type: 'TextBlock',
    text: value,
    wrap: true,
    ...extra,
  });
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      text(`Portwatch: ${message.title}`, {
        size: 'Medium',
        weight: 'Bolder',
        ...(message.urgent ? { color: 'Attention' } : {}),
      }),
      ...message.sections.flatMap((s) => [
        text(s.heading, { weight: 'Bolder', spacing: 'Medium' }),
        ...[...s.lines, ...moreLine(s)].map((l) => text(`- ${l}`, { spacing: 'None' })),
      ]),
      text(`at ${message.at}`, { isSubtle: true, size: 'Small' }),
    ],
  };
  const body = {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
  return { url: input.secret.url, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

/** The signature header's value: "sha256=" + hex HMAC-SHA256 of the exact body bytes. */
export function signBody(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`;
}

function webhook(input: FormatInput): ChannelRequest {
  const { message } = input;
  const items = input.items.map((item) =>
    input.short && item.kind !== 'watchdog'
      ? {
          ...item,
          changes: item.changes.slice(0, 3),
          ndiffText: '',
          changesLeftOut: item.changes.length - Math.min(3, item.changes.length),
        }
      : item,
  );
  const body = JSON.stringify({
    event: input.items.length === 0 ? 'portwatch.test' : 'portwatch.alert',
    id: input.eventId,
    title: `Portwatch: ${message.title}`,
    urgent: message.urgent,
    at: message.at,
    profiles: message.profiles,
    text: plainText(message),
    items,
  });
  const headers: Record<string, string> = { ...input.secret.headers, 'content-type': JSON_TYPE };
  if (input.secret.hmacKey) headers['x-portwatch-signature'] = signBody(input.secret.hmacKey, body);
  headers['x-portwatch-event'] = input.eventId;
  return { url: input.secret.url, headers, body };
}

const FORMATS: Record<ChannelKind, (input: FormatInput) => ChannelRequest> = {
  ntfy,
  slack,
  discord,
  teams,
  webhook,
};

/** The request for this channel, with the idempotency key every kind carries. */
export function buildRequest(input: FormatInput): ChannelRequest {
  const request = FORMATS[input.info.kind](input);
  request.headers['idempotency-key'] = input.eventId;
  return request;
}
