// `portwatch watch`: the headless monitor. Runs every profile's schedule in the foreground (what was missed
// while it was not running runs once at start), prints one line per scan, and stops cleanly on SIGINT or
// SIGTERM: the running scan is cancelled and recorded, mail in flight is finished.
import { readFile } from 'node:fs/promises';
import { UserError, messageOf } from '../../engine/errors.ts';
import { scanLine } from '../../engine/monitor/cli.ts';
import { openEngine } from '../../engine/open-engine.ts';
import { expectPositionals, listValue, parseCommandArgs, stringValue, type ParsedArgs } from '../args.ts';
import type { Command } from '../command.ts';

const usage =
  'portwatch watch [--metrics [ADDRESS:]PORT] [--ui [--listen ADDRESS:PORT] [--tls-cert FILE --tls-key FILE | --insecure-http] [--allow-host NAME]...]';

const options = {
  ui: { type: 'boolean' },
  listen: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'insecure-http': { type: 'boolean' },
  'allow-host': { type: 'string', multiple: true },
  metrics: { type: 'string' },
} as const;

async function readTls(values: ParsedArgs['values']) {
  const cert = stringValue(values, 'tls-cert');
  const key = stringValue(values, 'tls-key');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined)
    throw new UserError('TLS needs both --tls-cert FILE and --tls-key FILE (PEM files)');
  const read = (file: string, what: string) =>
    readFile(file).catch((error) => {
      throw new UserError(`cannot read the TLS ${what} ${file}: ${messageOf(error)}`);
    });
  return { cert: await read(cert, 'certificate'), key: await read(key, 'key') };
}

export const watchCommand: Command = {
  name: 'watch',
  summary: "run every profile's schedule in the foreground until Ctrl-C",
  help: `Usage: ${usage}

Runs every profile's schedule until interrupted (Ctrl-C, SIGTERM): one line per scan on stdout, reports by
mail when it is set up, and a watchdog alert for a profile with no successful scan for its --watchdog hours.
A run missed while nothing was watching runs once at start. For systemd, a container or tmux.

  --ui                 also serve the settings and history windows to a browser; prints a one-time
                       login link (or sign in with 'portwatch config set ui.password -')
  --listen ADDR:PORT   where the UI listens (default 127.0.0.1:8787; port 0 picks a free one)
  --tls-cert FILE, --tls-key FILE
                       serve HTTPS (PEM files); needed to listen beyond loopback
  --insecure-http      listen beyond loopback over plain HTTP anyway (not recommended)
  --allow-host NAME    also answer to this host name (a reverse proxy's public name); repeatable
  --metrics [ADDRESS:]PORT
                       serve Prometheus metrics at http://ADDRESS:PORT/metrics (default address 127.0.0.1;
                       give another address only on a network you trust)
`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, options, usage);
    expectPositionals(positionals, [], usage);
    const ui = values.ui === true ? await startUi(values, ctx) : undefined;
    const uiOnly = Object.keys(values).filter((k) => k !== 'metrics');
    if (!ui && uiOnly.length > 0) throw new UserError(`--${uiOnly[0]} works with --ui only; usage: ${usage}`);
    const metricsAt = stringValue(values, 'metrics');
    const { monitor, mail, close } = ui
      ? {
          monitor: ui.opened.monitor,
          mail: ui.opened.mail,
          close: async () => {
            await ui.close();
            await ui.opened.close();
          },
        }
      : await openEngine(ctx.dataDir, { env: ctx.env, stderr: ctx.stderr });
    // --metrics: the Prometheus endpoint, loaded only when asked for. Delivery failures (mail and each
    // channel) are logged by the engine, one line each, on stderr.
    const metrics = metricsAt
      ? await (
          await import('../../engine/metrics/serve.ts')
        ).startMetricsEndpoint(metricsAt, { monitor, outbox: mail.outbox, channels: mail.channels })
      : undefined;
    if (metrics) ctx.stderr.write(`metrics on ${metrics.url}${metrics.note}\n`);
    monitor.on('scan-finished', ({ entry }) => ctx.stdout.write(scanLine(entry) + '\n'));
    monitor.on('watchdog', ({ profile, lastSuccessAt }) =>
      ctx.stdout.write(
        `${new Date().toISOString()} ${profile}: WATCHDOG: no successful scan since ${lastSuccessAt ?? 'ever'}\n`,
      ),
    );
    monitor.scheduler.on('clock-jump', ({ byMs }) =>
      ctx.stderr.write(
        `portwatch: the clock jumped by ${Math.round(byMs / 1000)} s; checking for missed runs\n`,
      ),
    );
    const profiles = monitor.listProfiles();
    const scheduled = profiles.filter((p) => p.schedule.kind !== 'manual' && !p.paused);
    ctx.stderr.write(
      `watching ${scheduled.length} of ${profiles.length} profile(s) in ${ctx.dataDir}; Ctrl-C to stop\n`,
    );
    for (const profile of scheduled) {
      const next = monitor.nextRun(profile.name);
      ctx.stderr.write(`  ${profile.name}: next run ${next ?? 'none'}\n`);
    }
    if (ui) ctx.stderr.write(`Portwatch UI: open ${ui.server.loginLink()}\n`);
    mail.start();
    // The schedule's own timers do not hold the process open (with no scheduled profile there are none):
    // this one does, until the signal.
    const keepAlive = setInterval(() => {}, 1 << 30);
    const stopped = new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    }).finally(() => clearInterval(keepAlive));
    void monitor.start();
    await stopped;
    ctx.stderr.write('stopping: cancelling running scans...\n');
    await monitor.stop();
    await metrics?.close();
    await close();
    ctx.stderr.write('stopped\n');
    return 0;
  },
};

async function startUi(values: ParsedArgs['values'], ctx: Parameters<Command['run']>[1]) {
  const [{ startWebUi }, { parseListen, DEFAULT_LISTEN }] = await Promise.all([
    import('../../web/ui-service.ts'),
    import('../../web/guards.ts'),
  ]);
  const listenText = stringValue(values, 'listen');
  const tls = await readTls(values);
  return startWebUi({
    dataDir: ctx.dataDir,
    env: ctx.env,
    listen: listenText === undefined ? DEFAULT_LISTEN : parseListen(listenText),
    ...(tls ? { tls } : {}),
    insecureHttp: values['insecure-http'] === true,
    allowHosts: listValue(values, 'allow-host'),
    stderr: ctx.stderr,
  });
}
