// The CLI's option parsing turns node's parseArgs errors into lines a user can act on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandArgs } from '../src/cli/args.ts';
import { UserError } from '../src/engine/errors.ts';

const options = { targets: { type: 'string' as const }, json: { type: 'boolean' as const } };
const usage = 'portwatch x --targets T';

test('a value that starts with "-" is named, with how to pass it on purpose', () => {
  assert.throws(
    () => parseCommandArgs(['--targets', '-iL /etc/shadow'], options, usage),
    (error) =>
      error instanceof UserError &&
      error.message ===
        "option --targets got '-iL /etc/shadow', which starts with '-' and so reads as an option; write --targets=VALUE to pass it as a value",
  );
});

test('a missing value and an unknown option say so, with the usage', () => {
  assert.throws(
    () => parseCommandArgs(['--targets'], options, usage),
    (error) =>
      error instanceof UserError && error.message === `option --targets needs a value; usage: ${usage}`,
  );
  assert.throws(
    () => parseCommandArgs(['--tragets', 'x'], options, usage),
    (error) => error instanceof UserError && error.message.startsWith('unknown option --tragets; usage:'),
  );
});

test('--targets=VALUE passes a dash-led value through, for the target rules to judge', () => {
  const parsed = parseCommandArgs(['--targets=-iL /etc/shadow'], options, usage);
  assert.equal(parsed.values.targets, '-iL /etc/shadow');
});
