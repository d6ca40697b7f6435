// The windows are served from a private `portwatch://app/` scheme rather than file://, so every response can
// carry the Content-Security-Policy header and nothing outside dist/renderer can be read.
import path from 'node:path';
import { contentSecurityPolicy } from '../shared/csp.ts';
import { WINDOW_FILE_TYPES } from '../shared/content-types.ts';

export const RENDERER_SCHEME = 'portwatch';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://app`;

/** The same policy is in each HTML file's meta tag: our own scripts and styles only, no network. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy("'none'");

/** The windows' files, and the source maps the app's developer tools read. */
const types: Record<string, string> = { ...WINDOW_FILE_TYPES, '.map': 'application/json' };

/** Maps a request URL to a file under rendererDir, or null (other origins, traversal, unknown types). */
export function resolveRendererRequest(
  url: string,
  rendererDir: string,
): { file: string; headers: Record<string, string> } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (`${parsed.protocol}//${parsed.host}` !== RENDERER_ORIGIN) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(parsed.pathname).replace(/^\/+/, '');
  } catch {
    return null; // a malformed escape (%E0%A4%A, say): not one of our files
  }
  const file = path.resolve(rendererDir, relative);
  if (!file.startsWith(path.resolve(rendererDir) + path.sep)) return null;
  const type = types[path.extname(file)];
  if (!type) return null;
  return {
    file,
    headers: {
      'Content-Type': type,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    },
  };
}
