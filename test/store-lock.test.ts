import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  acquireLock,
  lockHolder,
  tryAcquireLock,
  withLockSync,
  LockBusyError,
} from '../src/engine/store/lock.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-lock-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a held lock is refused until released', (t) => {
  const lockPath = path.join(tempDir(t), 'scan.lock');
  const first = tryAcquireLock(lockPath, 'first');
  assert.ok(first);
  assert.equal(tryAcquireLock(lockPath, 'second'), null);
  assert.equal(lockHolder(lockPath)?.pid, process.pid);
  assert.equal(lockHolder(lockPath)?.purpose, 'first');
  first.release();
  assert.equal(lockHolder(lockPath), undefined);
  const second = tryAcquireLock(lockPath, 'second');
  assert.ok(second);
  second.release();
});

test('a lock left by a dead process is taken over', async (t) => {
  const lockPath = path.join(tempDir(t), 'scan.lock');
  // A child takes the lock and is killed without releasing it.
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { tryAcquireLock } from ${JSON.stringify(path.join(import.meta.dirname, '..', 'src', 'engine', 'store', 'lock.ts'))};
       tryAcquireLock(${JSON.stringify(lockPath)}, 'child'); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  assert.equal(lockHolder(lockPath)?.pid, child.pid);
  assert.equal(tryAcquireLock(lockPath, 'parent'), null, 'a live holder keeps the lock');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const lock = await acquireLock(lockPath, { purpose: 'parent', waitMs: 2000 });
  assert.ok(lock, 'the dead holder’s lock is taken over');
  assert.equal(lock.owner.pid, process.pid);
  lock.release();
});

test('acquireLock waits for the holder and withLockSync gives up with LockBusyError', async (t) => {
  const lockPath = path.join(tempDir(t), 'edit.lock');
  const held = tryAcquireLock(lockPath, 'holder')!;
  assert.throws(() => withLockSync(lockPath, 'edit', () => 1, 50), LockBusyError);
  setTimeout(() => held.release(), 100);
  const lock = await acquireLock(lockPath, { purpose: 'waiter', waitMs: 5000 });
  assert.ok(lock);
  lock.release();
  assert.equal(
    withLockSync(lockPath, 'edit', () => 42),
    42,
  );
});

test('an orphaned lock directory without an owner file is broken only when old', (t) => {
  const lockPath = path.join(tempDir(t), 'scan.lock');
  fs.mkdirSync(lockPath);
  assert.equal(tryAcquireLock(lockPath, 'new'), null, 'a fresh one may be being created');
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lockPath, old, old);
  const lock = tryAcquireLock(lockPath, 'new');
  assert.ok(lock);
  lock.release();
});

test('a lock whose pid now belongs to another process (pid reuse) is stale', (t) => {
  const lockPath = path.join(tempDir(t), 'scan.lock');
  const lock = tryAcquireLock(lockPath, 'mine')!;
  assert.ok(lock.owner.start, 'the owner records its start time on Linux');
  // Rewrite the owner as if an earlier process with our pid had left it before a reboot.
  fs.writeFileSync(path.join(lockPath, 'owner.json'), JSON.stringify({ ...lock.owner, start: '1' }));
  assert.equal(lockHolder(lockPath), undefined);
  const next = tryAcquireLock(lockPath, 'next');
  assert.ok(next);
  next.release();
});
