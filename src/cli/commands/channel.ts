// `portwatch channel`: alert channels besides mail (ntfy, webhooks, Slack, Discord, Teams): add, list,
// test (a real message, and the server's answer), remove. Their URLs and tokens go to the secret store.
import { ChannelStore, type NewChannel } from '../../engine/channels/store.ts';
import { testChannel } from '../../engine/channels/send.ts';
import { readPassword } from '../../engine/config/read-secret.ts';
import { UserError } from '../../engine/errors.ts';
import { channelKinds } from '../../shared/channels.ts';
import { expectPositionals, intOption, listValue, parseCommandArgs, stringValue } from '../args.ts';
import type { Command, CommandContext } from '../command.ts';

const addUsage = `portwatch channel add NAME --kind ${channelKinds.join('|')} --url URL [options]`;

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function add(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      kind: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      secret: { type: 'string' },
      header: { type: 'string', multiple: true },
      priority: { type: 'string' },
      tags: { type: 'string' },
      profiles: { type: 'string' },
    },
    addUsage,
  );
  const [name] = expectPositionals(positionals, ['NAME'], addUsage);
  const kind = stringValue(values, 'kind');
  if (!kind) throw new UserError(`missing --kind; usage: ${addUsage}`);
  let url = stringValue(values, 'url');
  if (!url) throw new UserError(`missing --url; usage: ${addUsage}`);
  // '-' reads a secret from standard input, so it stays out of the shell history and the process list.
  const fromStdin = ['url', 'token', 'secret'].filter((k) => stringValue(values, k) === '-');
  if (fromStdin.length > 1) throw new UserError("only one of --url, --token and --secret can be '-'");
  const stdinValue =
    fromStdin.length === 1 ? await readPassword(ctx, process.stdin, `Channel ${fromStdin[0]}`) : undefined;
  const pick = (k: string) => (stringValue(values, k) === '-' ? stdinValue : stringValue(values, k));
  url = pick('url')!;
  const input: NewChannel = {
    name: name!,
    kind,
    url,
    ...(pick('token') !== undefined ? { token: pick('token')! } : {}),
    ...(pick('secret') !== undefined ? { hmacKey: pick('secret')! } : {}),
    headers: listValue(values, 'header'),
    tags: list(stringValue(values, 'tags')),
    profiles: list(stringValue(values, 'profiles')),
  };
  const priority = intOption(stringValue(values, 'priority'), '--priority', 1, 5, '4');
  if (priority !== undefined) input.priority = priority;
  const added = await new ChannelStore(ctx.dataDir).add(input);
  ctx.stdout.write(
    `added ${added.kind} channel '${added.name}' (${added.target}) for ${added.profiles ? added.profiles.join(', ') : 'every profile'}; try it: portwatch channel test '${added.name}'\n`,
  );
  return 0;
}

async function listChannels(args: string[], ctx: CommandContext): Promise<number> {
  expectPositionals(
    parseCommandArgs(args, {}, 'portwatch channel list').positionals,
    [],
    'portwatch channel list',
  );
  const channels = await new ChannelStore(ctx.dataDir).list();
  if (channels.length === 0) {
    ctx.stdout.write(`no channels; add one: ${addUsage}\n`);
    return 0;
  }
  for (const c of channels) {
    const extra = [
      c.priority !== undefined ? `priority ${c.priority}` : '',
      c.tags ? `tags ${c.tags.join(',')}` : '',
      c.headerNames ? `headers ${c.headerNames.join(',')}` : '',
    ].filter(Boolean);
    ctx.stdout.write(
      `${c.name}  ${c.kind}  ${c.target}  ${c.profiles ? `profiles ${c.profiles.join(',')}` : 'all profiles'}${extra.length ? `  ${extra.join('  ')}` : ''}\n`,
    );
  }
  return 0;
}

async function testOne(args: string[], ctx: CommandContext): Promise<number> {
  const usage = 'portwatch channel test NAME';
  const [name] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME'], usage);
  const store = new ChannelStore(ctx.dataDir);
  const info = await store.get(name!);
  if (!info) throw new UserError(`no channel named '${name}'; see 'portwatch channel list'`);
  ctx.stdout.write(`sending a test message to '${info.name}' (${info.kind}, ${info.target})...\n`);
  const verdict = await testChannel(store, info.name);
  if (!verdict.ok) throw new UserError(`'${info.name}': ${verdict.message}`);
  ctx.stdout.write(`the server said: ${verdict.message}\n`);
  return 0;
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const usage = 'portwatch channel remove NAME';
  const [name] = expectPositionals(parseCommandArgs(args, {}, usage).positionals, ['NAME'], usage);
  await new ChannelStore(ctx.dataDir).remove(name!);
  ctx.stdout.write(`removed channel '${name}' and its stored URL and keys\n`);
  return 0;
}

export const channelCommand: Command = {
  name: 'channel',
  summary: 'alert channels besides mail: ntfy, webhooks, Slack, Discord, Teams (add, list, test, remove)',
  help: `Usage: ${addUsage}
       portwatch channel list
       portwatch channel test NAME
       portwatch channel remove NAME

Kinds and their URL:
  ntfy      the server and topic, e.g. https://ntfy.sh/my-topic  [--token TOKEN] [--priority 1-5] [--tags a,b]
  webhook   any https:// URL; gets the change model as JSON     [--secret KEY] [--header "Name: value"]...
            --secret signs the body: X-Portwatch-Signature: sha256=HMAC-SHA256(KEY, body)
  slack     a Slack, Mattermost or Rocket.Chat incoming webhook URL
  discord   a Discord webhook URL
  teams     a Microsoft Teams Workflows webhook URL (posts an Adaptive Card)
Options for all kinds:
  --profiles a,b   only these profiles' alerts (default: every profile)
  --url -, --token -, --secret -   read that value from standard input (kept out of shell history)

Only https:// URLs are accepted (http:// only on loopback). URLs, tokens and keys are kept in the secret
store and shown only as the host and the last 4 characters. Every message is queued in the outbox with the
mail, retried until delivered, held in quiet hours and grouped by the digest setting.
`,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === 'add') return add(rest, ctx);
    if (sub === 'list') return listChannels(rest, ctx);
    if (sub === 'test') return testOne(rest, ctx);
    if (sub === 'remove') return remove(rest, ctx);
    throw new UserError(`unknown channel action '${sub ?? ''}'; use add, list, test or remove`);
  },
};
