// Every CLI command, in the order `portwatch --help` lists them. Add one line per command.
import type { Command } from './command.ts';
import { configCommand } from './commands/config.ts';
import { mailCommand } from './commands/mail.ts';

export const commands: Command[] = [configCommand, mailCommand];
