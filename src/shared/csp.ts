// The windows' Content-Security-Policy: our own scripts and styles only, nothing inline, no framing. The app's
// windows (portwatch://app) reach main over IPC, so they may connect nowhere; the browser UI (src/web) reaches
// its server with fetch and Server-Sent Events, so it may connect to its own origin, and to nothing else.
export function contentSecurityPolicy(connect: "'none'" | "'self'"): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
