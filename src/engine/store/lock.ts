// A lock shared by every process on this machine that uses the same data directory (the app and the CLI).
// It is a directory (mkdir is atomic everywhere) holding owner.json with the owner's pid. A lock whose owner
// process is gone is stale and is taken over; so is one without an owner file that is older than a few
// seconds (its owner died between mkdir and writing the file).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isCode, processAlive } from './atomic.ts';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** What the owner is doing, for messages ("scanning home"). */
  purpose: string;
  since: string;
  /** Linux: the owner's start time in clock ticks since boot, so a reused pid is not taken for the owner. */
  start?: string;
}

export interface Lock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): void;
}

export interface AcquireOptions {
  purpose: string;
  /** How long to wait for a held lock, in ms (0: fail at once). */
  waitMs?: number;
  signal?: AbortSignal;
}

/** A lock without an owner file younger than this is being created, not abandoned. */
const ORPHAN_MS = 5000;

/** Takes the lock if it is free (or stale); returns null when a live process holds it. */
export function tryAcquireLock(lockPath: string, purpose: string): Lock | null {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.mkdirSync(lockPath);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
      if (!isStale(lockPath)) return null;
      breakLock(lockPath);
      continue;
    }
    const start = processStart(process.pid);
    const owner: LockOwner = {
      pid: process.pid,
      hostname: os.hostname(),
      purpose,
      since: new Date().toISOString(),
      ...(start !== undefined ? { start } : {}),
    };
    fs.writeFileSync(path.join(lockPath, 'owner.json'), JSON.stringify(owner));
    let released = false;
    return {
      path: lockPath,
      owner,
      release() {
        if (released) return;
        released = true;
        // Only remove it if it is still ours (it cannot have been taken over while we live, but be sure).
        if (readOwner(lockPath)?.pid === process.pid) fs.rmSync(lockPath, { recursive: true, force: true });
      },
    };
  }
  return null;
}

/** Takes the lock, waiting up to `waitMs` for its holder. Returns null when it is still held after that. */
export async function acquireLock(lockPath: string, options: AcquireOptions): Promise<Lock | null> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  let delay = 20;
  while (true) {
    options.signal?.throwIfAborted();
    const lock = tryAcquireLock(lockPath, options.purpose);
    if (lock) return lock;
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
}

/** Who holds the lock, if anyone does (stale locks count as free). */
export function lockHolder(lockPath: string): LockOwner | undefined {
  if (!fs.existsSync(lockPath) || isStale(lockPath)) return undefined;
  return readOwner(lockPath);
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(lockPath, 'owner.json'), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isStale(lockPath: string): boolean {
  const owner = readOwner(lockPath);
  if (owner) {
    // A lock from another machine (a shared directory) cannot be checked: trust it.
    if (owner.hostname !== os.hostname()) return false;
    if (!processAlive(owner.pid)) return true;
    // The pid is alive, but is it still the owner? (After a crash and a reboot, pids are reused.)
    return owner.start !== undefined && processStart(owner.pid) !== owner.start;
  }
  try {
    return Date.now() - fs.statSync(lockPath).mtimeMs > ORPHAN_MS;
  } catch {
    return true; // gone meanwhile
  }
}

/** Linux: field 22 of /proc/PID/stat (start time in ticks since boot); undefined elsewhere. */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Moves a stale lock aside before deleting it, so that two processes breaking it cannot delete a new one. */
function breakLock(lockPath: string): void {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs a short critical section (a read-modify-write of a small file) under a lock, waiting synchronously up
 * to `waitMs` for it. Throws `LockBusyError` when a live process keeps holding it.
 */
export function withLockSync<T>(lockPath: string, purpose: string, fn: () => T, waitMs = 10_000): T {
  const deadline = Date.now() + waitMs;
  let delay = 5;
  let lock = tryAcquireLock(lockPath, purpose);
  while (!lock) {
    if (Date.now() >= deadline) throw new LockBusyError(lockPath, lockHolder(lockPath));
    Atomics.wait(sleeper, 0, 0, delay);
    delay = Math.min(delay * 2, 100);
    lock = tryAcquireLock(lockPath, purpose);
  }
  try {
    return fn();
  } finally {
    lock.release();
  }
}

export class LockBusyError extends Error {
  override name = 'LockBusyError';
  readonly holder: LockOwner | undefined;
  constructor(lockPath: string, holder: LockOwner | undefined) {
    super(
      holder
        ? `${lockPath} is held by process ${holder.pid} (${holder.purpose}) since ${holder.since}`
        : `${lockPath} is held by another process`,
    );
    this.holder = holder;
  }
}
