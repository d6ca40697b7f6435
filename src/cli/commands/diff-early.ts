// What `portwatch diff` starts before its code is loaded: the worker thread a diff of two big scan files reads
// them with (pairs-worker-start.ts). Bad arguments start nothing: the command says what is wrong with them.
import { startPairsWorkerEarly } from '../../engine/diff/pairs-worker-start.ts';
import { parseDiffArgs } from './diff-args.ts';

/** `bundle`: the directory of the CLI's files, where its build puts the worker's (diff-worker.mjs). */
export function startDiffEarly(args: string[], env: NodeJS.ProcessEnv, bundle: URL): void {
  let parsed: ReturnType<typeof parseDiffArgs>;
  try {
    parsed = parseDiffArgs(args, env);
  } catch {
    return;
  }
  if (parsed.help || parsed.output === 'json') return;
  startPairsWorkerEarly(new URL('diff-worker.mjs', bundle), parsed.files);
}
