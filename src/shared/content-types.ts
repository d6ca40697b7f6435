// The content types of the windows' files, as both servers of them send them: the app's portwatch:// scheme
// (src/main/renderer-protocol.ts) and the browser UI (src/web/static-files.ts). A type not listed is not served.
export const WINDOW_FILE_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
