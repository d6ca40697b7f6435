// Crash-safe whole-file writes, the one module for them (profiles, references, history, settings, secrets,
// the mail outbox): write a temp file beside the target, fsync it, rename it over the target, then fsync the
// directory so the rename itself survives a power cut. A reader sees the old file or the new one, never a mix.
// Sync and async flavours share one temp name, `.NAME.PID.RANDOM.tmp`, so removeStaleTemps finds the leftovers
// of either. Files are owner-only (0600) unless a mode is given.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** fsyncs a directory so that creations, renames and deletions in it are durable. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    // Some file systems (and Windows) refuse to open or fsync a directory; the rename is still atomic.
    if (!isCode(error, 'EISDIR', 'EPERM', 'EINVAL', 'EACCES')) throw error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Creates a directory (and its parents) and makes its entry durable. */
export function ensureDir(dir: string): void {
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(dir, { recursive: true });
  fsyncDir(path.dirname(dir));
}

export interface AtomicWriteOptions {
  /** The file's mode (default 0o600); the temp file has it from the start. */
  mode?: number;
}

/** The temp file a write of `file` goes through (removeStaleTemps reads the pid back from it). */
function tempPathFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/** Writes `data` to `file` atomically and durably. */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const dir = path.dirname(file);
  ensureDir(dir);
  const mode = options.mode ?? 0o600;
  const temp = tempPathFor(file);
  const fd = fs.openSync(temp, 'wx', mode);
  try {
    fs.writeFileSync(fd, data);
    // The umask may have narrowed the mode given to open(); set it exactly.
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fsyncDir(dir);
}

/** The same without blocking the event loop (the app's settings, secrets and mail). */
export async function writeFileAtomicAsync(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  const temp = tempPathFor(file);
  const handle = await fs.promises.open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.promises.rename(temp, file);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
  await fsyncDirAsync(path.dirname(file));
}

async function fsyncDirAsync(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!isCode(error, 'EISDIR', 'EPERM', 'EINVAL', 'EACCES')) throw error;
  } finally {
    await handle?.close();
  }
}

/** Reads a text file, or undefined when it does not exist. */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Writes a value as pretty JSON, atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Reads a JSON file; `undefined` when it does not exist. A corrupt file throws (atomic writes prevent it). */
export function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}

/** Removes a file durably; no error when it is already gone. */
export function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  fsyncDir(path.dirname(file));
}

/** Removes leftover temp files of writes that were interrupted (a crash between write and rename). */
export function removeStaleTemps(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith('.') || !name.endsWith('.tmp')) continue;
    const pid = Number(name.split('.').at(-3));
    if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) continue;
    fs.rmSync(path.join(dir, name), { force: true });
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return (
    typeof error === 'object' && error !== null && codes.includes((error as { code?: string }).code ?? '')
  );
}

/** Whether a process with this pid exists (on this machine). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, 'EPERM');
  }
}
