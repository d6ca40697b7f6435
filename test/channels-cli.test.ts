// `portwatch channel` end to end against a real receiver on loopback: add (secrets kept out of every output),
// list (host and last 4 characters only), test (the server's answer printed), remove; bad input, one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpReceiver } from './support/http-receiver.ts';

const cliMain = path.resolve(import.meta.dirname, '..', 'src/cli/main.ts');

function cli(dataDir: string, args: string[], stdin?: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [cliMain, '--data-dir', dataDir, ...args],
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin ?? '');
  });
}

test('channel add, list, test, remove: the secret never shows; test prints the answer', async (t) => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-channel-'));
  t.after(() => fs.rm(dataDir, { recursive: true, force: true }));
  const r = await new HttpReceiver('127.0.121.3').start();
  t.after(() => r.stop());
  r.answer = () => ({ status: 200, body: '{"id":"m1","event":"message"}' });
  const url = r.url('/secret-topic-Zq9X');

  const added = await cli(
    dataDir,
    ['channel', 'add', 'phone', '--kind', 'ntfy', '--url', url, '--token', '-', '--priority', '5'],
    'tk_verysecret\n',
  );
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /added ntfy channel 'phone' \(127\.0\.121\.3:\d+ …Zq9X\) for every profile/);
  const listed = await cli(dataDir, ['channel', 'list']);
  assert.match(listed.stdout, /^phone {2}ntfy {2}127\.0\.121\.3:\d+ …Zq9X {2}all profiles {2}priority 5\n$/);
  for (const out of [added.stdout + added.stderr, listed.stdout]) {
    assert.ok(!out.includes('secret-topic'), 'the URL is not printed');
    assert.ok(!out.includes('tk_verysecret'), 'the token is not printed');
  }
  const channelsJson = await fs.readFile(path.join(dataDir, 'channels.json'), 'utf8');
  assert.ok(
    !channelsJson.includes('secret-topic') && !channelsJson.includes('tk_'),
    'channels.json holds no secret',
  );
  const secretFile = path.join(dataDir, 'secrets', 'channel-phone');
  assert.equal((await fs.stat(secretFile)).mode & 0o777, 0o600);

  const tested = await cli(dataDir, ['channel', 'test', 'phone']);
  assert.equal(tested.code, 0, tested.stderr);
  assert.match(tested.stdout, /the server said: delivered \(HTTP 200: \{"id":"m1","event":"message"\}\)/);
  assert.equal(r.requests.length, 1);
  assert.equal(r.requests[0]!.headers.authorization, 'Bearer tk_verysecret');
  assert.equal(JSON.parse(r.requests[0]!.body).topic, 'secret-topic-Zq9X');

  r.answer = () => ({ status: 401, body: '{"error":"unauthorized"}' });
  const refused = await cli(dataDir, ['channel', 'test', 'phone']);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /^portwatch: 'phone': HTTP 401: \{"error":"unauthorized"\}; the token or the URL is wrong/m,
  );

  const removed = await cli(dataDir, ['channel', 'remove', 'phone']);
  assert.equal(removed.code, 0);
  await assert.rejects(fs.stat(secretFile));
  assert.match((await cli(dataDir, ['channel', 'list'])).stdout, /^no channels/);
});

test('channel add: bad input gets one clear line and changes nothing', async (t) => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-channel-'));
  t.after(() => fs.rm(dataDir, { recursive: true, force: true }));
  const cases: Array<[string[], RegExp]> = [
    [
      ['--kind', 'pager', '--url', 'https://x.example/h'],
      /--kind must be one of ntfy, webhook, slack, discord, teams/,
    ],
    [
      ['--kind', 'slack', '--url', 'http://hooks.example.com/x'],
      /plain http:\/\/ is only allowed for loopback/,
    ],
    [['--kind', 'ntfy', '--url', 'https://ntfy.sh/'], /server and the topic/],
    [
      ['--kind', 'slack', '--url', 'https://hooks.example.com/x', '--priority', '3'],
      /--priority is for ntfy/,
    ],
    [
      ['--kind', 'webhook', '--url', 'https://h.example.com/x', '--header', 'nocolon'],
      /--header needs "Name: value"/,
    ],
    [
      ['--kind', 'ntfy', '--url', 'https://ntfy.sh/t', '--priority', '9'],
      /--priority needs a whole number from 1 to 5/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = await cli(dataDir, ['channel', 'add', 'c1', ...args]);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
  }
  const bad = await cli(dataDir, [
    'channel',
    'add',
    'email',
    '--kind',
    'slack',
    '--url',
    'https://h.example.com/x',
  ]);
  assert.match(bad.stderr, /'email' is the mail channel's name/);
  assert.match((await cli(dataDir, ['channel', 'list'])).stdout, /^no channels/);
});
