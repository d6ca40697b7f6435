// Each channel kind against a real HTTP receiver on loopback: the exact request the app would get (method,
// headers, JSON shape, a valid signature), and every kind of answer explained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { ChannelInfo, ChannelSecret } from '../src/shared/channels.ts';
import { scanItem } from '../src/engine/mail/report.ts';
import { sendToChannel } from '../src/engine/channels/send.ts';
import { post, urlProblem } from '../src/engine/channels/http.ts';
import { HttpReceiver } from './support/http-receiver.ts';
import { portClosed, portOpened, testReport } from './support/smtp.ts';

const HOST = '127.0.121.1';

async function receiver(t: { after(fn: () => Promise<void>): void }) {
  const r = await new HttpReceiver(HOST).start();
  t.after(() => r.stop());
  return r;
}

function info(kind: ChannelInfo['kind'], extra: Partial<ChannelInfo> = {}): ChannelInfo {
  return { name: `t-${kind}`, kind, target: 'x', createdAt: '2026-11-24T05:00:00.000Z', ...extra };
}

const changes = [portOpened('127.0.121.10', 8080, 'http-proxy'), portClosed('127.0.121.10', 22)];
const items = [
  scanItem(testReport({ profile: 'Home LAN', changes, startedAt: '2026-11-24T05:00:00.000Z' }), 'changes'),
];

function send(
  kind: ChannelInfo['kind'],
  secret: ChannelSecret,
  extra: Partial<ChannelInfo> = {},
  eventId = 'evt-1',
) {
  return sendToChannel({ info: info(kind, extra), secret, items, mode: 'single', eventId });
}

test('ntfy: JSON published to the server root with topic, title, priority, tags and the token', async (t) => {
  const r = await receiver(t);
  r.answer = () => ({ status: 200, body: '{"id":"abc","event":"message"}' });
  const verdict = await send(
    'ntfy',
    { url: r.url('/portwatch-alerts'), token: 'tk_secret' },
    { tags: ['lock'] },
  );
  assert.equal(verdict.outcome, 'delivered', verdict.message);
  assert.match(verdict.message, /HTTP 200: \{"id":"abc"/);
  const [req] = r.requests;
  assert.equal(req!.method, 'POST');
  assert.equal(req!.path, '/');
  assert.equal(req!.headers.authorization, 'Bearer tk_secret');
  assert.equal(req!.headers['content-type'], 'application/json');
  assert.equal(req!.headers['idempotency-key'], 'evt-1');
  const body = JSON.parse(req!.body);
  assert.equal(body.topic, 'portwatch-alerts');
  assert.equal(body.title, 'Portwatch: 2 changes on Home LAN (1 host)');
  assert.equal(body.priority, 4, 'a new open port is urgent');
  assert.deepEqual(body.tags, ['lock']);
  assert.match(
    body.message,
    /^Home LAN: 2 changes\n• 127\.0\.121\.10 8080\/tcp open: http-proxy\n• 127\.0\.121\.10 22\/tcp no longer open/,
  );
  assert.match(body.message, /at 2026-11-24T05:00:00\.000Z$/);
});

test('generic webhook: the change model, a valid HMAC-SHA256 signature over the body, custom headers', async (t) => {
  const r = await receiver(t);
  const verdict = await send('webhook', {
    url: r.url('/in'),
    hmacKey: 'k3y',
    headers: { 'X-Api-Key': 'abc' },
  });
  assert.equal(verdict.outcome, 'delivered', verdict.message);
  const [req] = r.requests;
  assert.equal(req!.method, 'POST');
  assert.equal(req!.path, '/in');
  assert.equal(req!.headers['x-api-key'], 'abc');
  assert.equal(req!.headers['x-portwatch-event'], 'evt-1');
  const expected = 'sha256=' + createHmac('sha256', 'k3y').update(req!.body).digest('hex');
  assert.equal(req!.headers['x-portwatch-signature'], expected);
  const body = JSON.parse(req!.body);
  assert.equal(body.event, 'portwatch.alert');
  assert.equal(body.id, 'evt-1');
  assert.deepEqual(body.profiles, ['Home LAN']);
  assert.equal(body.items[0].kind, 'changes');
  assert.deepEqual(
    body.items[0].changes.map((c: { kind: string; port: number }) => `${c.kind} ${c.port}`),
    ['port-opened 8080', 'port-closed 22'],
  );
});

test('Slack-compatible: text for Mattermost and Rocket.Chat, blocks for Slack, mrkdwn escaped', async (t) => {
  const r = await receiver(t);
  r.answer = () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' });
  const verdict = await send('slack', { url: r.url('/services/T0/B0/xyz') });
  assert.equal(verdict.outcome, 'delivered');
  const body = JSON.parse(r.requests[0]!.body);
  assert.match(
    body.text,
    /^\*Portwatch: 2 changes on Home LAN \(1 host\)\*\n\*Home LAN: 2 changes\*\n• 127\.0\.121\.10 8080\/tcp open/,
  );
  assert.deepEqual(
    body.blocks.map((b: { type: string }) => b.type),
    ['header', 'section', 'context'],
  );
  assert.equal(body.blocks[0].text.type, 'plain_text');
  assert.equal(body.blocks[2].elements[0].text, 'at 2026-11-24T05:00:00.000Z');
});

test('Discord: one embed with title, description, colour and timestamp; nobody is pinged', async (t) => {
  const r = await receiver(t);
  r.answer = () => ({ status: 204 });
  const verdict = await send('discord', { url: r.url('/api/webhooks/1/abc') });
  assert.equal(verdict.outcome, 'delivered');
  assert.equal(verdict.status, 204);
  const body = JSON.parse(r.requests[0]!.body);
  assert.equal(body.username, 'Portwatch');
  assert.deepEqual(body.allowed_mentions, { parse: [] });
  const [embed] = body.embeds;
  assert.equal(embed.title, 'Portwatch: 2 changes on Home LAN (1 host)');
  assert.equal(embed.timestamp, '2026-11-24T05:00:00.000Z');
  assert.equal(embed.color, 0xd9534f);
  assert.match(embed.description, /^\*\*Home LAN: 2 changes\*\*\n• 127\.0\.121\.10 8080\/tcp open/);
});

test('Teams Workflows: a message with one Adaptive Card attachment', async (t) => {
  const r = await receiver(t);
  r.answer = () => ({ status: 202 });
  const verdict = await send('teams', { url: r.url('/workflows/run') });
  assert.equal(verdict.outcome, 'delivered');
  const body = JSON.parse(r.requests[0]!.body);
  assert.equal(body.type, 'message');
  assert.equal(body.attachments.length, 1);
  assert.equal(body.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
  const card = body.attachments[0].content;
  assert.equal(card.type, 'AdaptiveCard');
  assert.equal(card.version, '1.4');
  const texts = card.body.map((b: { text: string }) => b.text);
  assert.deepEqual(texts.slice(0, 4), [
    'Portwatch: 2 changes on Home LAN (1 host)',
    'Home LAN: 2 changes',
    '- 127.0.121.10 8080/tcp open: http-proxy',
    '- 127.0.121.10 22/tcp no longer open (now closed)',
  ]);
});

test('many changes are capped with "and N more"; 413 sends the shortened version', async (t) => {
  const r = await receiver(t);
  const many = Array.from({ length: 30 }, (_, i) => portOpened('127.0.121.10', 1000 + i));
  const big = [scanItem(testReport({ changes: many }), 'changes')];
  r.answer = (req) => (req.body.length > 1500 ? { status: 413, body: 'Payload Too Large' } : { status: 200 });
  const verdict = await sendToChannel({
    info: info('slack'),
    secret: { url: r.url() },
    items: big,
    mode: 'single',
    eventId: 'e',
  });
  assert.equal(r.requests.length, 2);
  assert.match(JSON.parse(r.requests[0]!.body).text, /… and 10 more/);
  assert.match(JSON.parse(r.requests[1]!.body).text, /… and 27 more/);
  assert.equal(r.requests[0]!.headers['idempotency-key'], r.requests[1]!.headers['idempotency-key']);
  assert.equal(verdict.outcome, 'delivered');
  assert.match(verdict.message, /shortened after HTTP 413/);
});

test('answers explained: 401/403 token or URL, 404 deleted, 429 Retry-After, 5xx retry, redirects not followed', async (t) => {
  const r = await receiver(t);
  const cases: Array<[number, Record<string, string>, string, RegExp]> = [
    [401, {}, 'permanent', /token or the URL is wrong/],
    [403, {}, 'permanent', /token or the URL is wrong/],
    [404, {}, 'permanent', /webhook was deleted/],
    [410, {}, 'permanent', /webhook was deleted/],
    [429, { 'retry-after': '7' }, 'retry', /rate limited; trying again in 7 s/],
    [503, {}, 'retry', /server has a problem/],
    [
      302,
      { location: 'http://127.0.121.2/elsewhere' },
      'permanent',
      /redirects elsewhere, which is not followed/,
    ],
    [400, {}, 'permanent', /refused the message/],
  ];
  for (const [status, headers, outcome, message] of cases) {
    r.answer = () => ({ status, headers, body: `status ${status}` });
    const verdict = await post({ url: r.url(), headers: {}, body: '{}' });
    assert.equal(verdict.outcome, outcome, `HTTP ${status}`);
    assert.match(verdict.message, message);
    if (status === 429) assert.equal(verdict.retryAfterMs, 7000);
  }
  assert.equal(r.requests.length, cases.length, 'the redirect was not followed');
});

test('timeouts, refused connections, a big answer read only up to the limit, https only', async (t) => {
  const r = await receiver(t);
  r.answer = () => ({ status: 200, delayMs: 2000 });
  const slow = await post({ url: r.url(), headers: {}, body: '{}' }, { timeoutMs: 300, maxBytes: 100 });
  assert.equal(slow.outcome, 'retry');
  assert.match(slow.message, /^no answer within \d+ s; trying again later$/);
  r.answer = () => ({ status: 200, body: 'x'.repeat(1_000_000) });
  const big = await post({ url: r.url(), headers: {}, body: '{}' }, { timeoutMs: 5000, maxBytes: 100 });
  assert.equal(big.outcome, 'delivered');
  assert.ok(big.message.length < 300);
  const gone = await new HttpReceiver(HOST).start();
  const port = gone.port;
  await gone.stop();
  const refused = await post({ url: `http://${HOST}:${port}/`, headers: {}, body: '{}' });
  assert.equal(refused.outcome, 'retry');
  assert.match(refused.message, /refused/);
  assert.match(urlProblem('http://example.com/hook')!, /only allowed for loopback/);
  assert.match(urlProblem('ftp://example.com/hook')!, /only https/);
  assert.equal(urlProblem('https://example.com/hook'), undefined);
  assert.equal(urlProblem('http://[::1]:8080/hook'), undefined);
  const blocked = await post({ url: 'http://192.0.2.1/hook', headers: {}, body: '{}' });
  assert.equal(blocked.outcome, 'permanent');
});
