// `portwatch diff [-v] [--xml|--text] [--format json] A.xml B.xml`: nmap's ndiff, byte for byte, with its
// exit codes (0 same, 1 different, 2 error). Options are read like ndiff's getopt.gnu_getopt: anywhere
// among the files, `--` ends them, long options may be abbreviated to a unique prefix.
import { computeChanges, computeChangesLazy } from '../../engine/diff/changes.ts';
import { digestScansInWorkers, lazyRunOfDigest, useDigestedPair } from '../../engine/diff/fast-digest.ts';
import { ndiff } from '../../engine/diff/ndiff/index.ts';
import { ndiffFiles } from '../../engine/diff/ndiff-files.ts';
import { UserError } from '../../engine/errors.ts';
import { parseNmapXmlFile } from '../../engine/nmap/parse.ts';
import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from '../command.ts';

const usage = 'portwatch diff [-v] [--text|--xml] [--format ndiff|json] A.xml B.xml';

const help = `Usage: ${usage}

Compares two nmap XML files (nmap -oX) and prints their differences exactly as nmap's ndiff does: host
state changes, port state changes, service and OS detection changes, script output changes.

  -v, --verbose     also show hosts and ports that have not changed
  --text            ndiff's text output (the default)
  --xml             ndiff's XML output
  --format json     the typed change model instead: { "changes": [...] } (no other option with it)
  --format ndiff    ndiff's output (the default)

Exit codes: 0 no differences, 1 differences, 2 error. Unlike ndiff, -v does not turn two identical scans
into exit code 1.
`;

export interface DiffArgs {
  help: boolean;
  verbose: boolean;
  output: 'text' | 'xml' | 'json';
  files: [string, string];
}

const LONG_OPTIONS = ['help', 'text', 'verbose', 'xml', 'format='];
const SHORT_OPTIONS = 'hv';

/** getopt.gnu_getopt(args, "hv", LONG_OPTIONS): [option, value] pairs and the other arguments. */
function gnuGetopt(args: string[], env: NodeJS.ProcessEnv): { opts: [string, string][]; rest: string[] } {
  const opts: [string, string][] = [];
  const rest: string[] = [];
  const optionsFirst = Boolean(env.POSIXLY_CORRECT);
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '--') {
      rest.push(...args.slice(k + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const given = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      const matches = LONG_OPTIONS.filter((o) => o.startsWith(given));
      if (matches.length === 0) throw usageError(`option --${given} not recognized`);
      let name: string;
      let takesValue: boolean;
      if (matches.includes(given)) [name, takesValue] = [given, false];
      else if (matches.includes(`${given}=`)) [name, takesValue] = [given, true];
      else if (matches.length > 1) throw usageError(`option --${given} not a unique prefix`);
      else [name, takesValue] = [matches[0]!.replace(/=$/, ''), matches[0]!.endsWith('=')];
      let value = inline;
      if (takesValue && value === undefined) {
        if (k + 1 >= args.length) throw usageError(`option --${name} requires argument`);
        value = args[++k]!;
      } else if (!takesValue && value !== undefined) {
        throw usageError(`option --${name} must not have an argument`);
      }
      opts.push([`--${name}`, value ?? '']);
    } else if (arg.startsWith('-') && arg !== '-') {
      for (const letter of arg.slice(1)) {
        if (!SHORT_OPTIONS.includes(letter)) throw usageError(`option -${letter} not recognized`);
        opts.push([`-${letter}`, '']);
      }
    } else if (optionsFirst) {
      rest.push(...args.slice(k));
      break;
    } else {
      rest.push(arg);
    }
  }
  return { opts, rest };
}

function usageError(message: string): UserError {
  return new UserError(`diff: ${message}; see 'portwatch diff --help'`);
}

/** Reads the arguments the way ndiff's main() does, plus --format. */
export function parseDiffArgs(args: string[], env: NodeJS.ProcessEnv = {}): DiffArgs | { help: true } {
  const { opts, rest } = gnuGetopt(args, env);
  let verbose = false;
  let format: 'text' | 'xml' | undefined;
  let json: boolean | undefined;
  for (const [option, value] of opts) {
    if (option === '-h' || option === '--help') return { help: true };
    if (option === '-v' || option === '--verbose') verbose = true;
    else if (option === '--text' || option === '--xml') {
      const wanted = option === '--text' ? 'text' : 'xml';
      if (format !== undefined && format !== wanted) throw usageError('contradictory output format options');
      format = wanted;
    } else if (option === '--format') {
      if (value !== 'json' && value !== 'ndiff') {
        throw usageError(`unknown --format '${value}': use --format ndiff (the default) or --format json`);
      }
      if (json !== undefined && json !== (value === 'json'))
        throw usageError('contradictory --format options');
      json = value === 'json';
    }
  }
  if (json && (verbose || format !== undefined)) {
    throw usageError('--format json prints the change model and takes no -v, --text or --xml');
  }
  if (rest.length !== 2) {
    throw usageError(`need exactly two nmap XML files, got ${rest.length}`);
  }
  return { help: false, verbose, output: json ? 'json' : (format ?? 'text'), files: [rest[0]!, rest[1]!] };
}

export const diffCommand: Command = {
  name: 'diff',
  summary: "compare two nmap XML files, exactly like nmap's ndiff (or --format json)",
  help,
  async run(args, ctx) {
    const parsed = parseDiffArgs(args, ctx.env);
    if (parsed.help) {
      ctx.stdout.write(help);
      return 0;
    }
    const { verbose, output, files } = parsed;
    // The fast path reads hosts again by their place in the file: regular files only (not a pipe, <(...)).
    if (output !== 'json' && files.every(isRegularFile)) {
      const out = stdoutWriter(ctx.stdout);
      const different = await ndiffFiles(files, { verbose, format: output }, out.write);
      await out.done();
      return different ? 1 : 0;
    }
    if (output === 'json' && files.every(isRegularFile)) return changesDigested(files, ctx);
    // Both files are read before anything is printed: a bad second file leaves no half diff behind.
    const a = parseNmapXmlFile(files[0], { source: files[0] });
    const b = parseNmapXmlFile(files[1], { source: files[1] });
    const out = stdoutWriter(ctx.stdout);
    let different: boolean;
    if (output === 'json') {
      const changes = computeChanges(a, b);
      out.write(JSON.stringify({ changes }, null, 2) + '\n');
      different = changes.length > 0;
    } else {
      different = ndiff(a, b, { verbose, format: output }, out.write);
    }
    await out.done();
    return different ? 1 : 0;
  },
};

/**
 * --format json through digests, as ndiffFiles: only the hosts whose digests differ (and those on one side
 * only) are read in full. The same changes as computeChanges on the whole files.
 */
async function changesDigested(files: [string, string], ctx: Parameters<Command['run']>[1]): Promise<number> {
  const digests = await digestScansInWorkers(files, 'address');
  const changes = useDigestedPair(files, digests, (a, b) =>
    computeChangesLazy(lazyRunOfDigest(digests[0], a), lazyRunOfDigest(digests[1], b)),
  );
  const out = stdoutWriter(ctx.stdout);
  out.write(JSON.stringify({ changes }, null, 2) + '\n');
  await out.done();
  return changes.length > 0 ? 1 : 0;
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false; // the full reader reports why
  }
}

/**
 * Writes to stdout, and stops once stdout failed: a reader that went away (`| head`) or a full disk, which
 * src/cli/main.ts reports (or, for the reader, lets pass).
 */
function stdoutWriter(stdout: Writable) {
  let closed = false;
  stdout.on('error', () => (closed = true));
  return {
    write: (text: string) => {
      if (!closed) stdout.write(text);
    },
    /** Waits until stdout has taken everything (errors of the last writes arrive after them). */
    async done(): Promise<void> {
      await new Promise<void>((resolve) => stdout.write('', () => resolve()));
    },
  };
}
