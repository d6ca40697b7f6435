// `portwatch watch --ui`, wired: the app's engine over the data directory, the live status the tray shows,
// the request handlers, and the HTTP server that serves them with the windows' events. The CLI's watch
// command then runs the schedules on this engine's monitor as it does without --ui.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createHandlers } from '../engine/api/index.ts';
import { openAppEngine, type AppEngineOptions, type OpenedAppEngine } from '../engine/api/real-engine.ts';
import { toRow } from '../engine/api/rows.ts';
import { AppStatus } from '../engine/api/status.ts';
import { readUiPasswordHash, verifyUiPassword } from '../engine/config/ui-password.ts';
import { UserError, messageOf } from '../engine/errors.ts';
import { EventHub } from './event-stream.ts';
import { isLoopback, type ListenAddress } from './guards.ts';
import { startWebServer, type WebServer } from './server.ts';

export interface WebUiOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  listen: ListenAddress;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Plain HTTP on a non-loopback address, chosen knowingly (--insecure-http). */
  insecureHttp?: boolean;
  allowHosts?: string[];
  /** The log lines also go here (the CLI's stderr); they always go to the engine's log file. */
  stderr?: AppEngineOptions['stderr'];
  /** Also hand each server log line here (tests). */
  log?: (line: string) => void;
  /** The built browser UI; default: dist/web of this installation. */
  webRoot?: string;
}

export interface WebUi {
  opened: OpenedAppEngine;
  server: WebServer;
  close(): Promise<void>;
}

/** dist/web, found from wherever this module runs (the bundled CLI in dist/, or the sources in tests). */
export function findWebRoot(from = import.meta.dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'dist', 'web');
    if (existsSync(path.join(candidate, 'status.html'))) return candidate;
    if (path.basename(dir) === 'dist' && existsSync(path.join(dir, 'web', 'status.html')))
      return path.join(dir, 'web');
    if (path.dirname(dir) === dir)
      throw new UserError("the browser UI is not built; run 'npm run build' in the Portwatch folder");
  }
}

/** Refuses plain HTTP beyond this machine unless the user said so; returns the warning to print, if any. */
export function checkTransport(
  options: Pick<WebUiOptions, 'listen' | 'tls' | 'insecureHttp'>,
): string | undefined {
  if (options.tls || isLoopback(options.listen.host)) return undefined;
  if (!options.insecureHttp)
    throw new UserError(
      `--listen ${options.listen.host} reaches beyond this machine: give --tls-cert FILE --tls-key FILE, put Portwatch behind a reverse proxy with TLS (listen on 127.0.0.1), or add --insecure-http to accept that passwords and cookies travel in clear text`,
    );
  return `WARNING: the browser UI is served over plain HTTP on ${options.listen.host}: anyone on the network path can read the session cookie, the UI password and the mail settings. Use --tls-cert/--tls-key or a reverse proxy with TLS.`;
}

export async function startWebUi(options: WebUiOptions): Promise<WebUi> {
  const warning = checkTransport(options);
  const webRoot = options.webRoot ?? findWebRoot();
  const opened = await openAppEngine({
    dataDir: options.dataDir,
    env: options.env,
    ...(options.stderr ? { stderr: options.stderr } : {}),
  });
  const { engine, monitor } = opened;
  const webLog = opened.log.for('web');
  const log = (line: string) => {
    webLog.info(line);
    options.log?.(line);
  };
  if (warning) webLog.warn(warning);
  const status = new AppStatus();
  const events = new EventHub();
  const handlers = createHandlers({ engine, status, onProgress: (p) => events.send('scanProgress', p) });

  // What the tray shows, pushed to every open page as it changes (bursts of progress coalesced).
  let pending: Promise<void> | undefined;
  const refresh = () => {
    pending ??= Promise.resolve().then(async () => {
      pending = undefined;
      const state = await handlers.getAppState({});
      if (state.ok) events.send('stateChanged', state.value);
    });
  };
  status.onChange(refresh);
  status.follow(monitor); // the one live model, fed by the monitor's events
  monitor.on('progress', (p) =>
    events.send('scanProgress', {
      profile: p.profile,
      task: p.task,
      percent: p.percent,
      ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}),
    }),
  );
  monitor.on('scan-finished', ({ entry }) => events.send('scanRecorded', toRow(entry)));
  monitor.on('changed', refresh);
  for (const profile of monitor.listProfiles()) status.seed(monitor.history(profile.name, 1).records);

  let server: WebServer;
  try {
    server = await startWebServer({
      handlers,
      events,
      webRoot,
      listen: options.listen,
      ...(options.tls ? { tls: options.tls } : {}),
      allowHosts: options.allowHosts ?? [],
      log,
      async checkPassword(password) {
        const hash = await readUiPasswordHash(options.dataDir);
        return hash === undefined ? undefined : verifyUiPassword(password, hash);
      },
    });
  } catch (error) {
    await opened.close();
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${options.listen.host}:${options.listen.port}`;
    if (code === 'EADDRINUSE')
      throw new UserError(`${where} is already in use; choose another port with --listen ADDRESS:PORT`);
    if (code === 'EADDRNOTAVAIL')
      throw new UserError(`${options.listen.host} is not an address of this machine; check --listen`);
    throw new UserError(`the browser UI could not listen on ${where}: ${messageOf(error)}`);
  }
  return {
    opened,
    server,
    async close() {
      await server.close();
    },
  };
}
