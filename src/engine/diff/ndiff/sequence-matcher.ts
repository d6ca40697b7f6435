// Python's difflib.SequenceMatcher(None, a, b).get_opcodes() for lists of strings, ported line for line from
// CPython 3.11 (autojunk included: in a b of 200+ items, items seen more than len(b)//100 + 1 times are
// "popular" and never start a match). ndiff uses it for OS lists and script output lines.

export type OpTag = 'replace' | 'delete' | 'insert' | 'equal';
export type Opcode = [tag: OpTag, i1: number, i2: number, j1: number, j2: number];
type Match = [i: number, j: number, size: number];

function chainB(b: readonly string[]): Map<string, number[]> {
  const b2j = new Map<string, number[]>();
  for (let i = 0; i < b.length; i++) {
    const indices = b2j.get(b[i]!);
    if (indices) indices.push(i);
    else b2j.set(b[i]!, [i]);
  }
  const n = b.length;
  if (n >= 200) {
    const ntest = Math.floor(n / 100) + 1;
    for (const [elt, idxs] of b2j) if (idxs.length > ntest) b2j.delete(elt);
  }
  return b2j;
}

function findLongestMatch(
  a: readonly string[],
  b: readonly string[],
  b2j: Map<string, number[]>,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
): Match {
  let besti = alo;
  let bestj = blo;
  let bestsize = 0;
  let j2len = new Map<number, number>();
  for (let i = alo; i < ahi; i++) {
    const newj2len = new Map<number, number>();
    const js = b2j.get(a[i]!);
    if (js) {
      for (const j of js) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) ?? 0) + 1;
        newj2len.set(j, k);
        if (k > bestsize) {
          besti = i - k + 1;
          bestj = j - k + 1;
          bestsize = k;
        }
      }
    }
    j2len = newj2len;
  }
  // No isjunk, so bjunk is empty: only the two "extend over non-junk" loops can move the bounds.
  while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
    besti--;
    bestj--;
    bestsize++;
  }
  while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) {
    bestsize++;
  }
  return [besti, bestj, bestsize];
}

function matchingBlocks(a: readonly string[], b: readonly string[]): Match[] {
  const la = a.length;
  const lb = b.length;
  const b2j = chainB(b);
  const queue: [number, number, number, number][] = [[0, la, 0, lb]];
  const blocks: Match[] = [];
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop()!;
    const x = findLongestMatch(a, b, b2j, alo, ahi, blo, bhi);
    const [i, j, k] = x;
    if (k) {
      blocks.push(x);
      if (alo < i && blo < j) queue.push([alo, i, blo, j]);
      if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
    }
  }
  blocks.sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
  let i1 = 0;
  let j1 = 0;
  let k1 = 0;
  const nonAdjacent: Match[] = [];
  for (const [i2, j2, k2] of blocks) {
    if (i1 + k1 === i2 && j1 + k1 === j2) {
      k1 += k2;
    } else {
      if (k1) nonAdjacent.push([i1, j1, k1]);
      i1 = i2;
      j1 = j2;
      k1 = k2;
    }
  }
  if (k1) nonAdjacent.push([i1, j1, k1]);
  nonAdjacent.push([la, lb, 0]);
  return nonAdjacent;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** difflib.SequenceMatcher(None, a, b).get_opcodes(). */
export function getOpcodes(a: readonly string[], b: readonly string[]): Opcode[] {
  // Equal lists (the common case) give one "equal" run, or nothing when empty: skip the matcher.
  if (sameList(a, b)) return a.length === 0 ? [] : [['equal', 0, a.length, 0, b.length]];
  let i = 0;
  let j = 0;
  const answer: Opcode[] = [];
  for (const [ai, bj, size] of matchingBlocks(a, b)) {
    let tag: OpTag | '' = '';
    if (i < ai && j < bj) tag = 'replace';
    else if (i < ai) tag = 'delete';
    else if (j < bj) tag = 'insert';
    if (tag) answer.push([tag, i, ai, j, bj]);
    i = ai + size;
    j = bj + size;
    if (size) answer.push(['equal', ai, i, bj, j]);
  }
  return answer;
}
