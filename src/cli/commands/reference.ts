// `portwatch reference import|capture|accept|ack|list`: the scan every new scan is compared with.
import { UserError } from '../../engine/errors.ts';
import { plural } from '../../shared/wording.ts';
import { Monitor } from '../../engine/monitor/monitor.ts';
import type { ReferenceMeta } from '../../engine/monitor/references.ts';
import { showProgress } from '../../engine/monitor/cli.ts';
import { openEngine } from '../../engine/open-engine.ts';
import { expectPositionals, listValue, parseCommandArgs, stringValue } from '../args.ts';
import type { Command, CommandContext } from '../command.ts';

const help = `Usage:
  portwatch reference import NAME FILE.xml     make an existing nmap XML scan the reference
  portwatch reference capture NAME             scan now and make that scan the reference
  portwatch reference accept NAME [--host ADDR]... [--scan ID]
                                               accept the last successful scan as the reference
                                               (with --host: only those hosts; the rest stays)
  portwatch reference ack NAME CHANGE [--scan ID]
                                               take one change into the reference, e.g.
                                               "192.168.1.10 8080/tcp port-opened" (see history --json)
  portwatch reference list NAME                every reference the profile has had, newest first

The old routine's reference.xml (nmap -oX) imports as is. Earlier references are never deleted.
`;

function describe(meta: ReferenceMeta): string {
  const from =
    meta.source === 'import'
      ? `imported from ${meta.file}`
      : meta.source === 'accept'
        ? `accepted from scan ${meta.fromScanId}${meta.hosts ? ` for ${meta.hosts.join(', ')}` : ''}`
        : meta.source === 'acknowledge'
          ? `acknowledged '${meta.changeKey}' from scan ${meta.fromScanId}`
          : meta.source === 'capture'
            ? `captured by scan ${meta.fromScanId}`
            : `first scan ${meta.fromScanId}`;
  return `${meta.id}  ${meta.createdAt}  ${plural(meta.hostsUp, 'host')} up, ${plural(meta.openPorts, 'open port')}  ${from}`;
}

function importRef(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch reference import NAME FILE.xml';
  const [name, file] = expectPositionals(
    parseCommandArgs(args, {}, usage).positionals,
    ['NAME', 'FILE.xml'],
    usage,
  );
  const meta = new Monitor({ dataDir: ctx.dataDir }).importReference(name!, file!);
  ctx.stdout.write(`reference of '${name}' is now ${describe(meta)}\n`);
  return 0;
}

async function capture(args: string[], ctx: CommandContext): Promise<number> {
  const usage = 'portwatch reference capture NAME';
  const [name] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME'], usage);
  const { monitor, close } = await openEngine(ctx.dataDir, { env: ctx.env });
  const clear = showProgress(monitor, ctx.stderr);
  try {
    const { reference } = await monitor.captureReference(name!, { signal: ctx.signal });
    clear();
    ctx.stdout.write(`reference of '${name}' is now ${describe(reference)}\n`);
    return 0;
  } finally {
    clear();
    await close();
  }
}

function accept(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch reference accept NAME [--host ADDR]... [--scan ID]';
  const { values, positionals } = parseCommandArgs(
    args,
    { host: { type: 'string', multiple: true }, scan: { type: 'string' } },
    usage,
  );
  const [name] = expectPositionals(positionals, ['NAME'], usage);
  const hosts = listValue(values, 'host');
  const entryId = stringValue(values, 'scan');
  const meta = new Monitor({ dataDir: ctx.dataDir }).acceptScan(name!, {
    hosts,
    ...(entryId ? { entryId } : {}),
  });
  ctx.stdout.write(`reference of '${name}' is now ${describe(meta)}\n`);
  return 0;
}

function ack(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch reference ack NAME "HOST PORT/PROTO KIND" [--scan ID]';
  const { values, positionals } = parseCommandArgs(args, { scan: { type: 'string' } }, usage);
  const [name, key] = expectPositionals(positionals, ['NAME', 'CHANGE'], usage);
  const meta = new Monitor({ dataDir: ctx.dataDir }).acknowledge(name!, key!, stringValue(values, 'scan'));
  ctx.stdout.write(`reference of '${name}' is now ${describe(meta)}\n`);
  return 0;
}

function list(args: string[], ctx: CommandContext): number {
  const usage = 'portwatch reference list NAME';
  const [name] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME'], usage);
  const refs = new Monitor({ dataDir: ctx.dataDir }).references(name!);
  if (refs.length === 0) {
    ctx.stdout.write(`'${name}' has no reference yet: portwatch reference capture '${name}'\n`);
    return 0;
  }
  refs.forEach((meta, i) => ctx.stdout.write(`${describe(meta)}${i === 0 ? '  (in force)' : ''}\n`));
  return 0;
}

export const referenceCommand: Command = {
  name: 'reference',
  summary: 'import, capture, accept or list the reference scans of a profile',
  help,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'import':
        return importRef(rest, ctx);
      case 'capture':
        return capture(rest, ctx);
      case 'accept':
        return accept(rest, ctx);
      case 'ack':
        return ack(rest, ctx);
      case 'list':
        return list(rest, ctx);
      default:
        throw new UserError(
          `${sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`}; use import, capture, accept, ack or list (portwatch reference --help)`,
        );
    }
  },
};
