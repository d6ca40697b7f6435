// `portwatch scan NAME`: scan now, compare with the reference, record, report, and say what changed.
import {
  expectPositionals,
  openMonitor,
  parseCommandArgs,
  scanSummary,
  showProgress,
} from '../../engine/monitor/cli.ts';
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
    const { monitor, close } = await openMonitor(ctx.dataDir, ctx.env);
    const clear = showProgress(monitor, ctx.stderr);
    try {
      const outcome = await monitor.scanNow(name!, { signal: ctx.signal });
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
  },
};
