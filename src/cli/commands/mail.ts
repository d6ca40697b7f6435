// `portwatch mail`: prove the mail set-up works (test), send what is waiting (flush), see the outbox (status).
import { createSecretStore } from '../../engine/config/secrets.ts';
import { loadSettings } from '../../engine/config/settings-file.ts';
import { UserError } from '../../engine/errors.ts';
import { plural } from '../../shared/wording.ts';
import { HeldQueue } from '../../engine/mail/held.ts';
import { createMailReporter } from '../../engine/mail/mail-reporter.ts';
import { formatTime } from '../../engine/mail/report.ts';
import { sendTestMessage } from '../../engine/mail/test-message.ts';
import { mailNotReady } from '../../engine/mail/transport.ts';
import type { Command, CommandContext } from '../command.ts';

function takeTimeout(args: string[]): { timeoutMs?: number; rest: string[] } {
  const rest: string[] = [];
  let timeoutMs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg === '--timeout' ? args[++i] : arg.startsWith('--timeout=') ? arg.slice(10) : undefined;
    if (value === undefined && arg !== '--timeout') {
      rest.push(arg);
      continue;
    }
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 600) {
      throw new UserError('--timeout needs a number of seconds 1-600, e.g. --timeout 10');
    }
    timeoutMs = Number(value) * 1000;
  }
  return { ...(timeoutMs !== undefined ? { timeoutMs } : {}), rest };
}

async function test(args: string[], ctx: CommandContext): Promise<number> {
  const { timeoutMs, rest } = takeTimeout(args);
  if (rest.length > 0)
    throw new UserError(`unexpected '${rest[0]}'; usage: portwatch mail test [--timeout SECONDS]`);
  const settings = await loadSettings(ctx.dataDir);
  const notReady = mailNotReady(settings);
  if (notReady) throw notReady;
  const email = settings.email;
  const password = await createSecretStore({ dataDir: ctx.dataDir, env: ctx.env }).get();
  ctx.stdout.write(
    `sending a test message to ${email.to.join(', ')} via ${email.host}:${email.port} (${email.security})...\n`,
  );
  const response = await sendTestMessage(email, password, timeoutMs);
  ctx.stdout.write(`sent; the server said: ${response}\n`);
  return 0;
}

async function flush(args: string[], ctx: CommandContext): Promise<number> {
  if (args.length > 0) throw new UserError(`unexpected '${args[0]}'; usage: portwatch mail flush`);
  const reporter = createMailReporter({
    dataDir: ctx.dataDir,
    env: ctx.env,
    autoSend: false,
    onEvent: (event) => {
      if (event.type === 'sent') ctx.stdout.write(`sent: ${event.subject}\n`);
      if (event.type === 'queued') ctx.stdout.write(`composed: ${event.subject}\n`);
    },
  });
  const waiting = (await reporter.outbox.list()).filter((r) => r.state !== 'sent').length;
  ctx.stdout.write(
    `sending what is waiting (${waiting} in the outbox, plus any held for the digest or quiet hours)...\n`,
  );
  const result = await reporter.flush();
  await reporter.close();
  for (const error of result.errors) ctx.stderr.write(`portwatch: ${error}\n`);
  ctx.stdout.write(
    `${result.sent} sent, ${result.waiting} still waiting, ${result.failed} failed${result.sent + result.waiting + result.failed === 0 ? ' (nothing to send)' : ''}\n`,
  );
  return result.waiting + result.failed > 0 ? 2 : 0;
}

async function status(args: string[], ctx: CommandContext): Promise<number> {
  if (args.length > 0) throw new UserError(`unexpected '${args[0]}'; usage: portwatch mail status`);
  const reporter = createMailReporter({ dataDir: ctx.dataDir, env: ctx.env, autoSend: false });
  const records = await reporter.outbox.list();
  const open = records.filter((r) => r.state !== 'sent');
  const lastSent = records.filter((r) => r.state === 'sent').at(-1);
  for (const r of open) {
    const what =
      r.state === 'failed'
        ? 'FAILED '
        : `waiting (${plural(r.attempts, 'attempt')} so far, next ${formatTime(r.nextAttemptAt)})`;
    ctx.stdout.write(
      `${what}  ${formatTime(r.createdAt)}  ${r.channel ? `${r.channel}: ` : ''}${r.subject}${r.lastError ? `\n    ${r.lastError}` : ''}\n`,
    );
  }
  if (open.length === 0) ctx.stdout.write('nothing waiting in the outbox\n');
  const held = await new HeldQueue(ctx.dataDir).list();
  const forDigest = held.filter((h) => h.reason === 'digest').length;
  const forQuiet = held.length - forDigest;
  if (forDigest > 0) ctx.stdout.write(`${forDigest} held for the next digest\n`);
  if (forQuiet > 0) ctx.stdout.write(`${forQuiet} held until quiet hours end\n`);
  if (lastSent)
    ctx.stdout.write(
      `last delivered: ${formatTime(lastSent.sentAt ?? lastSent.createdAt)}  ${lastSent.subject}\n`,
    );
  if (open.some((r) => r.state === 'failed'))
    ctx.stdout.write("fix the cause, then 'portwatch mail flush' tries the failed ones again\n");
  return 0;
}

export const mailCommand: Command = {
  name: 'mail',
  summary: 'send a test email, send waiting reports now, or show the outbox',
  help: `Usage: portwatch mail test [--timeout SECONDS]
       portwatch mail flush
       portwatch mail status

  test     sends a test message now with the current settings and says what went wrong if it can't
           (wrong password, TLS mismatch, connection refused, timeout, DNS, untrusted certificate)
  flush    sends everything waiting now: reports held for the digest or through quiet hours, messages
           waiting for a retry, and those that failed for good (after you fixed the cause)
  status   lists the messages waiting or failed in the outbox

Reports are queued in the outbox in the data directory and retried with backoff while the server is
unreachable, so none is lost. Set the mail up with 'portwatch config' (see 'portwatch config --help').
Exit code 2 when something could not be sent.
`,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'test') return test(rest, ctx);
    if (sub === 'flush') return flush(rest, ctx);
    if (sub === 'status') return status(rest, ctx);
    throw new UserError(`unknown mail action '${sub ?? ''}'; use test, flush or status`);
  },
};
