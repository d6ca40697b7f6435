// The browser UI's files, and nothing else: only plain names (no folders, no dot files) of known types, read
// from the built UI folder after following symlinks, so traversal (../), encoded slashes (%2F, %5C) and a
// symlink pointing out of the folder all come back as "not found".
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WINDOW_FILE_TYPES } from '../shared/content-types.ts';

const types = WINDOW_FILE_TYPES;

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9]+)+$/;

/** The file a request path names inside root, or null. `rawPath` is the path as sent, still percent-encoded. */
export async function resolveStaticFile(
  root: string,
  rawPath: string,
): Promise<{ file: string; type: string } | null> {
  if (/%(2f|5c|00)/i.test(rawPath)) return null;
  let name: string;
  try {
    name = decodeURIComponent(rawPath).replace(/^\//, '');
  } catch {
    return null;
  }
  const type = types[path.extname(name)];
  if (!PLAIN_NAME.test(name) || !type) return null;
  try {
    const realRoot = await fs.realpath(root);
    const file = await fs.realpath(path.join(realRoot, name));
    if (path.dirname(file) !== realRoot) return null;
    if (!(await fs.stat(file)).isFile()) return null;
    return { file, type };
  } catch {
    return null;
  }
}
