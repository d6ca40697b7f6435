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
 * V8 flags for this process, which runs one diff and exits; for ndiff's formats:
 * - no TurboFan, V8's top tier. Its compiles run on background threads, and on a 2-core machine, with both of
 *   the diff's threads busy, they took a third of the process's CPU time for code that then ran a few ms
 *   before the process exited (the bench's /16 pairs, interleaved runs: 0.83 -> 0.68 s mostly the same,
 *   2.58 -> 2.20 s with -v, 3.03 -> 2.73 s every host differing; Maglev's code, one tier down, runs then).
 * - no allocation-site pretenuring. When many host pairs are read (every host of a /16 differing, -v), V8,
 *   from how many objects of a site outlived young collections before (the lists of 65,536 hosts do), sometimes
 *   put each pair's short-lived objects straight into the old generation, which grew to ~100 MB before a full
 *   collection: peak ~235 MB instead of ~165 in 2-3 runs of 10 (0.63x ndiff's, over the 0.5x goal).
 * Not for --format json, whose change model runs longer on one thread and was ~7% slower without TurboFan.
 * Set at run time rather than on bin/portwatch's command line: a start-up flag changes V8's code cache checks
 * (every command's start-up then took ~60-80 ms longer), and the long-running commands (watch, the app) keep
 * V8's defaults.
 */
export function oneShotV8Flags(parsed: ReturnType<typeof parseDiffArgs>): string[] {
  return parsed.help || parsed.output === 'json' ? [] : ['--no-turbofan', '--no-allocation-site-pretenuring'];
}
