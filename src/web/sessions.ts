// Who may use the browser UI: one-time login tokens (the link `watch --ui` prints) and the sessions they, or
// the UI password, open. Both are random 256-bit values, kept in memory only as their SHA-256 (so a lookup's
// timing tells nothing about the secret): a restart signs everyone out.
import { createHash, randomBytes } from 'node:crypto';

const TOKEN_LIFETIME_MS = 24 * 3600_000;
const SESSION_LIFETIME_MS = 7 * 24 * 3600_000;

const random = () => randomBytes(32).toString('base64url');
const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

export class Sessions {
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** A new one-time login token (valid for a day, or until used). */
  newLoginToken(): string {
    const token = random();
    this.tokens.set(digest(token), this.now() + TOKEN_LIFETIME_MS);
    return token;
  }

  /** Spends a login token: true once, for a token we issued that has not expired. */
  useLoginToken(given: string): boolean {
    const key = digest(given);
    const expires = this.tokens.get(key);
    this.tokens.delete(key);
    return expires !== undefined && expires > this.now();
  }

  open(): string {
    const id = random();
    this.sessions.set(digest(id), this.now() + SESSION_LIFETIME_MS);
    return id;
  }

  valid(given: string | undefined): boolean {
    if (!given) return false;
    const key = digest(given);
    const expires = this.sessions.get(key);
    if (expires !== undefined && expires > this.now()) return true;
    this.sessions.delete(key);
    return false;
  }

  close(given: string | undefined): void {
    if (given) this.sessions.delete(digest(given));
  }
}
