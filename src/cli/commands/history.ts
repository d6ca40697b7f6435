// `portwatch history NAME [--limit N] [--json]`: the scans of a profile, newest first.
import { scanLine } from '../../engine/monitor/cli.ts';
import { expectPositionals, intOption, parseCommandArgs, stringValue } from '../args.ts';
import { Monitor } from '../../engine/monitor/monitor.ts';
import { createMailReporter } from '../../engine/mail/mail-reporter.ts';
import { describeDeliveries, withDelivery } from '../../engine/reporter.ts';
import type { Command } from '../command.ts';

const usage = 'portwatch history NAME [--limit N] [--json]';

export const historyCommand: Command = {
  name: 'history',
  summary: "list a profile's scans, newest first (--json for the full change model)",
  help: `Usage: ${usage}

Lists the profile's scans, newest first: when, outcome, what was seen, how many changes.
  --limit N   how many scans (default 20; with --json default 100)
  --json      an array of history entries, each with its status and its changes (the change model)
`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      args,
      { limit: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    const [name] = expectPositionals(positionals, ['NAME'], usage);
    const json = values.json === true;
    const limit = intOption(stringValue(values, 'limit'), '--limit', 1, 1_000_000, '50') ?? (json ? 100 : 20);
    const page = new Monitor({ dataDir: ctx.dataDir }).history(name!, limit);
    // Whether each scan's report was delivered is the outbox's to say, not the history log's.
    const mail = createMailReporter({ dataDir: ctx.dataDir, env: ctx.env, autoSend: false });
    const records = await withDelivery(page.records, mail).finally(() => mail.close());
    if (json) {
      ctx.stdout.write(JSON.stringify(records, null, 2) + '\n');
      return 0;
    }
    if (records.length === 0) {
      ctx.stdout.write(`'${name}' has not been scanned yet: portwatch scan '${name}'\n`);
      return 0;
    }
    for (const entry of records) {
      const delivery = describeDeliveries(entry);
      ctx.stdout.write(`${entry.id}  ${scanLine(entry)}${delivery ? `; ${delivery}` : ''}\n`);
    }
    if (page.next !== undefined) ctx.stdout.write(`(older scans: --limit ${limit * 2})\n`);
    return 0;
  },
};
