// Every CLI command, in the order `portwatch --help` lists them. Add one line per command.
import type { Command } from './command.ts';

export const commands: Command[] = [];
