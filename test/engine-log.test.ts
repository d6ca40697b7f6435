// The log (src/engine/log.ts): failures of the app's engine and of the mail loop reach DATA/portwatch.log,
// where an app started at login keeps them; the file is capped; stderr gets colour only on a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openAppEngine } from '../src/engine/api/real-engine.ts';
import { saveSettings } from '../src/engine/config/settings-file.ts';
import { LOG_FILE, openLog } from '../src/engine/log.ts';
import { defaultSettings } from '../src/shared/settings.ts';

function tempDir(t: { after(fn: () => unknown): void }): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-log-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}

async function logSays(file: string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (pattern.test(text)) return text;
    await sleep(50);
  }
  assert.fail(
    `${file} never said ${pattern}: ${fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(no file)'}`,
  );
}

test('a failing mail loop and a background failure of the monitor reach the log file', async (t) => {
  const dataDir = tempDir(t);
  const settings = defaultSettings();
  settings.email = {
    ...settings.email,
    enabled: true,
    host: '127.0.91.40',
    from: 'a@example.com',
    to: ['b@example.com'],
  };
  await saveSettings(dataDir, settings);
  const env = { ...process.env };
  delete env.PORTWATCH_SMTP_PASSWORD;
  const opened = await openAppEngine({ dataDir, env });
  t.after(() => opened.close());
  const file = path.join(dataDir, LOG_FILE);

  // Someone breaks the settings file while the app runs: the mail loop's next tick fails (it used to be
  // swallowed without a trace).
  fs.writeFileSync(path.join(dataDir, 'settings.json'), '{ broken');
  opened.mail.start(60_000);
  const text = await logSays(file, /ERROR \[mail\] the mail loop failed.*settings\.json is not valid JSON/);
  assert.match(text, /^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR \[mail\] /m);

  opened.monitor.emit('error', { profile: 'Home', error: new Error('the reporter threw\nat line 2') });
  await logSays(file, /ERROR \[monitor\] Home: the reporter threw at line 2\n/);
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
});

test('the log file is capped at one old generation; stderr is coloured only on a terminal', (t) => {
  const dataDir = tempDir(t);
  const plain: string[] = [];
  const tty: string[] = [];
  const log = openLog({
    dataDir,
    maxBytes: 300,
    stderr: { write: (s: string) => plain.push(s), isTTY: false },
  });
  for (let i = 0; i < 20; i++) log.for('cycle').warn(`line ${i} ${'x'.repeat(40)}`);
  const file = path.join(dataDir, LOG_FILE);
  assert.ok(fs.statSync(file).size <= 300);
  assert.ok(fs.existsSync(`${file}.1`));
  assert.deepEqual(fs.readdirSync(dataDir).sort(), [LOG_FILE, `${LOG_FILE}.1`], 'two generations at most');
  assert.match(fs.readFileSync(file, 'utf8'), /WARN \[cycle\] line 19 x+\n$/);
  assert.equal(plain.length, 20);
  assert.doesNotMatch(plain.join(''), /\x1b/);
  openLog({ stderr: { write: (s: string) => tty.push(s), isTTY: true } })
    .for('cli')
    .error('boom');
  assert.match(tty[0]!, /\x1b\[31mERROR\x1b\[0m \[cli\] boom/);
  const quiet: string[] = [];
  openLog({ stderr: { write: (s: string) => quiet.push(s) } })
    .for('cli')
    .debug('not shown at info');
  assert.equal(quiet.length, 0);
});
