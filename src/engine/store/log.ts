// An append-only log of JSON records, one per line, read from the end.
// - append: one write() of one whole line with O_APPEND, then fsync. A crash can leave only the last line torn
//   (no trailing newline); the next append cuts that torn tail off first, and readers never return it.
// - readLast: reads backwards from the end in chunks, so the newest N records of a huge log cost O(N), and
//   pages further back with a byte-offset cursor.
// Appends from several processes must be serialised by the caller (the monitor holds the profile's lock).
import fs from 'node:fs';
import path from 'node:path';
import { ensureDir, fsyncDir, isCode } from './atomic.ts';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

export interface LogPage<T> {
  /** Newest first. */
  records: T[];
  /** Pass as `before` to read the page before this one; undefined at the start of the log. */
  next?: number;
}

export class AppendLog<T> {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** Appends one record durably. Returns the byte offset where its line starts. */
  append(record: T): number {
    const line = JSON.stringify(record);
    if (line.includes('\n')) throw new Error('log records must serialise to one line');
    const dir = path.dirname(this.file);
    ensureDir(dir);
    const created = !fs.existsSync(this.file);
    const fd = fs.openSync(this.file, 'a+', 0o600);
    try {
      const offset = cutTornTail(fd);
      fs.writeSync(fd, line + '\n');
      fs.fsyncSync(fd);
      if (created) fsyncDir(dir);
      return offset;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Up to `limit` complete records, newest first, ending before byte offset `before` (default: the end). */
  readLast(limit: number, before?: number): LogPage<T> {
    const records: T[] = [];
    let oldest = 0;
    for (const { offset, record } of this.backwards(before)) {
      // One record past the page tells that there is more before it.
      if (records.length === limit) return { records, next: oldest };
      records.push(record);
      oldest = offset;
    }
    return { records };
  }

  /** The newest record that satisfies `match`, reading backwards. */
  findLast(match: (record: T) => boolean): T | undefined {
    for (const { record } of this.backwards()) if (match(record)) return record;
    return undefined;
  }

  /** Every complete record, oldest first. */
  readAll(): T[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return [];
      throw error;
    }
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a torn line
    const records: T[] = [];
    for (const line of lines) {
      const record = parseLine<T>(line);
      if (record !== undefined) records.push(record);
    }
    return records;
  }

  /** Yields complete records from the end backwards, each with the byte offset of its line. */
  *backwards(before?: number): Generator<{ offset: number; record: T }> {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return;
      throw error;
    }
    try {
      const size = fs.fstatSync(fd).size;
      let pos = Math.min(before ?? size, size);
      // Bytes from `pos` up to and including the newline that ends the line being assembled.
      let remainder = Buffer.alloc(0);
      // Until the first newline is seen from the end, bytes belong to a torn last line and are dropped.
      let aligned = before !== undefined;
      while (pos > 0) {
        const start = Math.max(0, pos - CHUNK);
        const chunk = Buffer.alloc(pos - start);
        fs.readSync(fd, chunk, 0, chunk.length, start);
        pos = start;
        let buffer = remainder.length > 0 ? Buffer.concat([chunk, remainder]) : chunk;
        if (!aligned) {
          const last = buffer.lastIndexOf(NEWLINE);
          if (last === -1) continue;
          buffer = buffer.subarray(0, last + 1);
          aligned = true;
        }
        // `buffer` covers [start, start + buffer.length) and ends with a newline.
        let lineEnd = buffer.length - 1;
        while (lineEnd > 0) {
          const previous = buffer.lastIndexOf(NEWLINE, lineEnd - 1);
          if (previous === -1) break; // this line may begin in an earlier chunk
          const record = parseLine<T>(buffer.toString('utf8', previous + 1, lineEnd));
          if (record !== undefined) yield { offset: start + previous + 1, record };
          lineEnd = previous;
        }
        remainder = Buffer.from(buffer.subarray(0, lineEnd + 1));
      }
      if (remainder.length > 1) {
        const record = parseLine<T>(remainder.toString('utf8', 0, remainder.length - 1));
        if (record !== undefined) yield { offset: 0, record };
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

function parseLine<T>(line: string): T | undefined {
  if (line.length === 0) return undefined;
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined; // a torn or damaged line: never returned as a record
  }
}

/** Truncates an unterminated last line (left by a crash mid-append). Returns the resulting size. */
function cutTornTail(fd: number): number {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  if (last[0] === NEWLINE) return size;
  let pos = size;
  while (pos > 0) {
    const start = Math.max(0, pos - CHUNK);
    const chunk = Buffer.alloc(pos - start);
    fs.readSync(fd, chunk, 0, chunk.length, start);
    const index = chunk.lastIndexOf(NEWLINE);
    if (index !== -1) {
      fs.ftruncateSync(fd, start + index + 1);
      return start + index + 1;
    }
    pos = start;
  }
  fs.ftruncateSync(fd, 0);
  return 0;
}
