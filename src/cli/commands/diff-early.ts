// What `portwatch diff` sets up before its code is loaded: V8's tiers for a one-shot diff (oneShotV8Flags),
// and the worker thread a diff of two big scan files reads them with (pairs-worker-start.ts). Bad arguments
// set up nothing: the command says what is wrong with them.
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
  const flags = oneShotV8Flags(parsed);
  // Set before the worker starts, so that its isolate runs with them too (V8's flags are the process's).
  if (flags.length > 0) process.getBuiltinModule('node:v8').setFlagsFromString(flags.join(' '));
  if (parsed.help || parsed.output === 'json') return;
  startPairsWorkerEarly(new URL('diff-worker.mjs', bundle), parsed.files);
}

/**
 * V8 flags for this process, which runs one diff and exits. ndiff's formats: no TurboFan, V8's top tier. Its
 * compiles run on background threads, and on a 2-core machine, with both of the diff's threads busy, they take
 * a third of the process's CPU time for code that then runs a few ms before the process exits (measured on
 * the bench's /16 pairs, interleaved runs: 0.83 -> 0.68 s mostly the same, 2.58 -> 2.20 s with -v, 3.03 ->
 * 2.73 s every host differing; Maglev's code, one tier down, is what runs then). Not for --format json, whose
 * change model runs longer on one thread and was ~7% slower without it. Set at run time rather than on
 * bin/portwatch's command line: a start-up flag changes V8's code cache checks (every command's start-up then
 * took ~60-80 ms longer), and the long-running commands (watch, the app) keep V8's defaults.
 */
export function oneShotV8Flags(parsed: ReturnType<typeof parseDiffArgs>): string[] {
  return parsed.help || parsed.output === 'json' ? [] : ['--no-turbofan'];
}
