// The diff's two-thread read (src/engine/diff/digest-pair.ts): the first file checked on this thread and, from
// a boundary, on the worker; the second read by comparison with the first. Whatever the files, the output must
// be the full-model ndiff's, and a guess about the first file that does not hold must not change it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import {
  digestPair,
  digestSecondScan,
  sameHosts,
  type DigestedPair,
  type PairDigestWorker,
} from '../src/engine/diff/digest-pair.ts';
import { digestScan, openDigested } from '../src/engine/diff/fast-digest.ts';
import { planHostPairs } from '../src/engine/diff/ndiff/index.ts';
import { ndiffFiles, type ThreadTuning } from '../src/engine/diff/ndiff-files.ts';
import { startPairsWorker } from '../src/engine/diff/pair-blocks.ts';
import { ndiffHostId } from '../src/engine/diff/ndiff/scan-view.ts';
import { UserError } from '../src/engine/errors.ts';
import { fastDigestPart, runOfRest } from '../src/engine/nmap/fast-host-scan.ts';
import { assertNdiffFilesLikeNdiff } from './support/ndiff-oracle.ts';
import { scanXml } from './support/scan-xml.ts';

const corpus = path.resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'nmap-test-scans');
/** Two threads for any file and any number of pairs. */
const TWO_THREADS: ThreadTuning = { oneThreadBytes: 0, sharedPairs: 0 };

/** A scan's text cut into what comes before its hosts, its hosts (each with its line end) and the rest. */
function hostsOf(xml: string): { head: string; hosts: string[]; tail: string } {
  const first = xml.indexOf('<host ');
  const last = xml.lastIndexOf('</host>\n') + '</host>\n'.length;
  const hosts = xml.slice(first, last).split(/(?<=<\/host>\n)/);
  return { head: xml.slice(0, first), hosts, tail: xml.slice(last) };
}

function withScans(use: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-pair-'));
  return use(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** a.xml and b.xml in `dir`, with these texts; their paths. */
function writePair(dir: string, first: string, second: string): [string, string] {
  const files: [string, string] = [path.join(dir, 'a.xml'), path.join(dir, 'b.xml')];
  writeFileSync(files[0], first);
  writeFileSync(files[1], second);
  return files;
}

/** ndiffFiles on two threads against the full-model ndiff, text and XML, -v or not. */
const assertSameAsNdiff = (a: string, b: string, label: string) =>
  assertNdiffFilesLikeNdiff(a, b, label, TWO_THREADS);

/** How many host pairs the plan reads for two files read by digestPair (by comparison: `shapes`). */
function pairsToRead(files: [string, string], { digests, shapes }: DigestedPair): number {
  assert.ok(shapes, 'read by comparison');
  const hostsA = openDigested(files[0], digests[0]);
  const hostsB = openDigested(files[1], digests[1]);
  try {
    return planHostPairs(
      { ...digests[0], hosts: hostsA },
      { ...digests[1], hosts: hostsB },
      false,
      sameHosts(shapes, hostsA.read, hostsB.read),
    ).length;
  } finally {
    hostsA.close();
    hostsB.close();
  }
}

/**
 * The worker's side on this thread, started only once this thread has read the first file (so this thread
 * takes the second file's tail); stoppedAt() says where the worker's read of the second file stopped.
 */
function lateWorker(): { digest: PairDigestWorker; stoppedAt: () => number } {
  let stoppedAt = -1;
  const digest: PairDigestWorker = (job) =>
    new Promise((resolve) =>
      setImmediate(() => {
        const reply = digestSecondScan(job);
        stoppedAt = reply.second.ok ? reply.second.value.stoppedAt : -1;
        resolve(reply);
      }),
    );
  return { digest, stoppedAt: () => stoppedAt };
}

/** digestPair with a real worker (stopped afterwards). */
async function readPair(files: [string, string]) {
  const worker = startPairsWorker();
  try {
    return await digestPair(files, worker.digest);
  } finally {
    worker.cancel();
  }
}

test('two threads: corpus pairs print what the full-model ndiff prints', async () => {
  const files = readdirSync(corpus)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => path.join(corpus, f));
  let checked = 0;
  // Every file against itself, its neighbour and the first one (the worker's start-up makes all 64 pairs slow).
  for (let i = 0; i < files.length; i++) {
    for (const j of new Set([i, (i + 1) % files.length, 0])) {
      await assertSameAsNdiff(
        files[i]!,
        files[j]!,
        `${path.basename(files[i]!)} ${path.basename(files[j]!)}`,
      );
      checked++;
    }
  }
  assert.ok(checked >= 20);
});

test('two threads: a rescan is read by comparison, its repeated hosts known without a digest', async () => {
  await withScans(async (dir) => {
    const changed = new Set([2, 3, 400, 401, 1199]);
    const [a, b] = writePair(dir, scanXml(1200, 0, new Set()), scanXml(1200, 3600, changed));
    // The worker's side first, on this thread (as when the worker is done before this thread's head): all of
    // the second file read by comparison.
    const { digests, shapes } = await digestPair([a, b], (job) => Promise.resolve(digestSecondScan(job)));
    assert.ok(shapes, 'read by comparison');
    const repeated = Array.from(shapes.second.sameAs).filter((j) => j >= 0).length;
    assert.equal(repeated, 1200 - changed.size);
    // No digests: the plan comes from what is known to repeat.
    assert.ok(digests[0].digests.every((d) => d === '') && digests[1].digests.every((d) => d === ''));
    assert.equal(pairsToRead([a, b], { digests, shapes }), changed.size);
    // Its ids in ndiff's order (repeated hosts hold the first file's ids), and where its hosts are, as reading
    // it alone gives.
    const alone = digestScan(b);
    assert.deepEqual(digests[1].order, alone.order);
    assert.deepEqual(Array.from(digests[1].byteStarts), Array.from(alone.byteStarts));
    assert.deepEqual(Array.from(digests[1].byteEnds), Array.from(alone.byteEnds));
    await assertSameAsNdiff(a, b, 'rescan');
  });
});

test('two threads: hosts changed only after their <times/>, and hosts on CRLF lines, are compared right', async () => {
  await withScans(async (dir) => {
    const changed = new Set([1, 2, 150, 298]);
    // <times/> first in each host: the ports (where the changes are) come after it.
    const timesFirst = (xml: string) =>
      xml.replace(/(<status [^>]*\/>\n)([\s\S]*?)(<times [^>]*\/>\n)<\/host>/g, '$1$3$2</host>');
    const first = timesFirst(scanXml(300, 0, new Set()));
    const second = timesFirst(scanXml(300, 3600, changed));
    assert.ok(second.includes('<times srtt="3900" rttvar="100" to="100000"/>\n<address'));
    const crlf = (xml: string) => xml.replace(/\n/g, '\r\n');
    for (const [label, a, b] of [
      ['times first', first, second],
      ['CRLF', crlf(first), crlf(second)],
    ] as const) {
      const files = writePair(dir, a, b);
      const { digests, shapes } = await digestPair(files, (job) => Promise.resolve(digestSecondScan(job)));
      assert.ok(shapes, `${label}: read by comparison`);
      const repeated = Array.from(shapes.second.sameAs).filter((j) => j >= 0).length;
      assert.equal(repeated, 300 - changed.size, `${label}: every host but the changed ones repeats`);
      assert.equal(pairsToRead(files, { digests, shapes }), changed.size, label);
      await assertSameAsNdiff(...files, label);
    }
  });
});

test('two threads: hosts added, removed and reordered are still paired and compared right', async () => {
  await withScans(async (dir) => {
    const a = path.join(dir, 'a.xml');
    writeFileSync(a, scanXml(900, 0, new Set()));
    const { head, hosts, tail } = hostsOf(scanXml(900, 60, new Set([10, 500])));
    const extra = hostsOf(scanXml(902, 60, new Set())).hosts.slice(900);
    const cases: [string, string[]][] = [
      ['one removed', hosts.filter((_, i) => i !== 100)],
      ['one added', [...hosts.slice(0, 300), extra[0]!, ...hosts.slice(300)]],
      ['a run removed, two added', [...hosts.slice(0, 200), ...extra, ...hosts.slice(260)]],
      // Reversed: nothing is where the comparison expects it; equal hosts are found by their bytes.
      ['reversed', [...hosts].reverse()],
    ];
    for (const [label, list] of cases) {
      const b = path.join(dir, `${label}.xml`);
      writeFileSync(b, head + list.join('') + tail);
      await assertSameAsNdiff(a, b, label);
    }
    // Reversed and unchanged but for the times: no host needs reading.
    const same = path.join(dir, 'same-reversed.xml');
    const plain = hostsOf(scanXml(900, 60, new Set()));
    writeFileSync(same, plain.head + [...plain.hosts].reverse().join('') + plain.tail);
    assert.equal(pairsToRead([a, same], await readPair([a, same])), 0);
  });
});

test("two threads: the second file comes in ndiff's order, whatever its hosts repeat", async () => {
  await withScans(async (dir) => {
    const plain = hostsOf(scanXml(600, 0, new Set()));
    // Host 9 given host 8's id (address and name) with other content: two hosts with one id.
    const twin = plain.hosts[9]!.replaceAll('10.9.0.9"', '10.9.0.8"').replaceAll('host-9.', 'host-8.');
    const withTwins = [...plain.hosts.slice(0, 9), twin, ...plain.hosts.slice(10)];
    const a = path.join(dir, 'a.xml');
    writeFileSync(a, plain.head + withTwins.join('') + plain.tail);
    const rescan = hostsOf(scanXml(600, 60, new Set([3, 250, 599])));
    const moved = rescan.hosts[40]!.replaceAll('10.9.0.40"', '10.9.7.40"');
    const rescanTwin = twin.replace(/starttime="\d+"/, 'starttime="1700000069"');
    const cases: [string, string[]][] = [
      ['changed hosts', rescan.hosts],
      ['an address changed', [...rescan.hosts.slice(0, 40), moved, ...rescan.hosts.slice(41)]],
      ['one removed, one added', [...rescan.hosts.slice(0, 100), ...rescan.hosts.slice(101), moved]],
      ['two hosts with one id', [...rescan.hosts.slice(0, 9), rescanTwin, ...rescan.hosts.slice(10)]],
      [
        'those two swapped',
        [...rescan.hosts.slice(0, 8), rescanTwin, rescan.hosts[8]!, ...rescan.hosts.slice(10)],
      ],
      ['reversed', [...rescan.hosts].reverse()],
    ];
    for (const [label, hosts] of cases) {
      const b = path.join(dir, `${label}.xml`);
      writeFileSync(b, rescan.head + hosts.join('') + rescan.tail);
      const { digests, shapes } = await digestPair([a, b], (job) => Promise.resolve(digestSecondScan(job)));
      assert.ok(shapes, `${label}: read by comparison`);
      const sorted = digestScan(b);
      assert.deepEqual(digests[1].keys, sorted.keys, label);
      assert.deepEqual(digests[1].order, sorted.order, label);
      await assertSameAsNdiff(a, b, label);
    }
  });
});

test('two threads: a guess about the first file that its check does not confirm is not used', async () => {
  await withScans(async (dir) => {
    // Host 5 has two <times/>: the digest leaves out the first, the worker's guess (the last before </host>) is
    // the other. The second file repeats the host but for its last <times/>, so with the guess it compares
    // equal; the first file's check puts <times/> elsewhere, so the second file is read again on its own.
    const twice = (xml: string, srtt: string) =>
      xml.replace(
        /(<address addr="10\.9\.0\.5"[\s\S]*?)(<times srtt=)/,
        `$1<times srtt="${srtt}" rttvar="1" to="1"/>\n$2`,
      );
    const first = twice(scanXml(300, 0, new Set()), '7');
    const [a, b] = writePair(dir, first, first.replace('<times srtt="305"', '<times srtt="999"'));
    const { digests, shapes } = await readPair([a, b]);
    assert.equal(shapes, null, 'the second file is read again on its own');
    assert.notEqual(digests[1].digests[5], '');
    await assertSameAsNdiff(a, b, 'two times');
  });
});

test('two threads: a second file outside the byte-level subset is read once, in full, by the worker', async () => {
  await withScans(async (dir) => {
    // A comment inside a host: the full reader's job.
    const [a, b] = writePair(
      dir,
      scanXml(300, 0, new Set()),
      scanXml(300, 60, new Set([4])).replace('<hostnames>', '<!-- note --><hostnames>'),
    );
    const want = digestScan(b);
    // Once the worker has answered, the file is moved away: reading it again here would fail.
    const worker = startPairsWorker();
    let digests;
    try {
      ({ digests } = await digestPair([a, b], async (job) => {
        const reply = await worker.digest(job);
        renameSync(b, `${b}.moved`);
        return reply;
      }));
    } finally {
      worker.cancel();
    }
    // The same digest (its byte ranges came as Float64Arrays from the worker).
    const got = digests[1];
    assert.deepEqual(
      { ...got, byteStarts: Array.from(got.byteStarts), byteEnds: Array.from(got.byteEnds) },
      want,
    );
    renameSync(`${b}.moved`, b);
    await assertSameAsNdiff(a, b, 'comment in a host');
  });
});

test('two threads: bad files give digestScan’s errors, the first file’s first', async () => {
  await withScans(async (dir) => {
    const good = path.join(dir, 'good.xml');
    const truncated = path.join(dir, 'truncated.xml');
    const broken = path.join(dir, 'broken.xml');
    const xml = scanXml(400, 0, new Set());
    writeFileSync(good, xml);
    writeFileSync(truncated, xml.slice(0, Math.floor(xml.length * 0.8)));
    writeFileSync(broken, xml.replace('<hostnames>', '<hostnames><'));
    const errorOf = async (files: [string, string]) => {
      try {
        await ndiffFiles(files, { verbose: false, format: 'text' }, () => {}, TWO_THREADS);
      } catch (error) {
        assert.ok(error instanceof UserError, String(error));
        return error.message;
      }
      assert.fail(`no error for ${files.join(' ')}`);
    };
    const alone = (file: string) => {
      try {
        digestScan(file);
      } catch (error) {
        return (error as Error).message;
      }
      assert.fail(`${file} read`);
    };
    assert.equal(await errorOf([good, truncated]), alone(truncated));
    assert.equal(await errorOf([broken, good]), alone(broken));
    assert.equal(await errorOf([broken, truncated]), alone(broken));
    assert.equal(await errorOf([truncated, broken]), alone(truncated));
  });
});

test('two threads: the tail of the first file read by the worker joins the head read here', async () => {
  await withScans(async (dir) => {
    const [a, b] = writePair(dir, scanXml(700, 0, new Set()), scanXml(700, 60, new Set([5, 650])));
    // The worker's side run first, on this thread: it takes a tail before the head starts.
    let tailHosts = 0;
    const early: PairDigestWorker = (job) => {
      const reply = digestSecondScan(job);
      tailHosts = reply.tail?.ok ? (reply.tail.value?.keys.length ?? 0) : 0;
      return Promise.resolve(reply);
    };
    const { digests, shapes } = await digestPair([a, b], early);
    assert.ok(tailHosts > 100 && tailHosts < 600, `the worker read ${tailHosts} hosts of the first file`);
    assert.ok(shapes);
    const whole = digestScan(a);
    assert.deepEqual(digests[0].keys, whole.keys);
    assert.deepEqual(digests[0].order, whole.order);
    assert.deepEqual(digests[0].byteStarts, whole.byteStarts);
    assert.deepEqual(digests[0].run, whole.run);
    assert.equal(Array.from(shapes.second.sameAs).filter((j) => j >= 0).length, 698);
  });
});

test('two threads: a second file broken where the comparison does not look (start tags, <times/>) is refused or read as on one thread', async () => {
  await withScans(async (dir) => {
    const a = path.join(dir, 'a.xml');
    const b = path.join(dir, 'b.xml');
    writeFileSync(a, scanXml(120, 0, new Set()));
    const base = Buffer.from(scanXml(120, 60, new Set([7])));
    // Places the comparison checks on their own: host start tags and <times/> (the rest is compared).
    const places: number[] = [];
    for (const tag of ['<host ', '<times ']) {
      for (let at = base.indexOf(tag); at !== -1; at = base.indexOf(tag, at + 1)) {
        const end = base.indexOf('>', at);
        for (let p = at; p <= end; p += 5) places.push(p);
      }
    }
    const outcome = async (tuning?: ThreadTuning) => {
      const out: string[] = [];
      try {
        const different = await ndiffFiles(
          [a, b],
          { verbose: false, format: 'xml' },
          (s) => out.push(s),
          tuning,
        );
        return `${different} ${out.join('')}`;
      } catch (error) {
        return `error: ${(error as Error).message}`;
      }
    };
    const bytes = [0x00, 0x3c, 0x22, 0x26, 0x3e, 0x2f, 0x20, 0xff, 0x0a, 0x3d];
    let refused = 0;
    for (let k = 0; k < 40; k++) {
      const broken = Buffer.from(base);
      broken[places[(k * 7919) % places.length]!] = bytes[k % bytes.length]!;
      writeFileSync(b, broken);
      const want = await outcome(); // small files: one thread, every byte checked
      assert.equal(await outcome(TWO_THREADS), want, `mutation ${k}`);
      if (want.startsWith('error')) refused++;
    }
    assert.ok(refused > 5, `${refused} of the broken files were refused`);
  });
});

test('two threads: when the worker is slow with the second file, this thread reads its tail', async () => {
  await withScans(async (dir) => {
    const [a, b] = writePair(
      dir,
      scanXml(700, 0, new Set()),
      scanXml(700, 60, new Set(Array.from({ length: 700 }, (_, k) => k))),
    );
    const late = lateWorker();
    const { digests, shapes } = await digestPair([a, b], late.digest);
    assert.ok(late.stoppedAt() > 0, 'the worker stopped at a boundary');
    assert.ok(shapes);
    const whole = digestScan(b);
    assert.deepEqual(digests[1].keys, whole.keys);
    assert.deepEqual(digests[1].order, whole.order);
    assert.deepEqual(Array.from(digests[1].byteStarts), whole.byteStarts);
    assert.deepEqual(digests[1].run, whole.run);
  });
});

test('two threads: if the worker fails, this thread reads both files itself', async () => {
  await withScans(async (dir) => {
    const [a, b] = writePair(dir, scanXml(300, 0, new Set()), scanXml(300, 60, new Set([1, 2])));
    const failing: PairDigestWorker = () =>
      Promise.reject(new Error('the host pair thread stopped (exit code 1)'));
    const { digests, shapes } = await digestPair([a, b], failing);
    assert.equal(shapes, null);
    assert.deepEqual(digests, [digestScan(a), digestScan(b)]);
  });
});

test('a file read in two parts, split at a host, is the file read whole; a split inside a host is not taken', async () => {
  await withScans(async (dir) => {
    const file = path.join(dir, 'a.xml');
    const xml = scanXml(500, 0, new Set());
    writeFileSync(file, xml);
    const boundary = Buffer.byteLength(xml.slice(0, xml.indexOf('<host ', xml.length / 2)));
    const fd = openSync(file, 'r');
    try {
      const whole = fastDigestPart(fd, file, ndiffHostId, { shapes: true })!;
      const asked: [number, boolean][] = [];
      const head = fastDigestPart(fd, file, ndiffHostId, {
        shapes: true,
        boundaries: {
          at: [boundary - 50, boundary],
          stopHere: (i, exact) => (asked.push([i, exact]), i === 1),
        },
      })!;
      assert.deepEqual(asked, [
        [0, false],
        [1, true],
      ]);
      assert.equal(head.stoppedAt, boundary);
      const tail = fastDigestPart(fd, file, ndiffHostId, { from: boundary, shapes: true })!;
      for (const key of [
        'keys',
        'digests',
        'byteStarts',
        'byteEnds',
        'contentStarts',
        'timesStarts',
      ] as const)
        assert.deepEqual([...head[key], ...tail[key]], whole[key], key);
      assert.deepEqual(
        runOfRest([...head.rest, ...tail.rest], file, ndiffHostId),
        runOfRest(whole.rest, file, ndiffHostId),
      );
      // Inside a host: asked (not exact), the head goes on to the end.
      const inside = fastDigestPart(fd, file, ndiffHostId, {
        boundaries: { at: [boundary + 10], stopHere: (_, exact) => exact },
      })!;
      assert.equal(inside.stoppedAt, -1);
      assert.deepEqual(inside.keys, whole.keys);
    } finally {
      closeSync(fd);
    }
  });
});

test('ndiffFiles with its own thresholds, on scans large enough for two threads, prints what ndiff() prints', async () => {
  await withScans(async (dir) => {
    // ~2.5 MB each: over ndiffFiles' default threshold, the worker reads the second file (and maybe a tail).
    const [a, b] = writePair(
      dir,
      scanXml(3600, 0, new Set()),
      scanXml(3600, 60, new Set(Array.from({ length: 40 }, (_, k) => 90 * k))),
    );
    await assertNdiffFilesLikeNdiff(a, b, 'default thresholds');
  });
});

test('a diff worker that stopped fails the jobs given to it afterwards at once (nothing waits for it)', async () => {
  const worker = startPairsWorker();
  worker.cancel();
  const job = {
    files: ['a', 'b'] as [string, string],
    identity: { ino: 0, size: 0, mtimeMs: 0 },
    boundaries: [],
  };
  await assert.rejects(
    worker.digest({
      ...job,
      claim: new SharedArrayBuffer(4),
      secondBoundaries: [],
      secondClaim: new SharedArrayBuffer(12),
    }),
    /stopped/,
  );
  const { port1, port2 } = new MessageChannel();
  // Without an answer in 5 s, it is waiting (the error then does not match).
  let timer: NodeJS.Timeout | undefined;
  const waiting = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('still waiting for the worker')), 5000);
  });
  await assert.rejects(
    Promise.race([
      worker.share({
        files: ['a', 'b'],
        identities: [job.identity, job.identity],
        ranges: new Float64Array(0),
        same: new Uint8Array(0),
        options: { verbose: false, format: 'text' },
        blockSize: 8,
        counter: new SharedArrayBuffer(4),
        port: port2,
      }),
      waiting,
    ]),
    /stopped/,
  );
  clearTimeout(timer);
  port1.close();
});

/**
 * A rescan of 120 hosts where host 40 holds `bytes` more in both scans, hosts 3 and 90 changed, read on this
 * thread as the worker reads it; what the test checks then.
 */
async function withBigHost(
  bytes: number,
  check: (files: [string, string], pair: DigestedPair, changed: Set<number>) => Promise<void>,
): Promise<void> {
  await withScans(async (dir) => {
    const big = (xml: string) => {
      const { head, hosts, tail } = hostsOf(xml);
      hosts[40] = hosts[40]!.replace('</host>', `<x v="${'y'.repeat(bytes)}"/></host>`);
      return head + hosts.join('') + tail;
    };
    const changed = new Set([3, 90]);
    const files = writePair(dir, big(scanXml(120, 0, new Set())), big(scanXml(120, 3600, changed)));
    const pair = await digestPair(files, (job) => Promise.resolve(digestSecondScan(job)));
    assert.ok(pair.shapes, 'read by comparison');
    await check(files, pair, changed);
    await assertSameAsNdiff(files[0], files[1], `host of ${bytes} bytes more`);
  });
}

test("two threads: a host larger than the first file's 128 kB window is still compared, and so are the hosts after it", async () => {
  // 300 kB: the reference window grows for it (reference-hosts.ts).
  await withBigHost(300_000, async (files, { digests, shapes }, changed) => {
    assert.equal(shapes!.second.sameAs[40], 40, "the big host repeats the first scan's");
    assert.equal(Array.from(shapes!.second.sameAs).filter((j) => j >= 0).length, 120 - changed.size);
    assert.equal(pairsToRead(files, { digests, shapes }), changed.size);
  });
});

test('two threads: a host larger than the pass buffer grows it, the window moves after it, and the hosts after it are still compared', async () => {
  // 3 MB: more than the second file's pass holds (2 MiB), so its buffer grows in the check's memory, and the
  // first file's window, after the buffer there, moves (and is read again).
  await withBigHost(3_000_000, async (files, { digests, shapes }, changed) => {
    const sameAs = Array.from(shapes!.second.sameAs);
    for (let k = 41; k < 120; k++) if (!changed.has(k)) assert.equal(sameAs[k], k, `host ${k} repeats`);
    // Host 40 itself is read in full too: it was compared and did not fit the pass's buffer then.
    assert.equal(sameAs[40], -2 - 40);
    assert.equal(pairsToRead(files, { digests, shapes }), changed.size + 1);
  });
});

test("two threads: the second file's tail read on this thread is compared with the first file's hosts as checked here", async () => {
  await withScans(async (dir) => {
    // Host 700 is missing from the second scan and two are added in its place: the comparison finds its
    // place again by the hosts' ids.
    const changed = new Set([2, 800, 801]);
    const second = hostsOf(scanXml(900, 60, changed));
    const extra = hostsOf(scanXml(902, 60, new Set())).hosts.slice(900);
    second.hosts.splice(700, 1, ...extra);
    const [a, b] = writePair(
      dir,
      scanXml(900, 0, new Set()),
      second.head + second.hosts.join('') + second.tail,
    );
    // This thread takes the second file's tail and compares it.
    const late = lateWorker();
    const { digests, shapes } = await digestPair([a, b], late.digest);
    assert.ok(late.stoppedAt() > 0, 'the worker stopped at a boundary');
    assert.ok(shapes, 'read by comparison');
    // The tail's first host: the first one at or after where the worker stopped.
    const tailFrom = Array.from(digests[1].byteStarts).filter((start) => start < late.stoppedAt()).length;
    const sameAs = Array.from(shapes.second.sameAs);
    assert.ok(tailFrom < 700, `the tail (from host ${tailFrom}) holds the removed and added hosts`);
    // Every host of the tail is known to repeat one of the first file's but five: the two added, the two
    // changed, and the tail's first (compared before its place in the first file is known, by its id).
    const tail = sameAs.slice(tailFrom);
    assert.equal(tail.filter((j) => j >= 0).length, tail.length - 2 - 3);
    assert.equal(pairsToRead([a, b], { digests, shapes }), 1 + 2 + changed.size);
    const alone = digestScan(b);
    assert.deepEqual(digests[1].order, alone.order);
    assert.deepEqual(digests[1].keys, alone.keys);
    // Where each host is, compared or checked, as reading the file alone finds it.
    assert.deepEqual(Array.from(digests[1].byteStarts), Array.from(alone.byteStarts));
    assert.deepEqual(Array.from(digests[1].byteEnds), Array.from(alone.byteEnds));
    await assertSameAsNdiff(a, b, 'tail compared here');
  });
});
