// `portwatch profile add|list|show|remove|pause|resume`: what to scan, how and when.
import type { Profile, ScanOptions } from '../../shared/profile.ts';
import { splitTargetList } from '../../shared/validate/targets.ts';
import { UserError } from '../../engine/errors.ts';
import { plural } from '../../shared/wording.ts';
import { Monitor } from '../../engine/monitor/monitor.ts';
import { describeSchedule, nextRuns, parseSchedule } from '../../engine/schedule/cron.ts';
import { expectPositionals, intOption, parseCommandArgs, stringValue } from '../args.ts';
import { formatHostPort } from '../../engine/monitor/noise.ts';
import type { Command, CommandContext } from '../command.ts';

const ADD_USAGE =
  'portwatch profile add NAME --targets "T1,T2,..." [--ports SPEC|--top-ports N] [--schedule CRON|PRESET] ' +
  '[--technique connect|syn|udp] [--service-detection] [--os-detection] [--timing 0-5] [--skip-discovery] ' +
  '[--no-dns] [--no-confirm] [--timeout SECONDS] [--watchdog HOURS]';

const help = `Usage:
  ${ADD_USAGE}
  portwatch profile list
  portwatch profile show NAME
  portwatch profile remove NAME
  portwatch profile pause NAME | resume NAME

A profile is what Portwatch watches: targets, scan options, a schedule, its own reference and history.

add options:
  --targets LIST        addresses, CIDR blocks, nmap ranges (10.0.0.1-20, 10.0.0.1,3,5) or host names,
                        comma-separated (required)
  --ports SPEC          ports to scan, e.g. "22,80,443,8000-8100" (default: nmap's 1,000 most common)
  --top-ports N         the N most common ports instead
  --schedule WHEN       manual (default), hourly, "daily 07:30", "weekly mon 09:00", "every 15 minutes",
                        or a cron expression like "*/30 * * * *" (local time)
  --technique T         connect (default, no privileges), syn or udp (need root or a privileged nmap)
  --service-detection   identify services and versions (nmap -sV)
  --os-detection        guess the operating system (nmap -O, needs privileges)
  --timing 0-5          nmap's timing template (default 3)
  --skip-discovery      treat every target as up (nmap -Pn), for hosts that ignore ping
  --no-dns              don't look up host names (nmap -n); name changes are then not reported
  --no-confirm          report changes without rescanning the changed ports first
  --timeout SECONDS     give up on a scan after this long (default 1800)
  --watchdog HOURS      alert when there was no successful scan for this long (default: off)

remove keeps the profile's data: it is moved to DATA/removed/.
`;

async function add(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      targets: { type: 'string' },
      ports: { type: 'string' },
      'top-ports': { type: 'string' },
      schedule: { type: 'string' },
      technique: { type: 'string' },
      'service-detection': { type: 'boolean' },
      'os-detection': { type: 'boolean' },
      timing: { type: 'string' },
      'skip-discovery': { type: 'boolean' },
      'no-dns': { type: 'boolean' },
      'no-confirm': { type: 'boolean' },
      timeout: { type: 'string' },
      watchdog: { type: 'string' },
    },
    ADD_USAGE,
  );
  const [name] = expectPositionals(positionals, ['NAME'], ADD_USAGE);
  const targetsText = stringValue(values, 'targets');
  if (!targetsText)
    throw new UserError(
      `--targets is required, e.g. --targets "192.168.1.0/24,10.0.0.5"; usage: ${ADD_USAGE}`,
    );
  const portsSpec = stringValue(values, 'ports');
  const top = intOption(stringValue(values, 'top-ports'), '--top-ports', 1, 65535, '100');
  if (portsSpec !== undefined && top !== undefined)
    throw new UserError('give either --ports or --top-ports, not both');
  const technique = stringValue(values, 'technique') ?? 'connect';
  if (!['connect', 'syn', 'udp'].includes(technique))
    throw new UserError(`--technique must be connect, syn or udp, not '${technique}'`);
  const options: Partial<ScanOptions> = {
    ports:
      portsSpec !== undefined
        ? { kind: 'list', spec: portsSpec }
        : top !== undefined
          ? { kind: 'top', count: top }
          : { kind: 'default' },
    technique: technique as ScanOptions['technique'],
    serviceDetection: values['service-detection'] === true,
    osDetection: values['os-detection'] === true,
    skipHostDiscovery: values['skip-discovery'] === true,
    confirmChanges: values['no-confirm'] !== true,
    ...(values['no-dns'] === true ? { resolveHostnames: false } : {}),
  };
  const timing = intOption(stringValue(values, 'timing'), '--timing', 0, 5, '4');
  if (timing !== undefined) options.timing = timing as ScanOptions['timing'];
  const timeout = intOption(stringValue(values, 'timeout'), '--timeout', 5, 7 * 24 * 3600, '600');
  if (timeout !== undefined) options.timeoutSeconds = timeout;
  const watchdog = intOption(stringValue(values, 'watchdog'), '--watchdog', 0, 24 * 365, '24');
  const scheduleText = stringValue(values, 'schedule');
  const monitor = new Monitor({ dataDir: ctx.dataDir });
  const profile = monitor.addProfile({
    name: name!,
    targets: splitTargetList(targetsText),
    options,
    ...(scheduleText !== undefined ? { schedule: parseSchedule(scheduleText) } : {}),
    ...(watchdog !== undefined ? { watchdogHours: watchdog } : {}),
  });
  ctx.stdout.write(
    `added profile '${profile.name}': ${profile.targets.join(', ')}; ${describeSchedule(profile.schedule).toLowerCase()}\n`,
  );
  ctx.stdout.write(
    `next: portwatch reference capture '${profile.name}'  (or: portwatch reference import '${profile.name}' reference.xml)\n`,
  );
  return 0;
}

function portsText(options: ScanOptions): string {
  if (options.ports.kind === 'list') return options.ports.spec;
  if (options.ports.kind === 'top') return `top ${options.ports.count}`;
  return "nmap's default 1,000";
}

function list(args: string[], ctx: CommandContext): number {
  expectPositionals(
    parseCommandArgs(args, {}, 'portwatch profile list').positionals,
    [],
    'portwatch profile list',
  );
  const monitor = new Monitor({ dataDir: ctx.dataDir });
  const profiles = monitor.listProfiles();
  if (profiles.length === 0) {
    ctx.stdout.write(`no profiles in ${ctx.dataDir}; add one: ${ADD_USAGE.split(' [')[0]}\n`);
    return 0;
  }
  for (const profile of profiles) {
    const state = monitor.profileState(profile.name);
    const last = state.lastRunAt ? `last scan ${state.lastRunAt}` : 'never scanned';
    ctx.stdout.write(
      `${profile.name}${profile.paused ? ' (paused)' : ''}: ${profile.targets.join(', ')}; ${describeSchedule(profile.schedule)}; ${last}\n`,
    );
  }
  return 0;
}

function show(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch profile show NAME';
  const [name] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME'], usage);
  const monitor = new Monitor({ dataDir: ctx.dataDir });
  const profile = monitor.getProfile(name!);
  const state = monitor.profileState(profile.name);
  const reference = monitor.references(profile.name)[0];
  ctx.stdout.write(describeProfile(profile));
  const runs = profile.paused ? [] : nextRuns(profile.schedule, new Date(), 3);
  ctx.stdout.write(`schedule:   ${describeSchedule(profile.schedule)}${profile.paused ? ' (paused)' : ''}\n`);
  if (runs.length > 0)
    ctx.stdout.write(
      `next runs:  ${runs.map((d) => d.toString().replace(/ \(.*\)$/, '')).join('\n            ')}\n`,
    );
  ctx.stdout.write(
    `reference:  ${reference ? `${reference.id} (${reference.source}, ${plural(reference.hostsUp, 'host')} up, ${plural(reference.openPorts, 'open port')})` : 'none yet'}\n`,
  );
  ctx.stdout.write(
    `last scan:  ${state.lastRunAt ?? 'never'}\nlast ok:    ${state.lastSuccessAt ?? 'never'}\n`,
  );
  return 0;
}

export function describeProfile(profile: Profile): string {
  const o = profile.options;
  const flags = [
    o.serviceDetection && 'service detection',
    o.osDetection && 'OS detection',
    o.skipHostDiscovery && 'no host discovery',
    o.resolveHostnames === false && 'no DNS',
    o.confirmChanges ? 'changes confirmed by a rescan' : 'changes not confirmed',
  ].filter(Boolean);
  return [
    `profile:    ${profile.name}`,
    `targets:    ${profile.targets.join(', ')}`,
    `ports:      ${portsText(o)} (${o.technique})`,
    `options:    timing ${o.timing}, time limit ${o.timeoutSeconds} s, ${flags.join(', ')}`,
    `watchdog:   ${profile.watchdogHours > 0 ? `alert after ${profile.watchdogHours} h without a successful scan` : 'off'}`,
    `expected:   ${profile.expected.length === 0 ? 'none' : profile.expected.map((r) => formatHostPort(r)).join(', ')}`,
    '',
  ].join('\n');
}

function remove(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch profile remove NAME';
  const [name] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME'], usage);
  const where = new Monitor({ dataDir: ctx.dataDir }).removeProfile(name!);
  ctx.stdout.write(`removed profile '${name}'; its references and history are kept in ${where}\n`);
  return 0;
}

function pause(args: string[], ctx: CommandContext, paused: boolean): number {
  const usage = `portwatch profile ${paused ? 'pause' : 'resume'} NAME`;
  const [name] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME'], usage);
  const monitor = new Monitor({ dataDir: ctx.dataDir });
  monitor.getProfile(name!);
  monitor.store.update(name!, (profile) => ({ ...profile, paused }));
  ctx.stdout.write(`${paused ? 'paused' : 'resumed'} the schedule of '${name}'\n`);
  return 0;
}

export const profileCommand: Command = {
  name: 'profile',
  summary: 'add, list, show, pause or remove monitoring profiles',
  help,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'add':
        return add(rest, ctx);
      case 'list':
        return list(rest, ctx);
      case 'show':
        return show(rest, ctx);
      case 'remove':
        return remove(rest, ctx);
      case 'pause':
        return pause(rest, ctx, true);
      case 'resume':
        return pause(rest, ctx, false);
      default:
        throw new UserError(
          `${sub === undefined ? 'missing' : `unknown`} subcommand${sub ? ` '${sub}'` : ''}; use add, list, show, remove, pause or resume (portwatch profile --help)`,
        );
    }
  },
};
