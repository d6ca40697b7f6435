// `portwatch service install [--user]`: puts the hardened systemd unit in place for `portwatch watch` and
// says the remaining steps (the account, systemctl). It writes files only; it runs nothing as root.
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicAsync } from '../../engine/store/atomic.ts';
import { UserError } from '../../engine/errors.ts';
import { parseListenAddress } from '../../engine/metrics/serve.ts';
import { DEFAULT_UNIT, renderPrivilegedDropIn, renderUnit } from '../../engine/service/unit.ts';
import { expectPositionals, parseCommandArgs, stringValue } from '../args.ts';
import type { Command, CommandContext } from '../command.ts';

const usage =
  'portwatch service install [--user] [--privileged] [--metrics [ADDRESS:]PORT] [--unit-dir DIR] [--print]';

/** This installation's bin/portwatch (from dist/cli.mjs or, in development, src/cli/main.ts). */
function portwatchProgram(): string {
  let dir = path.dirname(path.resolve(process.argv[1] ?? '.'));
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'bin', 'portwatch');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new UserError('cannot find bin/portwatch next to this program; run it from a Portwatch checkout');
}

async function install(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      user: { type: 'boolean' },
      privileged: { type: 'boolean' },
      metrics: { type: 'string' },
      'unit-dir': { type: 'string' },
      print: { type: 'boolean' },
    },
    usage,
  );
  expectPositionals(positionals, [], usage);
  const user = values.user === true;
  const privileged = values.privileged === true;
  if (user && privileged)
    throw new UserError(
      'privileged scans need the system service (CAP_NET_RAW); leave out --user or --privileged',
    );
  const metrics = stringValue(values, 'metrics');
  if (metrics) parseListenAddress(metrics);
  const dataDir = user ? ctx.dataDir : DEFAULT_UNIT.dataDir;
  const unit = renderUnit({
    ...DEFAULT_UNIT,
    exec: portwatchProgram(),
    dataDir,
    user,
    ...(metrics ? { watchArgs: ['--metrics', metrics] } : {}),
  });
  if (values.print === true) {
    ctx.stdout.write(unit);
    if (privileged) ctx.stdout.write(`\n# portwatch.service.d/privileged.conf\n${renderPrivilegedDropIn()}`);
    return 0;
  }
  const unitDir =
    stringValue(values, 'unit-dir') ??
    (user
      ? path.join(ctx.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'systemd', 'user')
      : '/etc/systemd/system');
  const file = path.join(unitDir, 'portwatch.service');
  const dropIn = path.join(unitDir, 'portwatch.service.d', 'privileged.conf');
  try {
    await fs.mkdir(unitDir, { recursive: true });
    await writeFileAtomicAsync(file, unit, { mode: 0o644 });
    if (privileged) {
      await fs.mkdir(path.dirname(dropIn), { recursive: true });
      await writeFileAtomicAsync(dropIn, renderPrivilegedDropIn(), { mode: 0o644 });
    } else {
      await fs.rm(dropIn, { force: true });
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM')
      throw new UserError(
        `cannot write ${file}: permission denied; run it with sudo, or use --user for your own account`,
      );
    throw error;
  }
  ctx.stdout.write(`wrote ${file}${privileged ? ` and ${dropIn}` : ''}\n`);
  const steps = user
    ? [
        'systemctl --user daemon-reload',
        'systemctl --user enable --now portwatch',
        'journalctl --user -u portwatch -f',
      ]
    : [
        'id portwatch || sudo useradd --system --home-dir /var/lib/portwatch --shell /usr/sbin/nologin portwatch',
        'sudo systemctl daemon-reload',
        'sudo systemctl enable --now portwatch',
        'journalctl -u portwatch -f',
        `set it up as the service's account: sudo -u portwatch ${portwatchProgram()} --data-dir /var/lib/portwatch profile add ...`,
      ];
  ctx.stdout.write(`next:\n${steps.map((s) => `  ${s}`).join('\n')}\n`);
  return 0;
}

export const serviceCommand: Command = {
  name: 'service',
  summary: "install the systemd unit that runs 'portwatch watch' as a hardened service",
  help: `Usage: ${usage}

Writes portwatch.service for systemd and prints the remaining steps (it runs nothing as root itself):
  (default)      the system service: /etc/systemd/system, account 'portwatch', data in /var/lib/portwatch
  --user         a service of your own account (systemctl --user), with this data directory
  --privileged   adds portwatch.service.d/privileged.conf: CAP_NET_RAW for SYN/UDP scans and OS detection
  --metrics A    serve Prometheus metrics (watch --metrics A)
  --unit-dir D   write the unit to D instead
  --print        print the unit instead of writing it

The unit is hardened: NoNewPrivileges, ProtectSystem=strict, ProtectHome, write access only to the data
directory, no capabilities unless --privileged. It stops with SIGTERM: a running scan is cancelled and recorded.
`,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'install') return install(rest, ctx);
    throw new UserError(
      `unknown service action '${sub ?? ''}'; use install (see 'portwatch service --help')`,
    );
  },
};
