// Reads a secret from standard input: hidden when typed at a terminal, the first line when piped.
import type { Writable } from 'node:stream';
import { UserError } from '../errors.ts';

interface Prompt {
  stderr: Writable;
}

export async function readPassword(
  ctx: Prompt,
  stdin: NodeJS.ReadStream = process.stdin,
  label = 'Mail password',
): Promise<string> {
  if (stdin.isTTY) return readHidden(ctx, stdin, label);
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(Buffer.from(chunk as Buffer));
    if (Buffer.concat(chunks).includes(0x0a)) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '')
    throw new UserError(
      label === 'Mail password'
        ? "no password on standard input; pipe it in or type it: 'portwatch config set email.password -'"
        : `no ${label.toLowerCase()} on standard input; pipe it in or type it`,
    );
  return line;
}

function readHidden(ctx: Prompt, stdin: NodeJS.ReadStream, label: string): Promise<string> {
  ctx.stderr.write(`${label} (not shown): `);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      ctx.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UserError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
