// Temporary data directories for a test file, removed once all of its tests are done. A test's t.after hooks
// run in the order they were added, so a removal added when a directory is made runs before the hooks that
// stop what writes into it (a watch process, a reporter): it could fail with ENOTEMPTY on a loaded machine,
// and a hook that throws skips the ones after it, leaving those writers running and the file never exiting.
// This file's after hook runs after every test and its hooks, and the removal still retries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

const dirs: string[] = [];

after(() => {
  for (const dir of dirs.splice(0))
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
});

/** A new directory under the system's temporary one, removed after the file's last test. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
