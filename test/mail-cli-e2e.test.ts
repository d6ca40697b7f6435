// End to end through the CLI: a real nmap scan with a change mails its report to a real SMTP server; with the
// server down the report waits in the outbox and 'portwatch mail flush' delivers it once the server is back.
import type { HistoryEntry } from '../src/shared/history.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Listeners } from './support/listeners.ts';
import { TestSmtpServer, parseMail, SMTP_TEST_HOST } from './support/smtp.ts';

const root = path.resolve(import.meta.dirname, '..');
const TARGET = '127.0.40.50';

function portwatch(dataDir: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const env = { ...process.env };
    delete env.PORTWATCH_SMTP_PASSWORD;
    execFile(
      process.execPath,
      [path.join(root, 'src/cli/main.ts'), '--data-dir', dataDir, ...args],
      { env },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function ok(dataDir: string, args: string[]) {
  const r = await portwatch(dataDir, args);
  assert.equal(r.code, 0, `portwatch ${args.join(' ')}: ${r.stderr}`);
  return r;
}

test('portwatch scan mails the report; with the server down it waits and mail flush delivers it', async (t) => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-e2e-mail-'));
  const listeners = new Listeners();
  const smtp = await new TestSmtpServer({ security: 'none' }).start();
  t.after(async () => {
    await listeners.close();
    await smtp.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  // Three ports on the target: A open all along, B and C opened later.
  const a = await listeners.tcp({ host: TARGET });
  const bProbe = await listeners.tcp({ host: TARGET });
  const cProbe = await listeners.tcp({ host: TARGET });
  const [portB, portC] = [bProbe.port, cProbe.port];
  await bProbe.close();
  await cProbe.close();

  for (const [key, value] of [
    ['email.host', SMTP_TEST_HOST],
    ['email.port', String(smtp.port)],
    ['email.security', 'none'],
    ['email.from', 'portwatch@example.test'],
    ['email.to', 'admin@example.test'],
    ['email.enabled', 'true'],
  ]) {
    await ok(dataDir, ['config', 'set', key!, value!]);
  }
  await ok(dataDir, [
    'profile',
    'add',
    'Lab',
    '--targets',
    TARGET,
    '--ports',
    `${a.port},${portB},${portC}`,
    '--skip-discovery',
    '--no-confirm',
    // No reverse DNS: the machine's resolver is off loopback, and tests talk to loopback only.
    '--no-dns',
  ]);
  await ok(dataDir, ['reference', 'capture', 'Lab']);

  // 1. A change, the server up: the report arrives.
  const b = await listeners.tcp({ host: TARGET, port: portB });
  const first = await portwatch(dataDir, ['scan', 'Lab']);
  assert.equal(first.code, 1, first.stderr);
  assert.equal(smtp.accepted.length, 1, 'the report was delivered before the command returned');
  const mail = parseMail(smtp.accepted[0]!.raw);
  assert.equal(mail.headers['subject'], 'Portwatch: 1 change on Lab (1 host)');
  assert.equal(mail.headers['to'], 'admin@example.test');
  assert.match(mail.headers['message-id']!, /^<portwatch\.[0-9a-f-]+@example\.test>$/);
  assert.match(mail.text!, new RegExp(`\\+ NEW ${portB}/tcp open`));
  assert.match(mail.text!, new RegExp(`^\\+${portB}/tcp\\s+open`, 'm'), 'the classic ndiff block');
  assert.match(mail.html!, new RegExp(`>NEW</span></td><td[^>]*>${portB}/tcp open`));

  // 2. Another change with the server down: the scan is not held up, the report waits.
  await smtp.stop();
  const c = await listeners.tcp({ host: TARGET, port: portC });
  const second = await portwatch(dataDir, ['scan', 'Lab']);
  assert.equal(second.code, 1, second.stderr);
  const status = await ok(dataDir, ['mail', 'status']);
  assert.match(status.stdout, /^waiting \(1 attempt so far, next .*\) .*Portwatch: \d changes? on Lab/m);
  assert.match(status.stdout, /connection refused by 127\.0\.40\.1/);
  // Each history entry says where its report is: the first delivered, the second waiting and why.
  const waiting = JSON.parse((await ok(dataDir, ['history', 'Lab', '--json'])).stdout) as HistoryEntry[];
  assert.equal(waiting[1]!.delivery.state, 'delivered');
  assert.equal(waiting[0]!.delivery.state, 'waiting');
  assert.match(JSON.stringify(waiting[0]!.delivery), /connection refused by 127\.0\.40\.1/);
  assert.match(
    (await ok(dataDir, ['history', 'Lab'])).stdout,
    /report waiting \(1 attempt, next try .*\): .*refused/,
  );

  await smtp.start();
  const flush = await ok(dataDir, ['mail', 'flush']);
  assert.match(flush.stdout, /1 sent, 0 still waiting, 0 failed/);
  assert.equal(smtp.accepted.length, 2);
  const later = parseMail(smtp.accepted[1]!.raw);
  assert.match(later.text!, new RegExp(`${portC}/tcp open`));
  const again = await ok(dataDir, ['mail', 'flush']);
  assert.match(again.stdout, /0 sent, 0 still waiting, 0 failed \(nothing to send\)/);
  assert.equal(smtp.accepted.length, 2, 'delivered once');
  const delivered = JSON.parse((await ok(dataDir, ['history', 'Lab', '--json'])).stdout) as HistoryEntry[];
  assert.equal(delivered[0]!.delivery.state, 'delivered');
  await b.close();
  await c.close();
});
