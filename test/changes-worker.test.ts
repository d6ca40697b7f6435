// The diff worker: the same changes as on the main thread, ndiff's text, errors carried back as UserErrors,
// cancellation, and the bundled worker (dist/diff-worker.mjs) found next to a bundled caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { computeChanges } from '../src/engine/diff/changes.ts';
import { diffInWorker } from '../src/engine/diff/diff-in-worker.ts';
import { UserError } from '../src/engine/errors.ts';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';

const root = path.resolve(import.meta.dirname, '..');
const scans = path.join(root, 'test', 'fixtures', 'scans');
const fixture = (name: string) => path.join(scans, name);

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('the worker computes the same changes as the main thread, and summarises the current run', async () => {
  for (const scenario of ['tcp', 'firewall', 'names']) {
    const reference = fixture(`${scenario}-before.xml`);
    const current = fixture(`${scenario}-after.xml`);
    const result = await diffInWorker({ reference, current });
    assert.deepEqual(result.changes, computeChanges(parseNmapXmlFile(reference), parseNmapXmlFile(current)));
    assert.equal(result.ndiffText, undefined);
  }
  const { current, reference } = await diffInWorker({
    reference: fixture('tcp-before.xml'),
    current: fixture('tcp-after.xml'),
  });
  assert.deepEqual(current.completeness, { status: 'complete' });
  assert.equal(current.hostsUp, 3);
  assert.equal(current.hostsScanned, 3);
  assert.equal(current.openPorts, 6);
  assert.equal(reference.openPorts, 5);
  assert.equal(current.nmapVersion, '7.93');
  assert.match(current.args ?? '', /-p 20000-20100,21000/);
});

test("with ndiffText, the worker's text is nmap ndiff's, byte for byte", async () => {
  const reference = fixture('firewall-before.xml');
  const current = fixture('firewall-after.xml');
  const result = await diffInWorker({ reference, current, ndiffText: true });
  const real = await run('ndiff', [reference, current]);
  assert.equal(real.code, 1);
  assert.equal(result.ndiffText, real.stdout);
  assert.equal(result.different, true);
});

test('a missing or malformed file is a UserError with the same message as on the main thread', async (t) => {
  const missing = path.join(os.tmpdir(), 'pw-no-such-scan.xml');
  const expected = (() => {
    try {
      parseNmapXmlFile(missing);
    } catch (error) {
      return error as Error;
    }
    assert.fail('parsing a missing file should throw');
  })();
  await assert.rejects(
    diffInWorker({ reference: missing, current: fixture('tcp-after.xml') }),
    (error) =>
      error instanceof UserError && error.message === expected.message && !error.message.includes('\n'),
  );

  const dir = await mkdtemp(path.join(os.tmpdir(), 'pw-worker-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const broken = path.join(dir, 'broken.xml');
  await writeFile(
    broken,
    '<?xml version="1.0"?>\n<nmaprun scanner="nmap"><host><status state="up"/></nmaprun>\n',
  );
  await assert.rejects(
    diffInWorker({ reference: fixture('tcp-before.xml'), current: broken }),
    (error) => error instanceof UserError && error.message.includes('broken.xml'),
  );
});

test('aborting the signal rejects with its reason', async () => {
  const already = AbortSignal.abort(new Error('stopped before it began'));
  await assert.rejects(
    diffInWorker({ reference: fixture('tcp-before.xml'), current: fixture('tcp-after.xml') }, already),
    /stopped before it began/,
  );
  const controller = new AbortController();
  const pending = diffInWorker(
    { reference: fixture('tcp-before.xml'), current: fixture('tcp-after.xml'), ndiffText: true },
    controller.signal,
  );
  controller.abort();
  await assert.rejects(pending, { name: 'AbortError' });
});

test('bundled like dist/, the caller finds diff-worker.mjs next to it', async (t) => {
  // Inside the project so the bundle's external packages resolve from node_modules, as dist/ does.
  await mkdir(path.join(root, 'test-results'), { recursive: true });
  const dir = await mkdtemp(path.join(root, 'test-results', 'worker-bundle-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const entry = path.join(dir, 'entry.ts');
  const module = path.join(root, 'src', 'engine', 'diff', 'diff-in-worker.ts');
  await writeFile(
    entry,
    `import { diffInWorker } from ${JSON.stringify(module)};\n` +
      `const r = await diffInWorker({ reference: process.argv[2], current: process.argv[3] });\n` +
      `process.stdout.write(JSON.stringify(r.changes));\n`,
  );
  // The same options as scripts/build.ts's Node bundles.
  await build({
    entryPoints: { caller: entry, 'diff-worker': path.join(root, 'src', 'engine', 'diff', 'worker.ts') },
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
  const reference = fixture('firewall-before.xml');
  const current = fixture('firewall-after.xml');
  const result = await run(process.execPath, [path.join(dir, 'caller.mjs'), reference, current]);
  assert.equal(result.stderr, '');
  assert.deepEqual(
    JSON.parse(result.stdout),
    computeChanges(parseNmapXmlFile(reference), parseNmapXmlFile(current)),
  );
});
