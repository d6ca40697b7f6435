// `portwatch ignore add|list|remove|snooze`: ports and hosts whose changes are recorded but not alerted.
import { UserError } from '../../engine/errors.ts';
import { expectPositionals, intOption, parseCommandArgs, stringValue } from '../args.ts';
import { Monitor } from '../../engine/monitor/monitor.ts';
import { formatHostPort, ruleActive } from '../../engine/monitor/noise.ts';
import type { ExpectedRule } from '../../shared/profile.ts';
import type { Command, CommandContext } from '../command.ts';

const help = `Usage:
  portwatch ignore add NAME HOST[:PORT[/PROTO]] [--note TEXT] [--until DATE]
  portwatch ignore snooze NAME HOST[:PORT[/PROTO]] --hours N [--note TEXT]
  portwatch ignore list NAME
  portwatch ignore remove NAME ID

Changes of an ignored host or port are still recorded in the history (as suppressed) but are not alerted,
and do not make 'portwatch scan' exit 1. --until (e.g. 2026-12-31) ends the rule; snooze is the same for N
hours. PROTO is tcp (default), udp or sctp; write IPv6 as [::1]:22/tcp.
`;

function describe(rule: ExpectedRule, now: Date): string {
  const until = rule.until ? `${ruleActive(rule, now) ? 'until' : 'expired'} ${rule.until}` : 'no end';
  return `${rule.id}  ${formatHostPort(rule)}  ${until}${rule.note ? `  "${rule.note}"` : ''}`;
}

function add(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch ignore add NAME HOST[:PORT[/PROTO]] [--note TEXT] [--until DATE]';
  const { values, positionals } = parseCommandArgs(
    args,
    { note: { type: 'string' }, until: { type: 'string' } },
    usage,
  );
  const [name, target] = expectPositionals(positionals, ['NAME', 'HOST:PORT/PROTO'], usage);
  const note = stringValue(values, 'note');
  const until = stringValue(values, 'until');
  const rule = new Monitor({ dataDir: ctx.dataDir }).addExpected(name!, {
    target: target!,
    ...(note !== undefined ? { note } : {}),
    ...(until !== undefined ? { until } : {}),
  });
  ctx.stdout.write(`ignoring ${describe(rule, new Date())}\n`);
  return 0;
}

function snooze(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch ignore snooze NAME HOST[:PORT[/PROTO]] --hours N [--note TEXT]';
  const { values, positionals } = parseCommandArgs(
    args,
    { hours: { type: 'string' }, note: { type: 'string' } },
    usage,
  );
  const [name, target] = expectPositionals(positionals, ['NAME', 'HOST:PORT/PROTO'], usage);
  const hours = intOption(stringValue(values, 'hours'), '--hours', 1, 24 * 365, '24');
  if (hours === undefined) throw new UserError(`--hours is required; usage: ${usage}`);
  const rule = new Monitor({ dataDir: ctx.dataDir }).snooze(
    name!,
    target!,
    hours,
    stringValue(values, 'note'),
  );
  ctx.stdout.write(`snoozed ${describe(rule, new Date())}\n`);
  return 0;
}

function list(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch ignore list NAME';
  const [name] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME'], usage);
  const profile = new Monitor({ dataDir: ctx.dataDir }).getProfile(name!);
  if (profile.expected.length === 0) ctx.stdout.write(`'${profile.name}' ignores nothing\n`);
  const now = new Date();
  for (const rule of profile.expected) ctx.stdout.write(describe(rule, now) + '\n');
  return 0;
}

function remove(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch ignore remove NAME ID';
  const [name, id] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME', 'ID'], usage);
  const rule = new Monitor({ dataDir: ctx.dataDir }).removeExpected(name!, id!);
  ctx.stdout.write(`no longer ignoring ${formatHostPort(rule)}\n`);
  return 0;
}

export const ignoreCommand: Command = {
  name: 'ignore',
  summary: 'expected ports and hosts: recorded, not alerted (add, snooze, list, remove)',
  help,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'add':
        return add(rest, ctx);
      case 'snooze':
        return snooze(rest, ctx);
      case 'list':
        return list(rest, ctx);
      case 'remove':
        return remove(rest, ctx);
      default:
        throw new UserError(
          `${sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`}; use add, snooze, list or remove (portwatch ignore --help)`,
        );
    }
  },
};
