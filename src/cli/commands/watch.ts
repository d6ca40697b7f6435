// `portwatch watch`: the headless monitor. Runs every profile's schedule in the foreground (what was missed
// while it was not running runs once at start), prints one line per scan, and stops cleanly on SIGINT or
// SIGTERM: the running scan is cancelled and recorded, mail in flight is finished.
import { scanLine } from '../../engine/monitor/cli.ts';
import { openEngine } from '../../engine/open-engine.ts';
import { expectPositionals, parseCommandArgs, stringValue } from '../args.ts';
import type { Command } from '../command.ts';
const usage = 'portwatch watch [--metrics [ADDRESS:]PORT]';

export const watchCommand: Command = {
  name: 'watch',
  summary: "run every profile's schedule in the foreground until Ctrl-C",
  help: `Usage: ${usage}

Runs every profile's schedule until interrupted (Ctrl-C, SIGTERM): one line per scan on stdout, reports by
mail when it is set up, and a watchdog alert for a profile with no successful scan for its --watchdog hours.
A run missed while nothing was watching runs once at start. For systemd, a container or tmux.
  --metrics [ADDRESS:]PORT   serve Prometheus metrics at http://ADDRESS:PORT/metrics (default address
                             127.0.0.1; give another address only on a network you trust)
`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { metrics: { type: 'string' } }, usage);
    expectPositionals(positionals, [], usage);
    const metricsAt = stringValue(values, 'metrics');
    // Delivery failures (mail and each channel) are logged by the engine, one line each, on stderr.
    const { monitor, mail, close } = await openEngine(ctx.dataDir, { env: ctx.env, stderr: ctx.stderr });
    // --metrics: the Prometheus endpoint, loaded only when asked for.
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
