// The arguments of `portwatch diff`, read the way ndiff's main() reads its own (getopt.gnu_getopt: options
// anywhere among the files, `--` ends them, long options may be abbreviated to a unique prefix), plus
// --format. A module of its own, light: the CLI reads them before the diff's code is loaded (diff-early.ts).
import { UserError } from '../../engine/errors.ts';

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
