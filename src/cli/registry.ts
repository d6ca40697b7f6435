// Every CLI command, in the order `portwatch --help` lists them. Commands load on demand, so that a quick
// command (diff, history) does not pay for loading mail, scheduling and validation libraries it never uses.
import type { Command } from './command.ts';
import { startDiffEarly } from './commands/diff-early.ts';

export interface CommandEntry {
  name: string;
  load(): Promise<Command>;
  /**
   * What the command starts before its code loads (`bundle`: the directory of the CLI's files). Light: it
   * is loaded with this list.
   */
  early?(args: string[], env: NodeJS.ProcessEnv, bundle: URL): void;
}

export const commands: CommandEntry[] = [
  { name: 'profile', load: async () => (await import('./commands/profile.ts')).profileCommand },
  { name: 'reference', load: async () => (await import('./commands/reference.ts')).referenceCommand },
  { name: 'scan', load: async () => (await import('./commands/scan.ts')).scanCommand },
  { name: 'history', load: async () => (await import('./commands/history.ts')).historyCommand },
  { name: 'ignore', load: async () => (await import('./commands/ignore.ts')).ignoreCommand },
  { name: 'watch', load: async () => (await import('./commands/watch.ts')).watchCommand },
  { name: 'config', load: async () => (await import('./commands/config.ts')).configCommand },
  { name: 'channel', load: async () => (await import('./commands/channel.ts')).channelCommand },
  { name: 'mail', load: async () => (await import('./commands/mail.ts')).mailCommand },
  { name: 'service', load: async () => (await import('./commands/service.ts')).serviceCommand },
  { name: 'diff', load: async () => (await import('./commands/diff.ts')).diffCommand, early: startDiffEarly },
];
