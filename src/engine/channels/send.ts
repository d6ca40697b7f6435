// Sending one message to one channel: format it for the app, post it, explain the answer.
import type { ChannelInfo, ChannelSecret } from '../../shared/channels.ts';
import type { ReportItem, ReportMode } from '../mail/report.ts';
import { buildRequest } from './formats.ts';
import { DEFAULT_HTTP, deliver, type HttpOptions, type Verdict } from './http.ts';
import { FULL_LINES, SHORT_LINES, channelMessage, testMessage, type ChannelMessage } from './message.ts';
import type { ChannelStore } from './store.ts';

export interface ChannelSend {
  info: ChannelInfo;
  secret: ChannelSecret;
  items: ReportItem[];
  mode: ReportMode;
  eventId: string;
}

export function sendToChannel(send: ChannelSend, http: HttpOptions = DEFAULT_HTTP): Promise<Verdict> {
  const message = (short: boolean): ChannelMessage =>
    send.items.length === 0
      ? testMessage(new Date())
      : channelMessage(send.items, send.mode, short ? SHORT_LINES : FULL_LINES);
  return deliver(
    (short) =>
      buildRequest({
        info: send.info,
        secret: send.secret,
        message: message(short),
        items: send.items,
        eventId: send.eventId,
        short,
      }),
    http,
  );
}

/** `channel test`: a real message now, and the server's answer. */
export async function testChannel(
  store: ChannelStore,
  name: string,
  http: HttpOptions = DEFAULT_HTTP,
): Promise<Verdict> {
  const info = await store.get(name);
  if (!info) return { ok: false, outcome: 'permanent', message: `no channel named '${name}'` };
  const secret = await store.secret(name);
  return sendToChannel(
    { info, secret, items: [], mode: 'single', eventId: `portwatch-test-${Date.now().toString(36)}` },
    http,
  );
}
