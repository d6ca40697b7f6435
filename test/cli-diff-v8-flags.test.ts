// The V8 flags `portwatch diff` sets for its one-shot process (src/cli/commands/diff-early.ts): TurboFan and
// allocation-site pretenuring off for ndiff's formats, V8's defaults for --format json, and, in a real process
// of this project's Node, that the flag set at run time does keep a hot function out of TurboFan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { oneShotV8Flags } from '../src/cli/commands/diff-early.ts';
import { parseDiffArgs } from '../src/cli/commands/diff-args.ts';

const root = path.resolve(import.meta.dirname, '..');
const early = pathToFileURL(path.join(root, 'src/cli/commands/diff-early.ts')).href;

test('TurboFan and pretenuring are off for the text and XML diffs, V8 keeps its defaults for JSON and help', () => {
  const flags = (...args: string[]) => oneShotV8Flags(parseDiffArgs([...args, 'a.xml', 'b.xml']));
  const oneShot = ['--no-turbofan', '--no-allocation-site-pretenuring'];
  assert.deepEqual(flags(), oneShot);
  assert.deepEqual(flags('--xml'), oneShot);
  assert.deepEqual(flags('-v'), oneShot);
  assert.deepEqual(flags('--format', 'json'), []);
  assert.deepEqual(flags('--help'), []);
});

/**
 * In a new process: startDiffEarly with `args` (two files too small for a worker), then a function run hot
 * enough for V8's top tier; whether TurboFan compiled it (V8's optimization status, bit 64).
 */
function hotFunctionTurboFanned(args: string[]): boolean {
  const script = `
    const { startDiffEarly } = await import(${JSON.stringify(early)});
    startDiffEarly(${JSON.stringify([...args, 'missing-a.xml', 'missing-b.xml'])}, {}, new URL('file:///nowhere/'));
    function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * 3) % 7; return s; }
    let total = 0;
    for (let i = 0; i < 200000; i++) total += hot(100);
    process.stdout.write(String(%GetOptimizationStatus(hot)));`;
  const status = Number(
    // Compiled on this thread when due (not on a background thread that a busy machine may run late), so that
    // the loop's end finds the function in its top tier.
    execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--no-concurrent-recompilation', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    ),
  );
  assert.ok(status & 1, `V8's status ${status} is a function's`);
  return (status & 64) !== 0;
}

test('a text diff process runs without TurboFan; a JSON one still has it', () => {
  assert.equal(hotFunctionTurboFanned([]), false);
  assert.equal(hotFunctionTurboFanned(['--format', 'json']), true);
});
