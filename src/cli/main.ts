// ./bin/portwatch: the headless face of the engine. Parses the global options, dispatches to a command,
// and turns every error into one clear line on stderr with exit code 2.
import module from 'node:module';
import path from 'node:path';
import { UserError, messageOf } from '../engine/errors.ts';
import { defaultCacheDir, defaultDataDir } from '../engine/paths.ts';
import type { CommandContext } from './command.ts';
import { commands } from './registry.ts';

// V8 keeps the code it compiled for the commands (loaded below, on demand) in the user's cache directory, so
// later runs skip most of the compiling: a one-shot `portwatch scan` starts nmap sooner. Node >= 22.1 only.
if (typeof module.enableCompileCache === 'function')
  module.enableCompileCache(path.join(defaultCacheDir(), 'compile-cache'));

async function usage(): Promise<string> {
  const loaded = await Promise.all(commands.map((entry) => entry.load()));
  const width = Math.max(...loaded.map((c) => c.name.length), 8);
  return [
    'Usage: portwatch [--data-dir DIR] COMMAND [ARGS...]',
    '',
    'Watches the open ports of your hosts with nmap and tells you when they change.',
    '',
    'Commands:',
    ...loaded.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    "  --data-dir DIR   where profiles, references and history live (default: the app's data directory)",
    '  -h, --help       this help; `portwatch COMMAND --help` for a command',
    '',
    'Exit codes: 0 ok / nothing changed, 1 changes found, 2 error.',
  ].join('\n');
}

/** Pulls `--data-dir DIR` / `--data-dir=DIR` out of argv wherever it stands. */
function takeDataDir(argv: string[]): { dataDir?: string; rest: string[] } {
  const rest: string[] = [];
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--data-dir') {
      const value = argv[++i];
      if (value === undefined || value === '')
        throw new UserError('--data-dir needs a directory, e.g. --data-dir ~/portwatch-data');
      dataDir = value;
    } else if (arg.startsWith('--data-dir=')) {
      dataDir = arg.slice('--data-dir='.length);
      if (dataDir === '')
        throw new UserError('--data-dir needs a directory, e.g. --data-dir=~/portwatch-data');
    } else {
      rest.push(arg);
    }
  }
  return { dataDir, rest };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { dataDir, rest } = takeDataDir(argv);
    const [name, ...args] = rest;
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      process.stdout.write((await usage()) + '\n');
      return name === undefined ? 2 : 0;
    }
    const entry = commands.find((c) => c.name === name);
    if (!entry) throw new UserError(`unknown command '${name}'; run 'portwatch --help' for the list`);
    entry.early?.(args, env, new URL('.', import.meta.url));
    const command = await entry.load();
    const options = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
    if (options.includes('--help') || options.includes('-h')) {
      process.stdout.write(command.help.trimEnd() + '\n');
      return 0;
    }
    const ctx: CommandContext = {
      dataDir: dataDir ?? defaultDataDir(env),
      stdout: process.stdout,
      stderr: process.stderr,
      env,
      signal: controller.signal,
    };
    return await command.run(args, ctx);
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`portwatch: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `portwatch: internal error: ${messageOf(error)} (please report this with the command you ran)\n`,
    );
    if (env.PORTWATCH_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return 2;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

// Output: a reader that stops early (`portwatch history NAME | head`) is not an error: the rest is dropped and
// the command still finishes (a scan is recorded and reported) with its own exit code. Any other failure to
// write stdout (a full disk) is one line on stderr and exit 2.
let outputFailed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || outputFailed) return;
  outputFailed = true;
  process.stderr.write(`portwatch: can't write to stdout: ${error.message}\n`);
  process.exitCode = 2;
});

const code = await main(process.argv.slice(2));
// Let stdout drain (large diffs are written to a pipe) before exiting with the code.
if (!outputFailed) process.exitCode = code;
