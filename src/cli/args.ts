// The CLI commands' argument parsing: node's parseArgs, strict, with one-line errors a user can act on.
// Kept apart from the monitor so a command can parse its arguments before loading the engine.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../engine/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** parseArgs with errors a user can act on: "unknown option --x; usage: ...". */
export function parseCommandArgs(args: string[], options: Options, usage: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const option = /'(-[^']*)'/.exec((error as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UserError(`unknown option ${option ?? ''}; usage: ${usage}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = option?.split(' ')[0] ?? '';
      const next = args[args.indexOf(name) + 1];
      if (args.includes(name) && next?.startsWith('-'))
        throw new UserError(
          `option ${name} got '${next}', which starts with '-' and so reads as an option; write ${name}=VALUE to pass it as a value`,
        );
      throw new UserError(`option ${name} needs a value; usage: ${usage}`);
    }
    throw new UserError(`${(error as Error).message.split('\n')[0]}; usage: ${usage}`);
  }
}

export function stringValue(values: ParsedArgs['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listValue(values: ParsedArgs['values'], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A whole number in [min, max] from an option, or a UserError naming the option. */
export function intOption(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
  example: string,
): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new UserError(`${name} needs a whole number from ${min} to ${max}, e.g. ${name} ${example}`);
  return Number(text);
}

export function expectPositionals(positionals: string[], names: string[], usage: string): string[] {
  if (positionals.length < names.length)
    throw new UserError(`missing ${names[positionals.length]}; usage: ${usage}`);
  if (positionals.length > names.length)
    throw new UserError(`unexpected '${positionals[names.length]}'; usage: ${usage}`);
  return positionals;
}
