// `portwatch diff`: ndiff's options and exit codes, --format json, the two cases where ndiff crashes, the
// DST-ambiguous start time per process, and bad input (one line on stderr, exit 2, nothing on stdout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { computeChanges } from '../src/engine/diff/changes.ts';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { isKnownCrash, PORTWATCH, runNdiff, runPatchedNdiff, runPortwatch } from './support/ndiff-oracle.ts';

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.resolve(root, '..', 'shared', 'corpus', 'nmap-test-scans');
const SIMPLE = path.join(corpus, 'simple.xml');
const COMPLEX = path.join(corpus, 'complex.xml');

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-cli-diff-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A one-host scan on our loopback range with the given <ports> content. */
function scanXml(ports: string, start = 1700000000, hostScripts = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<nmaprun scanner="nmap" args="nmap -sV 127.0.11.5" start="${start}" version="7.93" xmloutputversion="1.05">
<host><status state="up" reason="syn-ack"/><address addr="127.0.11.5" addrtype="ipv4"/><hostnames></hostnames>
<ports>${ports}</ports>${hostScripts}</host>
<runstats><finished time="${start + 5}" elapsed="5.00" exit="success"/><hosts up="1" down="0" total="1"/></runstats>
</nmaprun>
`;
}

const port80 = (scripts: string) =>
  `<port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/><service name="http"/>${scripts}</port>`;

test('options go anywhere, like gnu_getopt: -v after the files, bundled, abbreviated, and -- ends them', async () => {
  const reference = await runNdiff(['-v', '--xml', SIMPLE, COMPLEX]);
  for (const args of [
    [SIMPLE, '-v', COMPLEX, '--xml'],
    ['--verb', SIMPLE, '--x', COMPLEX],
    ['-vv', '--xml', '--', SIMPLE, COMPLEX],
  ]) {
    const got = await runPortwatch(['diff', ...args]);
    assert.ok(got.stdout.equals(reference.stdout), args.join(' '));
    assert.equal(got.exitCode, 1, args.join(' '));
  }
  // After --, "-v" is a file name: the diff has three files and is refused.
  const after = await runPortwatch(['diff', '--', SIMPLE, COMPLEX, '-v']);
  assert.equal(after.exitCode, 2);
  assert.match(after.stderr, /^portwatch: diff: need exactly two nmap XML files, got 3/);
});

test('usage errors are one line and exit 2; help is ours and exits 0', async () => {
  const cases: [string[], RegExp][] = [
    [['--xml', '--text', SIMPLE, COMPLEX], /contradictory output format options/],
    [['--bogus', SIMPLE, COMPLEX], /option --bogus not recognized/],
    [['-x', SIMPLE, COMPLEX], /option -x not recognized/],
    [['--verbose=yes', SIMPLE, COMPLEX], /option --verbose must not have an argument/],
    [[SIMPLE], /need exactly two nmap XML files, got 1/],
    [['--format', 'yaml', SIMPLE, COMPLEX], /unknown --format 'yaml'/],
    [['--format', 'json', '-v', SIMPLE, COMPLEX], /--format json .* takes no -v, --text or --xml/],
    [['--format=json', '--xml', SIMPLE, COMPLEX], /takes no -v, --text or --xml/],
    [[SIMPLE, COMPLEX, '--format'], /option --format requires argument/],
  ];
  for (const [args, message] of cases) {
    const got = await runPortwatch(['diff', ...args]);
    assert.equal(got.exitCode, 2, args.join(' '));
    assert.equal(got.stdout.length, 0, args.join(' '));
    assert.match(got.stderr, /^portwatch: [^\n]*\n$/, args.join(' '));
    assert.match(got.stderr, message, args.join(' '));
  }
  for (const args of [['--help'], ['-vh', SIMPLE], ['--he']]) {
    const help = await runPortwatch(['diff', ...args]);
    assert.equal(help.exitCode, 0, args.join(' '));
    assert.match(help.stdout.toString(), /^Usage: portwatch diff /, args.join(' '));
  }
});

test('--format json prints what computeChanges returns, exit 1 with changes and 0 without', async () => {
  const got = await runPortwatch(['diff', '--format', 'json', SIMPLE, COMPLEX]);
  const changes = computeChanges(parseNmapXmlFile(SIMPLE), parseNmapXmlFile(COMPLEX));
  assert.ok(changes.length > 0);
  assert.equal(got.stdout.toString(), JSON.stringify({ changes }, null, 2) + '\n');
  assert.equal(got.exitCode, 1);
  const same = await runPortwatch(['diff', '--format=json', COMPLEX, COMPLEX]);
  assert.deepEqual(JSON.parse(same.stdout.toString()), {
    changes: computeChanges(parseNmapXmlFile(COMPLEX), parseNmapXmlFile(COMPLEX)),
  });
  assert.equal(same.exitCode, JSON.parse(same.stdout.toString()).changes.length > 0 ? 1 : 0);
  // --format ndiff is the default and is the same as no --format at all.
  const ndiffFormat = await runPortwatch(['diff', '--format', 'ndiff', '--xml', SIMPLE, COMPLEX]);
  const plain = await runPortwatch(['diff', '--xml', SIMPLE, COMPLEX]);
  assert.ok(ndiffFormat.stdout.equals(plain.stdout));
});

test('two scripts on one port or host (ndiff: TypeError in sort): the diff ndiff meant, exit 1', async (t) => {
  const dir = tempDir(t);
  const a = path.join(dir, 'a.xml');
  const b = path.join(dir, 'b.xml');
  const scripts = (title: string) =>
    `<script id="http-title" output="${title}"/><script id="http-server-header" output="nginx"/>`;
  writeFileSync(
    a,
    scanXml(port80(scripts('Welcome')), 1700000000, `<hostscript>${scripts('x')}</hostscript>`),
  );
  writeFileSync(
    b,
    scanXml(port80(scripts('Login&#10;Please sign in')), 1700000000, '<hostscript></hostscript>'),
  );
  for (const mode of [[], ['-v'], ['--xml'], ['-v', '--xml']]) {
    const real = await runNdiff([...mode, a, b]);
    assert.ok(isKnownCrash(real), `ndiff ${mode.join(' ')} was expected to crash: ${real.stderr}`);
    const meant = await runPatchedNdiff([...mode, a, b]);
    assert.equal(meant.exitCode, 1);
    const got = await runPortwatch(['diff', ...mode, a, b]);
    assert.ok(got.stdout.equals(meant.stdout), `${mode.join(' ')}\n${got.stdout}\n---\n${meant.stdout}`);
    assert.equal(got.exitCode, 1);
    assert.equal(got.stderr, '');
  }
});

test('a script-only port change in plain text (ndiff: list > int): the diff ndiff meant, exit 1', async (t) => {
  const dir = tempDir(t);
  const a = path.join(dir, 'a.xml');
  const b = path.join(dir, 'b.xml');
  writeFileSync(a, scanXml(port80('<script id="http-title" output="Welcome"/>')));
  writeFileSync(b, scanXml(port80('<script id="http-title" output="Index of /"/>')));
  const real = await runNdiff([a, b]);
  assert.ok(isKnownCrash(real), `ndiff was expected to crash: ${real.stderr}`);
  const meant = await runPatchedNdiff([a, b]);
  const got = await runPortwatch(['diff', a, b]);
  assert.match(
    got.stdout.toString(),
    /^ 80\/tcp open {2}http\n-\|_ http-title: Welcome\n\+\|_ http-title: Index of \/$/m,
  );
  assert.ok(got.stdout.equals(meant.stdout), `${got.stdout}\n---\n${meant.stdout}`);
  assert.equal(got.exitCode, 1);
});

test('XML start in the repeated hour after a DST change: per process, as glibc mktime gives it', async (t) => {
  const dir = tempDir(t);
  const fold = 1699162200; // 2023-11-05 01:30 EDT; +3600 is 01:30 EST
  const files = [fold, fold + 3600, 1700000000].map((start, k) => {
    const file = path.join(dir, `${k}.xml`);
    writeFileSync(file, scanXml(port80(''), start));
    return file;
  });
  const env = { ...process.env, TZ: 'America/New_York' };
  const pairs: [string, string][] = [
    [files[1]!, files[0]!],
    [files[2]!, files[1]!],
    [files[0]!, files[1]!],
  ];
  for (const [a, b] of pairs) {
    const want = await runNdiff(['--xml', a, b], env);
    const got = await runPortwatch(['diff', '--xml', a, b], env);
    assert.ok(got.stdout.equals(want.stdout), `${got.stdout}\n---\n${want.stdout}`);
  }
});

test('bad input: one line on stderr starting "portwatch:", exit 2, nothing on stdout', async (t) => {
  const dir = tempDir(t);
  const good = readFileSync(COMPLEX);
  const files: Record<string, string | Buffer | null> = {
    missing: null,
    'empty.xml': '',
    'truncated.xml': good.subarray(0, Math.floor(good.length / 2)),
    'binary.xml': Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256)),
    'not-nmap.xml': '<?xml version="1.0"?>\n<html><body>hello</body></html>\n',
    'a-directory': null,
  };
  mkdirSync(path.join(dir, 'a-directory'));
  for (const [name, content] of Object.entries(files)) {
    if (content !== null) writeFileSync(path.join(dir, name), content);
  }
  for (const name of Object.keys(files)) {
    for (const order of [
      [path.join(dir, name), COMPLEX],
      [COMPLEX, path.join(dir, name)],
    ]) {
      const got = await runPortwatch(['diff', ...order]);
      const label = `${name}: ${got.stderr}`;
      assert.equal(got.exitCode, 2, label);
      assert.equal(got.stdout.length, 0, label);
      assert.match(got.stderr, /^portwatch: [^\n]+\n$/, label);
      assert.ok(got.stderr.includes(name), `the message names the file: ${label}`);
    }
  }
});

test('a reader that stops early (| head) is not an error: no stack trace, the diff exit code stays', (t) => {
  const dir = tempDir(t);
  const errFile = path.join(dir, 'stderr.txt');
  // ~200 kB of output into a pipe that head closes after 10 bytes: later writes fail with EPIPE.
  const run = spawnSync(
    '/bin/bash',
    [
      '-c',
      '"$0" diff -v --xml "$1" "$2" 2>"$3" | head -c 10 >/dev/null; exit "${PIPESTATUS[0]}"',
      PORTWATCH,
      path.join(corpus, 'random-1.xml'),
      path.join(corpus, 'random-2.xml'),
      errFile,
    ],
    { stdio: 'ignore' },
  );
  assert.equal(readFileSync(errFile, 'utf8'), '');
  assert.equal(run.status, 1);
});

test('stdout that cannot be written (a full disk) is a one-line error and exit 2', (t) => {
  const full = openSync('/dev/full', 'w');
  t.after(() => closeSync(full));
  const run = spawnSync(PORTWATCH, ['diff', SIMPLE, COMPLEX], {
    stdio: ['ignore', full, 'pipe'],
    encoding: 'utf8',
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^portwatch: can't write to stdout: ENOSPC[^\n]*\n$/);
});
