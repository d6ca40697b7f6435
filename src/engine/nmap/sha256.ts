// The hash of a host's content digest (sha256, base64), for parse.ts and fast-host-scan.ts. node:crypto is
// loaded at the first digest, not with those modules: loading it takes ~10 ms, and a diff of two files computes
// no digest (on either of its threads, each of which would load it before reading a byte).
import type * as Crypto from 'node:crypto';

let crypto: typeof Crypto | undefined;

export function sha256Base64(bytes: Uint8Array): string {
  crypto ??= process.getBuiltinModule('node:crypto');
  return crypto.hash('sha256', bytes, 'base64');
}
