// `portwatch scan NAME`: scan now, compare with the reference, record, report, and say what changed.
import { startScanEarly } from '../../engine/monitor/head-start.ts';
import { expectPositionals, parseCommandArgs } from '../args.ts';
import type { Command } from '../command.ts';

const usage = 'portwatch scan NAME';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'scan a profile now, compare with its reference, record and report',
  help: `Usage: ${usage}

Scans the profile's targets now, compares the result with its reference, records the scan in the history
and sends the report (when mail is set up). Changes are confirmed by rescanning just the changed hosts and
ports, unless the profile says --no-confirm. A scan of the same profile already running (here, in the app
or in 'portwatch watch') is waited for and its result shown instead of scanning twice.

Exit codes: 0 nothing changed, 1 changes found, 2 the scan failed (the reference is unchanged) or an error.
Progress goes to stderr when it is a terminal.
`,
  async run(args, ctx) {
    const [name] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME'], usage);
    // nmap is most of the time a scan takes: start it first, then load the rest of Portwatch while it runs.
    // (undefined when another process is scanning this profile: the monitor waits for that scan and joins it.)
    const headStart = await startScanEarly(ctx.dataDir, name!, { env: ctx.env, signal: ctx.signal });
    try {
      const { scanSummary, showProgress } = await import('../../engine/monitor/cli.ts');
      const { openEngine } = await import('../../engine/open-engine.ts');
      const { monitor, close } = await openEngine(ctx.dataDir, {
        env: ctx.env,
        ...(headStart ? { settings: headStart.settings } : {}),
      });
      const clear = showProgress(monitor, ctx.stderr);
      try {
        const outcome = await monitor.scanNow(name!, {
          signal: ctx.signal,
          ...(headStart ? { headStart } : {}),
        });
        clear();
        const summary = scanSummary(outcome);
        if (outcome.entry.status !== 'ok') {
          ctx.stderr.write(`portwatch: ${summary.trimEnd()}\n`);
          return 2;
        }
        ctx.stdout.write(summary);
        return outcome.entry.counts.alerted > 0 ? 1 : 0;
      } finally {
        clear();
        await close();
      }
    } finally {
      await headStart?.abandon(); // nothing left to do when the monitor took the scan over
    }
  },
};
