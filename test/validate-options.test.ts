// Port specs, scan options, profile names and schedules: bad input refused with a reason, good input accepted.
import { defaultScanOptions } from '../src/engine/monitor/profiles.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanOptions } from '../src/shared/profile.ts';
import {
  formatPortList,
  parsePortSpec,
  privilegesNeeded,
  slugifyProfileName,
  describeScheduleError,
  validateCron,
  validateProfileName,
  validateScanOptions,
  validateSchedule,
} from '../src/shared/validate/index.ts';

const base: ScanOptions = { ...defaultScanOptions, timeoutSeconds: 3600 };

test('port specs: good ones accepted, normalised and counted', () => {
  const cases: Array<[string, string, number]> = [
    ['22,80,443,8000-8100', '22,80,443,8000-8100', 104],
    ['22, 80 ,443', '22,80,443', 3],
    ['1-65535', '1-65535', 65535],
    ['T:22,U:53', 'T:22,U:53', 2],
    ['T:22,80,U:53,161', 'T:22,80,U:53,161', 4],
    ['T:53,U:53', 'T:53,U:53', 2],
    ['65535', '65535', 1],
  ];
  for (const [input, spec, count] of cases) {
    const result = parsePortSpec(input);
    assert.ok(result.ok, `${input}: ${result.ok ? '' : result.errors[0]!.message}`);
    assert.equal(result.value.spec, spec);
    assert.equal(result.value.count, count, input);
  }
  const split = parsePortSpec('21,T:22,80,U:53');
  assert.ok(split.ok);
  assert.deepEqual(split.value.any, [[21, 21]]);
  assert.deepEqual(split.value.tcp, [
    [22, 22],
    [80, 80],
  ]);
  assert.deepEqual(split.value.udp, [[53, 53]]);
});

test('port specs: bad ones refused with the reason', () => {
  const cases: Array<[string, string]> = [
    ['', 'no ports'],
    ['0', 'out of range'],
    ['65536', 'out of range'],
    ['100-1', 'goes backwards: write 1-100'],
    ['-100', "starts with '-'"],
    ['-p 22', "starts with '-'"],
    ['1000-', 'open-ended'],
    ['22,,80', 'empty item'],
    ['22,', 'empty item'],
    ['http', 'contains'],
    ['22;id', "';'"],
    ['22\n80', 'a line break'],
    ['S:22', "'S:' is not supported"],
    ['22:T', 'T: and U: go before a port'],
    ['22,22', 'listed more than once'],
    ['20-30,25', 'listed more than once'],
    ['22,T:22', 'both with and without T:'],
    ['080', 'leading zero'],
    ['[22]', "'['"],
  ];
  for (const [input, fragment] of cases) {
    const result = parsePortSpec(input);
    assert.equal(result.ok, false, `accepted ${JSON.stringify(input)}`);
    if (!result.ok) {
      const message = result.errors[0]!.message;
      assert.ok(message.includes(fragment), `${JSON.stringify(input)}: "${message}" lacks "${fragment}"`);
      assert.equal(result.errors[0]!.field, 'ports');
    }
  }
});

test('formatPortList collapses runs into ranges', () => {
  assert.equal(formatPortList([443, 22, 80, 81, 82, 22]), '22,80-82,443');
  assert.equal(formatPortList([1]), '1');
});

test('scan options: good ones accepted (port list normalised), with privilege needs named', () => {
  const ok = validateScanOptions({ ...base, ports: { kind: 'list', spec: '22, 80' } });
  assert.ok(ok.ok);
  assert.deepEqual(ok.value.ports, { kind: 'list', spec: '22,80' });
  assert.deepEqual(ok.warnings, []);
  assert.ok(validateScanOptions({ ...base, ports: { kind: 'top', count: 100 }, hostTimeoutSeconds: 60 }).ok);
  assert.ok(validateScanOptions({ ...base, technique: 'udp', ports: { kind: 'list', spec: 'U:53,161' } }).ok);
  assert.deepEqual(privilegesNeeded(base), []);
  assert.deepEqual(privilegesNeeded({ technique: 'syn', osDetection: true }), [
    'SYN scans (-sS)',
    'OS detection (-O)',
  ]);
  assert.deepEqual(privilegesNeeded({ technique: 'udp', osDetection: false }), ['UDP scans (-sU)']);
  const slow = validateScanOptions({ ...base, timing: 0 });
  assert.ok(slow.ok);
  assert.match(slow.warnings[0]!, /5 minutes between probes/);
});

test('scan options: bad ones refused, naming the field', () => {
  const cases: Array<[unknown, string, string]> = [
    [{ ...base, timing: 6 }, 'timing', 'from 0 (paranoid) to 5 (insane)'],
    [{ ...base, timing: 2.5 }, 'timing', 'whole number'],
    [{ ...base, timing: '4' }, 'timing', 'whole number'],
    [{ ...base, technique: 'xmas' }, 'technique', 'connect, syn or udp'],
    [{ ...base, ports: { kind: 'top', count: 0 } }, 'ports.count', 'at least the top 1'],
    [{ ...base, ports: { kind: 'top', count: 70000 } }, 'ports.count', '65535'],
    [{ ...base, ports: { kind: 'list', spec: '1-' } }, 'ports', 'open-ended'],
    [{ ...base, ports: { kind: 'args', spec: '-sC' } }, 'ports.kind', 'must be a list'],
    [{ ...base, ports: { kind: 'list', spec: 'U:53' } }, 'ports', 'need the udp technique'],
    [
      { ...base, technique: 'udp', ports: { kind: 'list', spec: 'T:22' } },
      'ports',
      'need the connect or syn',
    ],
    [{ ...base, timeoutSeconds: 1 }, 'timeoutSeconds', 'at least 5 seconds'],
    [{ ...base, timeoutSeconds: 10 ** 9 }, 'timeoutSeconds', 'at most'],
    [{ ...base, timeoutSeconds: 60, hostTimeoutSeconds: 120 }, 'hostTimeoutSeconds', "can't exceed"],
    [{ ...base, serviceDetection: 'yes' }, 'serviceDetection', 'true or false'],
    [{ ...base, extraArgs: '--script vuln' }, 'options', 'unknown option: extraArgs'],
    [null, 'options', 'must be an object'],
  ];
  for (const [input, field, fragment] of cases) {
    const result = validateScanOptions(input);
    assert.equal(result.ok, false, `accepted ${JSON.stringify(input)}`);
    if (result.ok) continue;
    const error = result.errors[0]!;
    assert.equal(error.field, field, JSON.stringify(input));
    assert.ok(
      error.message.includes(fragment),
      `${JSON.stringify(input)}: "${error.message}" lacks "${fragment}"`,
    );
  }
});

test('profile names: slugified for files, path separators and control characters refused', () => {
  assert.equal(slugifyProfileName('Office LAN (2nd floor)'), 'office-lan-2nd-floor');
  assert.equal(slugifyProfileName('Büro Köln'), 'büro-köln');
  const ok = validateProfileName('Office LAN');
  assert.ok(ok.ok);
  assert.deepEqual(ok.value, { name: 'Office LAN', slug: 'office-lan' });
  const cases: Array<[string, string]> = [
    ['', 'needs a name'],
    ['   ', 'needs a name'],
    ['a/b', 'path separator'],
    ['..\\evil', 'path separator'],
    ['../../etc', 'path separator'],
    ['x'.repeat(65), 'at most 64'],
    ['line\nbreak', 'a line break'],
    ['nul\0byte', 'a NUL byte'],
    ['rtl\u202eexe', 'right-to-left override'],
    [' padded', 'starts or ends with a space'],
    ['...', 'at least one letter or digit'],
    ['CON', 'reserved file name'],
  ];
  for (const [input, fragment] of cases) {
    const result = validateProfileName(input);
    assert.equal(result.ok, false, `accepted ${JSON.stringify(input)}`);
    if (!result.ok)
      assert.ok(
        result.errors[0]!.message.includes(fragment),
        `${JSON.stringify(input)}: ${result.errors[0]!.message}`,
      );
  }
  assert.ok(validateProfileName('x'.repeat(64)).ok);
});

test('schedules: presets and five-field cron accepted (shortcuts written out), the rest refused', () => {
  assert.deepEqual(validateCron(' 0  3 * * 1-5 '), { ok: true, value: '0 3 * * 1-5', warnings: [] });
  assert.equal((validateCron('@daily') as { value: string }).value, '0 0 * * *');
  assert.ok(validateCron('*/15 * * * *').ok);
  assert.ok(validateCron('0 12 * * MON-FRI').ok);
  const bad: Array<[string, string]> = [
    ['', 'is empty'],
    ['* * * * * *', 'has 6 fields; cron needs 5'],
    ['0 3 * *', 'has 4 fields'],
    ['61 * * * *', 'not a valid cron expression'],
    ['0 0 31 2 *', 'not a valid cron expression'],
    ['*/0 * * * *', 'not a valid cron expression'],
    ['0 0 L * *', "'L', 'W' and 'H'"],
    ['H * * * *', "'L', 'W' and 'H'"],
    ['@reboot', 'not a cron shortcut'],
    ['0 3 * * *; rm -rf /', "';'"],
    ['0 3 * * *\n* * * * *', 'a line break'],
  ];
  for (const [input, fragment] of bad) {
    const result = validateCron(input);
    assert.equal(result.ok, false, `accepted ${JSON.stringify(input)}`);
    if (!result.ok)
      assert.ok(result.errors[0]!.message.includes(fragment), `${input}: ${result.errors[0]!.message}`);
  }
  assert.ok(validateSchedule({ kind: 'manual' }).ok);
  assert.deepEqual(validateSchedule({ kind: 'cron', expression: '@hourly' }), {
    ok: true,
    value: { kind: 'cron', expression: '0 * * * *' },
    warnings: [],
  });
  assert.ok(validateSchedule({ kind: 'every', minutes: 30 }).ok);
  const often = validateSchedule({ kind: 'every', minutes: 2 });
  assert.ok(often.ok);
  assert.match(often.warnings[0]!, /still be running/);
  assert.ok(validateSchedule({ kind: 'daily', time: '03:30' }).ok);
  assert.ok(validateSchedule({ kind: 'weekly', day: 0, time: '23:59' }).ok);
  for (const schedule of [
    { kind: 'every', minutes: 0 },
    { kind: 'every', minutes: 1.5 },
    { kind: 'daily', time: '24:00' },
    { kind: 'daily', time: '3:30' },
    { kind: 'weekly', day: 7, time: '10:00' },
    { kind: 'hourly' },
  ])
    assert.equal(validateSchedule(schedule as never).ok, false, JSON.stringify(schedule));
});

test('a refused schedule reads as one line that names it', () => {
  const lines = [
    [
      { kind: 'cron', expression: '61 * * * *' },
      /^schedule '61 \* \* \* \*' is not a valid cron expression: /,
    ],
    [{ kind: 'cron', expression: '@reboot' }, /^schedule '@reboot' is not a cron shortcut: use @hourly/],
    [{ kind: 'daily', time: '25:00' }, /^schedule time '25:00': write the time as HH:MM/],
  ] as const;
  for (const [schedule, line] of lines) {
    const result = validateSchedule(schedule);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(describeScheduleError(result.errors[0]!), line);
  }
});
