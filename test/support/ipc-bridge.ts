// The windows outside Electron: dist/renderer (a private copy) served over loopback HTTP (with the app's Content-Security-Policy
// header), and window.portwatch provided through Playwright's exposeBinding. The page gets the very object the
// preload builds (src/preload/api.ts, bundled here with esbuild), and every request goes to the REAL request
// handlers (src/engine/api) over the REAL engine on a temporary data directory. Events main would send are
// pushed with `emit`.
//
//   const bridge = await openBridge({ host: '127.0.50.1' });
//   t.after(() => bridge.close());
//   await bridge.attach(page);
//   await page.goto(bridge.url('settings.html'));
import { build } from 'esbuild';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright';
import { createHandlers, type Handlers } from '../../src/engine/api/index.ts';
import { openAppEngine, type OpenedAppEngine } from '../../src/engine/api/real-engine.ts';
import { toRow } from '../../src/engine/api/rows.ts';
import { AppStatus } from '../../src/engine/api/status.ts';
import { CONTENT_SECURITY_POLICY } from '../../src/main/renderer-protocol.ts';
import {
  channels,
  type AppEvents,
  type Channel,
  type EventName,
  type LocalNetwork,
} from '../../src/shared/ipc.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const builtRenderer = path.join(root, 'dist', 'renderer');

/**
 * A private copy of dist/renderer, so a rebuild elsewhere (which empties dist/ for a moment) cannot pull the
 * files from under a running test. Waits briefly for a build in progress to finish.
 */
async function copyRenderer(into: string): Promise<string> {
  const need = ['settings.html', 'history.html', 'settings.js', 'history.js', 'settings.css', 'history.css'];
  for (let attempt = 0; ; attempt++) {
    const ready = await Promise.all(
      need.map((f) =>
        stat(path.join(builtRenderer, f)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (ready.every(Boolean)) {
      try {
        await cp(builtRenderer, into, { recursive: true });
        return into;
      } catch {
        // a rebuild removed it while copying: wait and try again
      }
    }
    if (attempt > 60) throw new Error(`${builtRenderer} is missing: run 'npm run build' first`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** The page-side half: the preload's createApi over the binding, plus an event dispatcher the bridge calls. */
async function pageScript(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `
        import { createApi } from './src/preload/api.ts';
        const listeners = new Map();
        window.__portwatchDispatch = (event, payload) => {
          for (const listener of listeners.get(event) ?? []) listener(payload);
        };
        window.portwatch = createApi({
          invoke: (channel, payload) => window.__portwatchInvoke(channel, payload),
          subscribe(event, listener) {
            if (!listeners.has(event)) listeners.set(event, new Set());
            listeners.get(event).add(listener);
            return () => listeners.get(event).delete(listener);
          },
        }, 'linux');
      `,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export interface Bridge {
  dataDir: string;
  handlers: Handlers;
  opened: OpenedAppEngine;
  status: AppStatus;
  /** Requests the pages made, in order (channel names), for assertions. */
  calls: Channel[];
  url(page: 'settings.html' | 'history.html', query?: string): string;
  attach(page: Page): Promise<void>;
  emit<E extends EventName>(event: E, payload: AppEvents[E]): Promise<void>;
  close(): Promise<void>;
}

export async function openBridge(options: {
  host: string;
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
  /**
   * What `localNetworks` answers (the welcome's suggested first profile). None by default: a test's forms never
   * hold this machine's real (non-loopback) networks unless it asks for them.
   */
  localNetworks?: LocalNetwork[];
}): Promise<Bridge> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'portwatch-ui-')));
  const ownsDir = options.dataDir === undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PORTWATCH_DATA_DIR: dataDir };
  delete env.PORTWATCH_SMTP_PASSWORD;
  const opened = await openAppEngine({ dataDir, env, testMailTimeoutMs: 10_000 });
  const status = new AppStatus();
  status.follow(opened.monitor);
  const pages = new Set<Page>();
  const calls: Channel[] = [];

  const emit = async <E extends EventName>(event: E, payload: AppEvents[E]) => {
    await Promise.all(
      [...pages].map((page) =>
        page
          .evaluate(
            ([e, p]) =>
              (window as unknown as { __portwatchDispatch(e: string, p: unknown): void }).__portwatchDispatch(
                e,
                p,
              ),
            [event, payload] as const,
          )
          .catch(() => {}),
      ),
    );
  };
  const handlers = createHandlers({
    engine: opened.engine,
    status,
    onProgress: (p) => void emit('scanProgress', p),
    localNetworks: () => options.localNetworks ?? [],
  });
  opened.monitor.on(
    'progress',
    (p) => void emit('scanProgress', { profile: p.profile, task: p.task, percent: p.percent }),
  );
  opened.monitor.on('scan-finished', ({ entry }) => {
    status.scanRecorded(entry);
    void emit('scanRecorded', toRow(entry));
  });

  const rendererDir = await copyRenderer(await mkdtemp(path.join(os.tmpdir(), 'portwatch-renderer-')));
  const server = http.createServer(async (req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const file = path.resolve(rendererDir, name);
    const type = types[path.extname(file)];
    if (!file.startsWith(rendererDir + path.sep) || !type) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res
        .writeHead(200, { 'Content-Type': type, 'Content-Security-Policy': CONTENT_SECURITY_POLICY })
        .end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const origin = `http://${options.host}:${port}`;
  const script = await pageScript();

  return {
    dataDir,
    handlers,
    opened,
    status,
    calls,
    url: (page, query) => `${origin}/${page}${query ? `?${query}` : ''}`,
    async attach(page) {
      pages.add(page);
      page.on('close', () => pages.delete(page));
      await page.exposeBinding('__portwatchInvoke', async (source, channel: string, payload: unknown) => {
        // As main does: answer only our own pages, only the contract's channels.
        if (source.frame !== source.page.mainFrame() || !source.frame.url().startsWith(`${origin}/`))
          return { ok: false, error: 'refused: this request did not come from a Portwatch window' };
        if (!(channels as readonly string[]).includes(channel))
          return { ok: false, error: `unknown request '${channel}'` };
        calls.push(channel as Channel);
        // Structured clone, as IPC does: nothing but data crosses.
        return structuredClone(await handlers[channel as Channel](structuredClone(payload)));
      });
      await page.addInitScript({ content: script });
    },
    emit,
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await opened.close();
      await rm(rendererDir, { recursive: true, force: true });
      if (ownsDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
