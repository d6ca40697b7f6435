// Damaged input never gets past the reader as a complete scan, and never makes it throw anything but an
// NmapXmlError: every corpus file cut at many places, and with random bytes changed (seeded, repeatable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NmapXmlError, NmapXmlParser, parseNmapXml } from '../src/engine/nmap/parse.ts';

const corpus = path.resolve(import.meta.dirname, '../../shared/corpus/nmap-test-scans');
const files = readdirSync(corpus)
  .filter((f) => f.endsWith('.xml'))
  .sort();

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Parses; returns the run, or null when it threw an NmapXmlError; fails the test on anything else. */
function outcome(input: Uint8Array, allowIncomplete: boolean, what: string) {
  try {
    return parseNmapXml(input, { allowIncomplete, source: what });
  } catch (error) {
    if (error instanceof NmapXmlError) {
      assert.doesNotMatch(error.message, /\n/, what);
      return null;
    }
    assert.fail(`${what}: threw ${String(error)} (${(error as Error)?.stack})`);
  }
}

/** Offsets to cut at: every tag boundary (and one either side) in small files, seeded random ones in all. */
function cuts(bytes: Buffer, seed: number): number[] {
  const end = bytes.lastIndexOf('</nmaprun>'); // cut anywhere before the root closes
  const at = new Set<number>();
  if (bytes.length < 8000) {
    for (let i = 0; i < end; i++) {
      if (bytes[i] === 0x3c || bytes[i] === 0x3e) for (const d of [-1, 0, 1]) at.add(i + d);
    }
  }
  const random = seeded(seed);
  for (let k = 0; k < 150; k++) at.add(Math.floor(random() * end));
  return [...at].filter((i) => i >= 0 && i < end + '</nmaprun>'.length - 1).sort((x, y) => x - y);
}

for (const name of files) {
  test(`${name}: cut anywhere, it is an error, or (allowIncomplete) a run that is not complete`, () => {
    const bytes = readFileSync(path.join(corpus, name));
    let incomplete = 0;
    for (const cut of cuts(bytes, name.length * 977)) {
      const part = bytes.subarray(0, cut);
      const what = `${name} cut at ${cut}`;
      assert.equal(outcome(part, false, what), null, `${what}: must be an error by default`);
      const run = outcome(part, true, what);
      if (run !== null) {
        assert.notEqual(run.completeness.status, 'complete', what);
        incomplete++;
      }
    }
    // Most cuts fall inside <nmaprun>, where the hosts read so far are returned.
    assert.ok(incomplete > 0, `${name}: some cuts gave an incomplete run`);
  });
}

test('corpus files with random bytes changed: only ever an NmapXmlError, or a run', () => {
  const interesting = [
    0x3c, 0x3e, 0x26, 0x22, 0x27, 0x2f, 0x3d, 0x00, 0xff, 0xc3, 0x20, 0x0a, 0x21, 0x3f, 0x5d,
  ];
  const random = seeded(42);
  let errors = 0;
  let runs = 0;
  for (const name of files) {
    const original = readFileSync(path.join(corpus, name));
    for (let k = 0; k < 120; k++) {
      const bytes = Buffer.from(original);
      const changes = 1 + Math.floor(random() * 4);
      for (let c = 0; c < changes; c++) {
        const at = Math.floor(random() * bytes.length);
        bytes[at] =
          random() < 0.7
            ? interesting[Math.floor(random() * interesting.length)]!
            : Math.floor(random() * 256);
      }
      const what = `${name} mutant ${k}`;
      for (const allowIncomplete of [false, true]) {
        const run = outcome(bytes, allowIncomplete, what);
        if (run === null) errors++;
        else {
          runs++;
          assert.ok(Array.isArray(run.hosts) && run.completeness !== undefined, what);
        }
      }
    }
  }
  assert.ok(errors > 0 && runs > 0, `both outcomes seen (${errors} errors, ${runs} runs)`);
});

test('random chunk boundaries never change the result, even for damaged input', () => {
  const random = seeded(99);
  for (const name of files) {
    const bytes = readFileSync(path.join(corpus, name));
    const whole = parseNmapXml(bytes);
    for (let round = 0; round < 5; round++) {
      const parser = new NmapXmlParser();
      for (let at = 0; at < bytes.length;) {
        const size = 1 + Math.floor(random() * (round < 3 ? 16 : 4096));
        parser.write(bytes.subarray(at, at + size));
        at += size;
      }
      assert.deepEqual(parser.end(), whole, name);
    }
    // A cut file in chunks fails with the same message as the cut file whole.
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    let wholeError = '';
    try {
      parseNmapXml(cut);
    } catch (error) {
      wholeError = (error as Error).message;
    }
    const parser = new NmapXmlParser();
    assert.throws(
      () => {
        for (let at = 0; at < cut.length; at += 7) parser.write(cut.subarray(at, at + 7));
        parser.end();
      },
      { message: wholeError },
    );
  }
});
