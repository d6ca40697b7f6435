// Every CLI command, in the order `portwatch --help` lists them. Add one line per command.
import type { Command } from './command.ts';
import { profileCommand } from './commands/profile.ts';
import { referenceCommand } from './commands/reference.ts';
import { scanCommand } from './commands/scan.ts';
import { historyCommand } from './commands/history.ts';
import { ignoreCommand } from './commands/ignore.ts';
import { watchCommand } from './commands/watch.ts';
import { configCommand } from './commands/config.ts';
import { mailCommand } from './commands/mail.ts';
import { diffCommand } from './commands/diff.ts';

export const commands: Command[] = [
  profileCommand,
  referenceCommand,
  scanCommand,
  historyCommand,
  ignoreCommand,
  watchCommand,
  configCommand,
  mailCommand,
  diffCommand,
];
