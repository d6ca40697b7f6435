// A UserError keeps its problem and its hints apart: the CLI says which command to run, the windows say where
// to look, from the same error (no regex over the CLI's wording).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorMessage } from '../src/engine/api/index.ts';
import { UserError, forWindows, lineOf } from '../src/engine/errors.ts';
import { mailNotReady } from '../src/engine/mail/transport.ts';
import { defaultSettings } from '../src/shared/settings.ts';

test('mail not set up: the CLI names the command, the windows point at the form', () => {
  const settings = defaultSettings();
  settings.email.enabled = true;
  settings.email.host = 'smtp.example.com';
  const error = mailNotReady(settings)!;
  assert.equal(
    error.message,
    "no sender address is set; run 'portwatch config set email.from you@example.com'",
  );
  assert.equal(errorMessage(error), 'no sender address is set; fill it in above');
  assert.doesNotMatch(errorMessage(error), /portwatch/);
});

test('a UserError without hints reads the same everywhere; the old exit-code argument still works', () => {
  const plain = new UserError('profile x is locked', 3);
  assert.equal(plain.exitCode, 3);
  assert.equal(forWindows(plain), 'profile x is locked');
  assert.equal(lineOf(new Error('line one\n  line two')), 'line one line two');
});
