// The two scans of a diff read on both cores, the second mostly by comparison with the first.
//
// Two scans of one network repeat most hosts byte for byte, apart from each host's start tag (its times) and
// its <times/> (round-trip figures), which ndiff ignores. So the worker thread reads the second file against
// the first one's bytes (ReferenceHosts): a host that repeats the first file's host there is only compared
// (by the WebAssembly check, 16 bytes at a time), not checked again; its start tag and <times/> are checked on
// their own. Meanwhile this thread checks the first file. Both files can be split at boundaries (host lines): whichever thread is free takes
// the tail of the file the other is still reading (a shared claim), so both cores stay busy whether the
// worker is the quicker (it takes the first file's tail) or not (this thread takes the second file's tail,
// and compares it with the first file's hosts as it checked them, finding its place by the hosts' ids).
//
// No content digests are computed: the plan knows which hosts repeat, which were compared and differ, and
// compares the others' bytes (sameHosts). The first file's hosts as the worker found them are guesses (found
// by their tags, not checked): the worker's part of the second file is used as read only if every host it
// repeats is, in the first file as checked, exactly where the worker found it. Anything else (a guess that
// does not hold, a file outside the byte-level subset, the worker failing) falls back to reading each file
// on this thread with digestScan, with its usual errors.
import type { NmapRun } from '../../shared/scan.ts';
import { UserError } from '../errors.ts';
import { runOfRest, type DigestPart, type PartOptions } from '../nmap/fast-host-scan.ts';
import { ScanFile, type FileIdentity } from '../nmap/host-digests.ts';
import { SHAPE_FIELDS } from '../nmap/reference-hosts.ts';
import { digestScan, type ScanDigest } from './fast-digest.ts';
import { ndiffHostId, toNdiffScan } from './ndiff/scan-view.ts';

/** Where a file's tail may start, as shares of it (takeTail picks one). */
const SPLITS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.925, 0.95, 0.975];

/**
 * Who reads a file's tail, a shared Int32Array: below TAKEN, how many of the boundaries the thread reading its
 * head has passed; TAKEN + i, the other thread has taken the tail from boundary i.
 */
const TAKEN = 1 << 16;

/** The second file's claim holds, after who reads its tail, how many hosts the worker has read and repeated. */
const HOSTS = 1;
const REPEATED = 2;

/**
 * A tail is taken from this share of what the head's thread has left (the head's thread reads faster: its
 * code is warm); measured on the bench's /16 pair.
 */
const TAIL_AT = 0.6;

/** What the worker is sent (plain data). */
export interface PairDigestJob {
  files: [string, string];
  identity: FileIdentity;
  /** Where the first file's tail may start (lines starting with '<host', increasing). */
  boundaries: number[];
  /** Int32Array(1): who reads the tail (TAKEN). */
  claim: SharedArrayBuffer;
  /** The same for the second file, whose tail this thread may take once it has read the first. */
  secondBoundaries: number[];
  secondClaim: SharedArrayBuffer;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; message: string; userError: boolean };

/** DigestPart's lists of numbers, one per host. */
type NumberLists = 'byteStarts' | 'byteEnds' | 'contentStarts' | 'timesStarts' | 'timesEnds' | 'sameAs';
const NUMBER_LISTS: readonly NumberLists[] = [
  'byteStarts',
  'byteEnds',
  'contentStarts',
  'timesStarts',
  'timesEnds',
  'sameAs',
];

/**
 * The second scan as the worker read it and posts it, in document order: all of it, or its head (stoppedAt
 * >= 0) when this thread took its tail. Its lists are posted as blocks, not element by element (for a /16's
 * 65,536 hosts, ~40 ms less on the way from the worker's last host to this thread's plan): the numbers in
 * Float64Arrays, the ids as the few that are not null (a repeated host's id is its reference's), no digests
 * (each is '') unless the worker read the file in full.
 */
export interface SecondScan
  extends Omit<DigestPart, NumberLists | 'keys' | 'digests'>, Record<NumberLists, Float64Array> {
  identity: FileIdentity;
  /** null for a head (the run is read from the rest of both parts). */
  run: NmapRun | null;
  /** The first file's hosts as the worker found them (SHAPE_FIELDS numbers a host), for sameAs. */
  referenceShapes: Float64Array;
  hosts: number;
  /** The ids that are not null: host keyIndices[i]'s is keyValues[i]. */
  keyIndices: Int32Array;
  keyValues: string[];
  /** null: every digest is ''. */
  digests: string[] | null;
}

/** The second scan as this thread holds it (SecondScan unpacked): its ids and digests as lists again. */
interface SecondHosts
  extends
    Omit<SecondScan, 'keyIndices' | 'keyValues' | 'digests' | NumberLists>,
    Record<NumberLists, ArrayLike<number>> {
  keys: (string | null)[];
  digests: string[];
  /**
   * How many of its hosts the worker read; the rest, a tail read here, were compared with the first file's
   * hosts as this thread checked them (their sameAs needs no check against the worker's guesses).
   */
  workerHosts: number;
}

/** A part as posted (SecondScan without what is not the part's). */
function packPart(part: DigestPart): Omit<SecondScan, 'identity' | 'run' | 'referenceShapes'> {
  // Plain loops over the hosts, no callback a host: this runs once, in code V8 has not optimized (see
  // toNdiffScan).
  const keyIndices: number[] = [];
  const keyValues: string[] = [];
  const { keys, digests } = part;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === null) continue;
    keyIndices.push(i);
    keyValues.push(key);
  }
  let anyDigest = false;
  for (let i = 0; i < digests.length && !anyDigest; i++) anyDigest = digests[i] !== '';
  const lists = Object.fromEntries(NUMBER_LISTS.map((name) => [name, new Float64Array(part[name])]));
  return {
    ...(lists as Record<NumberLists, Float64Array>),
    rest: part.rest,
    stoppedAt: part.stoppedAt,
    anyOsMatch: part.anyOsMatch,
    osMatchHosts: part.osMatchHosts,
    hosts: part.keys.length,
    keyIndices: new Int32Array(keyIndices),
    keyValues,
    digests: anyDigest ? digests : null,
  };
}

function unpack(scan: SecondScan): SecondHosts {
  const { keyIndices, keyValues, digests, ...rest } = scan;
  const keys = new Array<string | null>(scan.hosts).fill(null);
  for (let i = 0; i < keyIndices.length; i++) keys[keyIndices[i]!] = keyValues[i]!;
  return {
    ...rest,
    keys,
    digests: digests ?? new Array<string>(scan.hosts).fill(''),
    workerHosts: scan.hosts,
  };
}

export interface PairDigestReply {
  second: Outcome<SecondScan>;
  /** The first file's tail, if the worker took it (null: outside the byte-level subset). */
  tail: Outcome<DigestPart | null> | null;
}

/**
 * The reply's blocks of numbers, to post by transfer rather than copy (~10 ms less for a /16 on the worker, ~5
 * on this thread; the worker drops them once posted).
 */
export function replyBuffers(reply: PairDigestReply): ArrayBuffer[] {
  if (!reply.second.ok) return [];
  const scan = reply.second.value;
  return [...NUMBER_LISTS.map((name) => scan[name]), scan.referenceShapes, scan.keyIndices].map(
    (list) => list.buffer as ArrayBuffer,
  );
}

/** The worker's side of digestPair. */
export function digestSecondScan(job: PairDigestJob): PairDigestReply {
  let first: ScanFile | undefined;
  let second: Outcome<SecondScan>;
  try {
    first = ScanFile.open(job.files[0]);
    first.expect(job.identity);
    second = { ok: true, value: readSecond(job, first) };
  } catch (error) {
    second = failure(error);
  }
  let tail: PairDigestReply['tail'] = null;
  const from =
    first && second.ok ? takeTail(new Int32Array(job.claim), job.boundaries, job.identity.size) : -1;
  if (first && from >= 0) {
    try {
      tail = { ok: true, value: tailOf(first, from) };
    } catch (error) {
      tail = failure(error);
    }
  }
  first?.closeQuietly(); // this thread's reads of it are checked by the other's (its close and expect)
  return { second, tail };
}

/**
 * Claims the first boundary at or past TAIL_AT of what the other thread has left of a file of `size` bytes: its
 * place, or -1 if there is none. Not one before it: a larger share would end later on this thread than the rest
 * on the other (measured: the worker checking the first file's last 10% while this thread, done with the rest,
 * waited ~80 ms for it).
 */
function takeTail(claim: Int32Array, boundaries: number[], size: number): number {
  for (;;) {
    const passed = Atomics.load(claim, 0);
    const there = passed === 0 ? 0 : boundaries[passed - 1]!;
    let take = passed;
    while (take < boundaries.length && boundaries[take]! < there + TAIL_AT * (size - there)) take++;
    if (take >= boundaries.length) return -1;
    if (Atomics.compareExchange(claim, 0, passed, TAKEN + take) === passed) return boundaries[take]!;
  }
}

function readSecond(job: PairDigestJob, first: ScanFile): SecondScan {
  const file = job.files[1];
  const scan = ScanFile.open(file);
  try {
    const reference = first.referenceHosts();
    const claim = new Int32Array(job.secondClaim);
    const stopAt = stopAtTaken(claim);
    const part = scan.digestPart(ndiffHostId, {
      reference,
      shapes: true,
      hash: false,
      ndiffIds: true,
      // How the comparison goes, for the other thread (comparisonHelps), from the first MiB on.
      progress: (hosts, repeated) => {
        Atomics.store(claim, REPEATED, repeated);
        Atomics.store(claim, HOSTS, hosts);
      },
      boundaries: { at: job.secondBoundaries, stopHere: stopAt },
    });
    const run = part && part.stoppedAt < 0 ? runOfRest(part.rest, file, ndiffHostId) : null;
    let result: SecondScan;
    if (part && (run || part.stoppedAt >= 0)) {
      result = { ...packPart(part), identity: scan.identity, run, referenceShapes: reference.takeShapes() };
    } else {
      // Plain data only (it is posted): not the digest's keyOf function.
      const { run: fullRun, keys, digests, byteStarts, byteEnds, anyOsMatch } = scan.digestFully(ndiffHostId);
      const part = { keys, digests, byteStarts, byteEnds, anyOsMatch, rest: [], stoppedAt: -1 };
      const none = { osMatchHosts: [], contentStarts: [], timesStarts: [], timesEnds: [], sameAs: [] };
      result = {
        ...packPart({ ...part, ...none }),
        run: fullRun,
        identity: scan.identity,
        referenceShapes: new Float64Array(0),
      };
    }
    scan.close();
    return result;
  } catch (error) {
    scan.closeQuietly();
    throw error;
  }
}

/**
 * The file's tail from boundary `from`, read as this path reads every part (shapes, no digests); with
 * `compared`, its hosts compared with the reference's (sameAs).
 */
function tailOf(
  scan: ScanFile,
  from: number,
  compared: Pick<PartOptions, 'reference' | 'locate'> = {},
): DigestPart | null {
  return scan.digestPart(ndiffHostId, { from, shapes: true, hash: false, ndiffIds: true, ...compared });
}

/**
 * What a part of the second file needs to be compared with the first file, read in full on this thread
 * (`first`; its ids in ndiff's order, `sorted`): its hosts as they were checked, and where the host with an
 * id is (a binary search in the sorted ids), for a tail that starts mid-file.
 */
function comparedWith(
  file: ScanFile,
  first: DigestPart,
  sorted: ScanDigest,
): Pick<PartOptions, 'reference' | 'locate'> {
  const shapes = new Float64Array(SHAPE_FIELDS * first.keys.length);
  for (let j = 0; j < first.keys.length; j++) {
    const s = SHAPE_FIELDS * j;
    shapes[s] = first.byteStarts[j]!;
    shapes[s + 1] = first.contentStarts[j]!;
    shapes[s + 2] = first.timesStarts[j]!;
    shapes[s + 3] = first.timesEnds[j]!;
    shapes[s + 4] = first.byteEnds[j]!;
  }
  const keys = sorted.keys;
  const locate = (id: string | null): number => {
    if (id === null) return -1;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const key = keys[mid]!;
      if (key === id) return sorted.order[mid]!;
      // Nameless hosts (null) sort first.
      if (key === null || key < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  return { reference: file.referenceHosts(shapes), locate };
}

/**
 * A head's stopHere: past boundary i, unless the other thread has taken the tail from there; then the head
 * stops at it, if an element starts exactly there (else the other thread's tail is not used).
 */
function stopAtTaken(claim: Int32Array): (i: number, exact: boolean) => boolean {
  return (i, exact) => Atomics.compareExchange(claim, 0, i, i + 1) === TAKEN + i && exact;
}

/**
 * Whether the worker is finding most hosts of the second file repeated (then it is quick, and its tail is
 * better left to it: hosts read here are not compared with the first file's).
 */
function comparisonHelps(secondClaim: Int32Array): boolean {
  const hosts = Atomics.load(secondClaim, HOSTS);
  return hosts > 0 && Atomics.load(secondClaim, REPEATED) >= hosts / 2;
}

/** Up to 16 places where a host line starts, spread over the file (SPLITS), increasing. */
function boundariesOf(scan: ScanFile): number[] {
  const boundaries: number[] = [];
  for (const share of SPLITS) {
    const at = scan.hostLineNear(share);
    if (at > (boundaries.at(-1) ?? 0)) boundaries.push(at);
  }
  return boundaries;
}

function failure(error: unknown): { ok: false; message: string; userError: boolean } {
  return {
    ok: false,
    message: (error as Error)?.message ?? String(error),
    userError: error instanceof UserError,
  };
}

/** Posts a job to the worker and resolves with its reply; rejects if the worker fails. */
export type PairDigestWorker = (job: PairDigestJob) => Promise<PairDigestReply>;

/** Where each host's parts are in its file (DigestPart with `shapes`), by document index. */
type HostShapes = Record<'contentStarts' | 'timesStarts' | 'timesEnds' | 'byteEnds', ArrayLike<number>>;

/**
 * Both files read. Their hosts have no content digests (each is ''): instead, the second file's hosts that
 * repeat the first's are known (sameAs), and the others are compared by their bytes when they must be
 * (sameHosts).
 */
export interface DigestedPair {
  digests: [ScanDigest, ScanDigest];
  /** null when the files were read by digestScan (their digests are real then). */
  shapes: { first: HostShapes; second: HostShapes & Pick<SecondHosts, 'sameAs'> } | null;
}

/**
 * Both files read (ScanDigest, keys 'ndiff'), the second on `worker`. Errors as digestScan's, the first
 * file's first.
 */
export async function digestPair(files: [string, string], worker: PairDigestWorker): Promise<DigestedPair> {
  const first = ScanFile.open(files[0]);
  let secondFile: ScanFile | undefined;
  let digests: DigestedPair;
  try {
    secondFile = ScanFile.open(files[1]);
    const boundaries = boundariesOf(first);
    const secondBoundaries = boundariesOf(secondFile);
    const claim = new Int32Array(new SharedArrayBuffer(4));
    const secondClaim = new Int32Array(new SharedArrayBuffer(12));
    const reply = worker({
      files,
      identity: first.identity,
      boundaries,
      claim: claim.buffer as SharedArrayBuffer,
      secondBoundaries,
      secondClaim: secondClaim.buffer as SharedArrayBuffer,
    });
    reply.catch(() => {}); // awaited below
    const head = first.digestPart(ndiffHostId, {
      shapes: true,
      hash: false,
      ndiffIds: true,
      boundaries: { at: boundaries, stopHere: stopAtTaken(claim) },
    });
    // When this thread read the whole first file, its run and its ids in ndiff's order do not wait for the
    // worker: made now, while the worker still reads (nearly always), they are not on the way after it.
    const whole = head && head.stoppedAt < 0 ? joinFirst(first, files[0], head, undefined) : undefined;
    const wholeSorted = whole ? sorted(first.identity, whole) : undefined;
    // The worker may still be reading the second file: this thread reads its tail rather than wait. With the
    // whole first file checked here, it compares the tail's hosts with that file's as the worker does (from
    // the hosts this thread found: nothing guessed). Else (the worker read the first file's tail), only when
    // the worker's comparison is not helping (every host differs): those hosts are not compared, sameHosts
    // compares their bytes when it must.
    let secondTail: Outcome<DigestPart | null> | null = null;
    const from =
      whole || !comparisonHelps(secondClaim)
        ? takeTail(secondClaim, secondBoundaries, secondFile.identity.size)
        : -1;
    if (from >= 0) {
      try {
        const compared = whole && wholeSorted ? comparedWith(first, whole, wholeSorted) : {};
        secondTail = { ok: true, value: tailOf(secondFile, from, compared) };
      } catch (error) {
        secondTail = failure(error);
      }
    }
    let answer: PairDigestReply | undefined;
    try {
      if (head) await warmWhileWaiting(reply, first, head);
      answer = await reply;
    } catch {
      answer = undefined; // the worker failed: this thread does its share
    }
    const firstScan = whole !== undefined ? whole : head && joinFirst(first, files[0], head, answer?.tail);
    const second = answer?.second && joinSecond(secondFile, answer.second, secondTail);
    const secondRun = second?.ok ? second.value.run : null;
    if (firstScan && second?.ok && secondRun && fillRepeats(second.value, firstScan)) {
      const a = wholeSorted ?? sorted(first.identity, firstScan);
      digests = {
        digests: [a, sorted(second.value.identity, { ...second.value, run: secondRun })],
        shapes: { first: firstScan, second: second.value },
      };
    } else {
      // Read again, each as a file of its own (the first file's error first).
      const secondError = second && !second.ok && second.userError ? new UserError(second.message) : null;
      if (firstScan && secondError) throw secondError;
      const a = digestScan(files[0]);
      if (secondError) throw secondError;
      // The worker read the second file in full (outside the byte-level subset): its digests are real.
      const read = second?.ok && second.value.sameAs.length === 0 ? second.value : null;
      const b = read?.run ? sorted(read.identity, { ...read, run: read.run }) : digestScan(files[1]);
      digests = { digests: [a, b], shapes: null };
    }
  } catch (error) {
    first.closeQuietly();
    secondFile?.closeQuietly();
    throw error;
  }
  try {
    first.close();
  } finally {
    secondFile.close();
  }
  return digests;
}

/** Hosts read at most by warmWhileWaiting: past a few thousand, V8 has compiled what they run. */
const WARM_HOSTS = 4096;

/**
 * Waits for `reply`, reading this file's hosts in full meanwhile and throwing them away: the hosts of the pairs
 * that differ are read next by the same code, which runs ~1.5x slower until V8 has optimized it (2,966 pairs of
 * the bench's /16 pair: ~0.37 s cold, ~0.25 s warm). The thread would be idle otherwise, and the reply is taken
 * within a few hosts' reading of its arrival.
 */
async function warmWhileWaiting(reply: Promise<unknown>, scan: ScanFile, part: DigestPart): Promise<void> {
  let arrived = false;
  const arrive = () => (arrived = true);
  reply.then(arrive, arrive);
  const hosts = Math.min(part.byteStarts.length, WARM_HOSTS);
  for (let i = 0; i < hosts && !arrived; i++) {
    try {
      scan.readHost(part.byteStarts[i]!, part.byteEnds[i]!);
    } catch {
      return; // the file changed: the reading that counts says so
    }
    if (i % 8 === 7) await new Promise(setImmediate);
  }
}

/**
 * The second file as the worker read it, joined with the tail this thread read when the worker stopped at
 * it; a failure (or null) when it is left to digestScan.
 */
function joinSecond(
  scan: ScanFile,
  outcome: Outcome<SecondScan>,
  tailOutcome: Outcome<DigestPart | null> | null,
): Outcome<SecondHosts> | undefined {
  if (!outcome.ok) return outcome;
  const head = unpack(outcome.value);
  if (head.stoppedAt < 0) return { ok: true, value: head };
  if (tailOutcome && !tailOutcome.ok) return tailOutcome;
  const tail = tailOutcome ? tailOutcome.value : tailOf(scan, head.stoppedAt);
  if (!tail) return undefined;
  const hosts = joinHosts(head, tail);
  const run = runOfRest(hosts.rest, scan.file, ndiffHostId);
  if (!run) return undefined;
  // The tail's hosts as this thread compared them with the first file's (-1 each: not compared).
  if (tail.sameAs.length !== tail.keys.length) tail.sameAs = new Array<number>(tail.keys.length).fill(-1);
  // The lists as Float64Arrays, as the head's came (a copy of each: no array of 65,536 numbers built).
  const lists = Object.fromEntries(
    NUMBER_LISTS.map((name) => {
      const list = new Float64Array(head[name].length + tail[name].length);
      list.set(head[name]);
      list.set(tail[name], head[name].length);
      return [name, list];
    }),
  ) as Record<NumberLists, Float64Array>;
  return { ok: true, value: { ...head, ...lists, ...hosts, run } };
}

/** The first file from its head and tail, or null when it is left to digestScan. */
function joinFirst(
  first: ScanFile,
  file: string,
  head: DigestPart,
  tailOutcome: PairDigestReply['tail'] | undefined,
): (DigestPart & { run: NmapRun }) | null {
  let whole = head;
  if (head.stoppedAt >= 0) {
    let tail: DigestPart | null;
    if (tailOutcome?.ok) tail = tailOutcome.value;
    else if (tailOutcome && tailOutcome.userError) throw new UserError(tailOutcome.message);
    else tail = tailOf(first, head.stoppedAt);
    if (!tail) return null;
    whole = joinParts(head, tail);
  }
  const run = runOfRest(whole.rest, file, ndiffHostId);
  return run ? { ...whole, run } : null;
}

function joinParts(head: DigestPart, tail: DigestPart): DigestPart {
  const lists = Object.fromEntries(NUMBER_LISTS.map((name) => [name, head[name].concat(tail[name])]));
  return { ...(lists as Record<NumberLists, number[]>), ...joinHosts(head, tail), sameAs: [] };
}

/** A part's fields besides its lists of numbers. */
type PartHosts = Pick<DigestPart, 'rest' | 'stoppedAt' | 'keys' | 'digests' | 'anyOsMatch' | 'osMatchHosts'>;

/** Two parts' fields besides their lists of numbers, joined (the tail's host indices after the head's). */
function joinHosts(head: PartHosts, tail: PartHosts): PartHosts {
  const offset = head.keys.length;
  return {
    rest: [...head.rest, ...tail.rest],
    stoppedAt: tail.stoppedAt,
    keys: head.keys.concat(tail.keys),
    digests: head.digests.concat(tail.digests),
    anyOsMatch: head.anyOsMatch || tail.anyOsMatch,
    osMatchHosts: head.osMatchHosts.concat(tail.osMatchHosts.map((i) => i + offset)),
  };
}

/**
 * Fills in the key of each host of `second` that repeats one of `first`, after checking that the first
 * file's host is, as checked, exactly where the worker found it. False if one is not (or the second file was
 * read without the first: its hosts repeat none).
 */
function fillRepeats(second: SecondHosts, first: DigestPart): boolean {
  if (second.sameAs.length !== second.keys.length) return false;
  const osMatch = new Set(first.osMatchHosts);
  for (let k = 0; k < second.sameAs.length; k++) {
    const j = second.sameAs[k]!;
    if (j < 0) continue;
    if (j >= first.keys.length || (k < second.workerHosts && !guessHolds(second.referenceShapes, j, first)))
      return false;
    second.keys[k] = first.keys[j]!;
    if (osMatch.has(j)) second.anyOsMatch = true;
  }
  return true;
}

/** Whether the worker's guess at host j (in `shapes`, SHAPE_FIELDS numbers a host) is that host as checked. */
function guessHolds(shapes: Float64Array, j: number, first: DigestPart): boolean {
  const s = SHAPE_FIELDS * j;
  return (
    shapes[s] === first.byteStarts[j] &&
    shapes[s + 1] === first.contentStarts[j] &&
    shapes[s + 2] === first.timesStarts[j] &&
    shapes[s + 3] === first.timesEnds[j] &&
    shapes[s + 4] === first.byteEnds[j]
  );
}

/**
 * A ScanDigest (keys in ndiff's order) from hosts in document order. A plain sort: the second file's repeated
 * hosts hold the first file's id strings (fillRepeats), so most comparisons are of one string with itself
 * (10-25 ms for a /16; ordering them by the first file's order instead measured slower, 23-35 ms).
 */
function sorted(
  identity: FileIdentity,
  scan: Pick<SecondHosts, 'keys' | 'digests' | 'byteStarts' | 'byteEnds' | 'anyOsMatch'> & { run: NmapRun },
): ScanDigest {
  const { keys, order } = toNdiffScan(scan.run, scan.keys);
  return {
    identity,
    run: scan.run,
    keys,
    order,
    addressKeys: [],
    anyOsMatch: scan.anyOsMatch,
    digests: scan.digests,
    byteStarts: scan.byteStarts,
    byteEnds: scan.byteEnds,
  };
}

/**
 * Whether the first file's host ia and the second's host ib are the same for ndiff (planHostPairs' `same`):
 * yes if the second repeats it (sameAs), no if they were compared and it did not; else their bytes are
 * compared (start tag and <times/> left out, as in a digest), read through readA and readB.
 */
export function sameHosts(
  shapes: NonNullable<DigestedPair['shapes']>,
  readA: (start: number, end: number) => Buffer,
  readB: (start: number, end: number) => Buffer,
): (ia: number, ib: number) => boolean {
  const { first, second } = shapes;
  return (ia, ib) => {
    const known = second.sameAs[ib]!;
    if (known === ia) return true;
    // Compared and not repeated; or it repeats another host of the first file (with the same id): read both.
    if (known === -2 - ia || known >= 0) return false;
    const a = contentOf(first, ia);
    const b = contentOf(second, ib);
    // The same lengths before and after <times/>.
    if (a.before !== b.before || a.end - a.after !== b.end - b.after) return false;
    const bytesA = readA(a.start, a.end);
    const bytesB = readB(b.start, b.end);
    return (
      bytesA.compare(bytesB, 0, b.before, 0, a.before) === 0 &&
      bytesA.compare(bytesB, b.after - b.start, bytesB.length, a.after - a.start, bytesA.length) === 0
    );
  };
}

/** Host i's content [start, end), its length before <times/> and where <times/> ends (all of it, without). */
function contentOf(
  shapes: HostShapes,
  i: number,
): { start: number; end: number; before: number; after: number } {
  const start = shapes.contentStarts[i]!;
  const end = shapes.byteEnds[i]!;
  const times = shapes.timesStarts[i]!;
  if (times < 0) return { start, end, before: end - start, after: end };
  return { start, end, before: times - start, after: shapes.timesEnds[i]! };
}
