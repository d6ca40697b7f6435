// The Python pieces ndiff's output rests on, checked against Python itself: difflib.SequenceMatcher
// opcodes (with autojunk on 200+ items), str.splitlines, str.rstrip, str.ljust widths, and str ordering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { comparePy, codePointKey, ljust, rstrip, splitlines } from '../src/engine/diff/ndiff/pystr.ts';
import { getOpcodes } from '../src/engine/diff/ndiff/sequence-matcher.ts';
import { Table } from '../src/engine/diff/ndiff/table.ts';
import { PYTHON } from './support/ndiff-oracle.ts';

/** Runs `code` in Python with `input` as JSON on stdin; returns its JSON stdout. */
function python(code: string, input: unknown): unknown {
  const out = execFileSync(
    PYTHON,
    ['-c', `import json, sys, difflib\ndata = json.load(sys.stdin)\n${code}`],
    {
      input: JSON.stringify(input),
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  return JSON.parse(out);
}

function lcg(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

test('getOpcodes equals difflib.SequenceMatcher(None, a, b).get_opcodes(), small and 200+ (autojunk)', () => {
  const rand = lcg(7);
  const cases: [string[], string[]][] = [
    [[], []],
    [['a'], []],
    [[], ['a']],
    [
      ['a', 'b', 'c'],
      ['a', 'x', 'c', 'd'],
    ],
  ];
  for (let k = 0; k < 300; k++) {
    const long = k % 10 === 0;
    const alphabet = long ? 3 + rand(40) : 2 + rand(6);
    const make = () => Array.from({ length: long ? 190 + rand(80) : rand(12) }, () => `w${rand(alphabet)}`);
    const a = make();
    const b = k % 3 === 0 ? a.map((x) => (rand(5) === 0 ? `w${rand(alphabet)}` : x)) : make();
    cases.push([a, b]);
  }
  const expected = python(
    'print(json.dumps([difflib.SequenceMatcher(None, a, b).get_opcodes() for a, b in data]))',
    cases,
  ) as unknown[];
  assert.ok(
    cases.some(([, b]) => b.length >= 200),
    'some cases must reach autojunk',
  );
  cases.forEach(([a, b], k) => assert.deepEqual(getOpcodes(a, b), expected[k], `case ${k}`));
});

const SAMPLES = [
  '',
  'a',
  'a\n',
  '\n',
  'a\r\nb\rc\nd',
  'x\u2028y\u2029z\u0085w',
  'v\u000bw\u000cx\u001cy\u001dz\u001e',
  'trail \t\u00a0\u3000\u2009\u001f',
  'a\n\n\nb\n\n',
  '😀 ｚ 𝒜',
  'ａ\u00a0b  ',
  // Each character that could be a space for Python (and its neighbours), at the end of a line: stripped or not.
  ...[
    ...Array.from({ length: 0x42 }, (_, c) => c),
    ...[0x7f, 0x80, 0x84, 0x85, 0x86, 0x9f, 0xa0, 0xa1, 0x167f, 0x1680, 0x1681, 0x180e, 0x1fff],
    ...Array.from({ length: 0x0e }, (_, i) => 0x2000 + i),
    ...[
      0x2027, 0x2028, 0x2029, 0x202a, 0x202e, 0x202f, 0x2030, 0x205e, 0x205f, 0x2060, 0x2fff, 0x3000, 0x3001,
    ],
    0xfeff,
  ].map((c) => `x ${String.fromCharCode(c)}`),
];

test('splitlines and rstrip match Python', () => {
  const expected = python('print(json.dumps([[s.splitlines(), s.rstrip()] for s in data]))', SAMPLES) as [
    string[],
    string,
  ][];
  SAMPLES.forEach((s, k) => {
    assert.deepEqual(splitlines(s), expected[k]![0], JSON.stringify(s));
    assert.equal(rstrip(s), expected[k]![1], JSON.stringify(s));
  });
});

test('ordering is by code point (an astral character sorts after U+FFxx, unlike UTF-16)', () => {
  const words = ['ｚ', '𝒜', 'z', 'é', '', 'a', 'ab', '\uffff', '😀', '\ud7ff'];
  const expected = python('print(json.dumps(sorted(data)))', words);
  assert.deepEqual([...words].sort(comparePy), expected);
  assert.deepEqual(
    [...words].map(codePointKey).sort(),
    (expected as string[]).map(codePointKey),
    'codePointKey makes JS default ordering agree',
  );
  assert.notDeepEqual([...words].sort(), expected, 'JS ordering differs, or this test proves nothing');
});

test('Table pads by code points and strips trailing Python whitespace', () => {
  const table = new Table('** * * *');
  table.append([' ', 'PORT', 'STATE', 'SERVICE', 'VERSION']);
  table.append(['+', '80/tcp', 'open', '😀', 'x\u00a0']);
  table.append(['-', '443/tcp', 'closed', null, null]);
  table.appendRaw('|_ raw  ');
  assert.equal(
    table.toString(),
    ' PORT    STATE  SERVICE VERSION\n+80/tcp  open   😀       x\n-443/tcp closed\n|_ raw  ',
  );
  assert.equal(ljust('😀', 3), '😀  ');
});
