// Running nmap: no shell (an argv array), XML streamed from a pipe into the parser, progress from
// --stats-every, cancel and a hard time limit (SIGTERM, then SIGKILL), bounded stderr and XML.
// A scan that goes wrong resolves with `failure` set and whatever nmap reported; only "nmap can't run at all"
// (missing, not nmap, lacking privileges, invalid input) throws a UserError.
import { spawn } from 'node:child_process';
import type { NmapRun } from '../../shared/scan.ts';
import type { ScanOptions } from '../../shared/profile.ts';
import { privilegesNeeded } from '../../shared/validate/options.ts';
import { UserError, messageOf } from '../errors.ts';
import { buildNmapArgs as buildArgs } from './args.ts';
import { locateNmap, nmapVersion, requirePrivileges } from './detect.ts';
import { NmapXmlParser, type TaskProgress } from './parse.ts';
import { StreamDigester } from './stream-digests.ts';

export interface ScanProgress {
  /** nmap's current task, e.g. "Connect Scan". */
  task: string;
  /** 0..100 */
  percent: number;
  /** Seconds left, when nmap says. */
  etaSeconds?: number;
}

export interface RunNmapRequest {
  /** Validated targets (see src/shared/validate). */
  targets: string[];
  options: ScanOptions;
  /** Path to nmap; default: found on PATH. */
  nmapPath?: string;
  /** Only these ports (used by change confirmation: rescan just the changed hosts and ports). */
  onlyPorts?: { tcp: number[]; udp: number[] };
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
  /** Called once nmap is running (its pid, for display; tests use it to kill nmap from outside). */
  onStart?: (info: { pid: number; args: string[]; nmapPath: string }) => void;
  /** Environment to find and run nmap with (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Stop the scan when its XML grows past this many bytes (default 256 MiB). */
  maxXmlBytes?: number;
  /** Time nmap gets to exit after SIGTERM before SIGKILL (default 2000 ms). */
  killGraceMs?: number;
  /** Also digest each host of the XML as it arrives (NmapResult.hostDigests), for the monitor's comparison. */
  hostDigests?: boolean;
}

export type NmapFailureKind = 'cancelled' | 'timeout' | 'nmap-error' | 'incomplete' | 'output-too-large';

export interface NmapResult {
  /** The parsed run; completeness says whether it can be trusted. */
  run: NmapRun;
  /** The raw XML nmap wrote (kept for references and scans with changes). */
  xml: string;
  /** The argv nmap was started with (without the nmap path). */
  args: string[];
  exitCode: number | null;
  /** The signal that ended nmap (ours when cancelled or timed out, or someone else's), if any. */
  exitSignal: NodeJS.Signals | null;
  /** nmap's stderr: warnings and errors (at most 64 KiB). */
  stderr: string;
  startedAt: Date;
  durationMs: number;
  /** Which nmap ran. */
  nmap: { path: string; version: string };
  /**
   * With RunNmapRequest.hostDigests: run.hosts[i]'s digest (nmap/host-digests.ts), when the whole XML was
   * read ('' for a host that has none).
   */
  hostDigests?: string[];
  /** Why the run is not to be trusted (killed, timed out, cancelled, exit code, truncated XML), if it is not. */
  failure?: { kind: NmapFailureKind; message: string };
}

export const DEFAULT_MAX_XML_BYTES = 256 * 1024 * 1024;
export const MAX_STDERR_BYTES = 64 * 1024;
const DEFAULT_KILL_GRACE_MS = 2000;

/** Builds nmap's argv from typed options: never from a free-form string; `--` before the targets. */
export function buildNmapArgs(
  targets: string[],
  options: ScanOptions,
  extra: { onlyPorts?: RunNmapRequest['onlyPorts']; privilegedFlag?: boolean } = {},
): string[] {
  return buildArgs(targets, options, extra);
}

function emptyRun(reason: string): NmapRun {
  return {
    scanInfo: [],
    hosts: [],
    preScripts: [],
    postScripts: [],
    completeness: { status: 'failed', reason },
  };
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round((seconds / 3600) * 10) / 10} h`;
}

/** The last non-empty stderr line, which is where nmap says what went wrong ("QUITTING!" lines aside). */
function lastWords(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'QUITTING!');
  return lines.at(-1) ?? 'no message';
}

/** Names nmap could not resolve ("Failed to resolve "x.example"."). */
export function unresolvedNames(stderr: string): string[] {
  return [...stderr.matchAll(/^Failed to resolve "([^"\n]*)"\./gm)].map((m) => m[1]!);
}

/**
 * Runs nmap without a shell, XML to a pipe, progress from --stats-every. Throws UserError when nmap is missing
 * or lacks the privileges the options need; otherwise resolves, with `failure` set when the run failed.
 */
export async function runNmap(request: RunNmapRequest): Promise<NmapResult> {
  const env = request.env ?? process.env;
  // Validate before touching the system: a bad target is the user's first problem to fix.
  let args = buildNmapArgs(request.targets, request.options, { onlyPorts: request.onlyPorts });
  const nmap = await locateNmap({ nmapPath: request.nmapPath, env });
  // `nmap --version` (is it nmap, new enough?) runs alongside the scan rather than before it: it costs as
  // much as starting nmap, and a scan by a program that turns out not to be nmap is killed and thrown away.
  const version = nmapVersion(nmap.path, env);
  version.catch(() => {}); // awaited below; this only keeps an early rejection from being "unhandled"
  const needs = privilegesNeeded(request.options);
  if (request.onlyPorts?.udp.length && request.options.technique !== 'udp') needs.push('UDP scans (-sU)');
  requirePrivileges(nmap, needs);
  if (nmap.privilegedFlag)
    args = buildNmapArgs(request.targets, request.options, {
      onlyPorts: request.onlyPorts,
      privilegedFlag: true,
    });

  const startedAt = new Date();
  if (request.signal?.aborted)
    return {
      args,
      startedAt,
      nmap: { path: nmap.path, version: await version },
      run: emptyRun('cancelled before nmap started'),
      xml: '',
      exitCode: null,
      exitSignal: null,
      stderr: '',
      durationMs: 0,
      failure: { kind: 'cancelled', message: 'cancelled before nmap started' },
    };

  return new Promise<NmapResult>((resolve, reject) => {
    const child = spawn(nmap.path, args, {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      windowsHide: true,
    });
    const maxXml = request.maxXmlBytes ?? DEFAULT_MAX_XML_BYTES;
    const grace = request.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    const parser = new NmapXmlParser({
      source: 'nmap output',
      allowIncomplete: true,
      onTaskProgress: (p: TaskProgress) => {
        const progress: ScanProgress = { task: p.task, percent: Math.min(100, Math.max(0, p.percent)) };
        if (p.remaining !== undefined) progress.etaSeconds = p.remaining;
        try {
          request.onProgress?.(progress);
        } catch {
          // A failing progress display must not break the scan.
        }
      },
    });
    const digester = request.hostDigests ? new StreamDigester() : undefined;
    const decoder = new TextDecoder('utf-8');
    const xml: string[] = [];
    let xmlBytes = 0;
    let parseError: string | undefined;
    let stderr = '';
    let stderrDropped = 0;
    let stopped: NmapResult['failure'];
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const stop = (failure: NonNullable<NmapResult['failure']>) => {
      if (stopped) return;
      stopped = failure;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), grace);
    };
    const onAbort = () => stop({ kind: 'cancelled', message: 'cancelled before nmap finished' });
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const limitSeconds = request.options.timeoutSeconds;
    const timeLimit = setTimeout(
      () =>
        stop({
          kind: 'timeout',
          message: `nmap did not finish within the time limit of ${duration(limitSeconds)}: raise the limit, or scan fewer ports or hosts`,
        }),
      limitSeconds * 1000,
    );

    const feed = (text: string) => {
      if (text === '' || parseError !== undefined) return;
      xml.push(text);
      try {
        parser.write(text);
      } catch (error) {
        parseError = messageOf(error);
        stop({ kind: 'nmap-error', message: `nmap wrote XML Portwatch can't read: ${parseError}` });
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (xmlBytes + chunk.length > maxXml) {
        // Keep what fits, so the partial run is still readable up to there.
        stop({
          kind: 'output-too-large',
          message: `nmap's XML passed ${Math.round(maxXml / 1024 / 1024)} MiB: scan fewer hosts or ports per profile`,
        });
        return;
      }
      xmlBytes += chunk.length;
      digester?.write(chunk);
      feed(decoder.decode(chunk, { stream: true }));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const room = MAX_STDERR_BYTES - stderr.length;
      if (room > 0) stderr += chunk.toString('utf8', 0, Math.min(room, chunk.length));
      stderrDropped += Math.max(0, chunk.length - Math.max(room, 0));
    });

    const cleanUp = () => {
      clearTimeout(timeLimit);
      clearTimeout(killTimer);
      request.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      cleanUp();
      reject(
        new UserError(
          `could not start nmap (${nmap.path}): ${error.code ?? error.message}; check the nmap path`,
        ),
      );
    });
    child.once('spawn', () => {
      try {
        request.onStart?.({ pid: child.pid!, args, nmapPath: nmap.path });
      } catch {
        // The caller's hook must not break the scan.
      }
    });
    version.catch(() => child.kill('SIGKILL'));
    child.once('close', async (exitCode, exitSignal) => {
      if (settled) return;
      settled = true;
      cleanUp();
      let nmapVersionText: string;
      try {
        nmapVersionText = await version;
      } catch (error) {
        reject(error);
        return;
      }
      feed(decoder.decode());
      let run: NmapRun;
      if (parseError !== undefined) run = emptyRun(parseError);
      else {
        try {
          run = parser.end();
        } catch (error) {
          parseError = messageOf(error);
          run = emptyRun(parseError);
        }
      }
      if (stderrDropped > 0) stderr += `\n[${stderrDropped} more bytes of nmap's stderr not kept]`;
      const hostDigests = digester?.end();
      resolve({
        args,
        startedAt,
        nmap: { path: nmap.path, version: nmapVersionText },
        run,
        xml: xml.join(''),
        exitCode,
        exitSignal,
        stderr,
        durationMs: Date.now() - startedAt.getTime(),
        failure: judge(),
        ...(hostDigests?.length === run.hosts.length ? { hostDigests } : {}),
      });

      function judge(): NmapResult['failure'] {
        if (stopped) return stopped;
        if (exitSignal)
          return { kind: 'nmap-error', message: `nmap was killed by ${exitSignal} before it finished` };
        if (exitCode !== 0)
          return { kind: 'nmap-error', message: `nmap exited with code ${exitCode}: ${lastWords(stderr)}` };
        if (parseError !== undefined)
          return { kind: 'nmap-error', message: `nmap wrote XML Portwatch can't read: ${parseError}` };
        if (run.completeness.status === 'failed')
          return { kind: 'nmap-error', message: run.completeness.reason };
        if (run.completeness.status === 'incomplete')
          return { kind: 'incomplete', message: run.completeness.reason };
        const unresolved = unresolvedNames(stderr);
        if (unresolved.length > 0)
          return {
            kind: 'incomplete',
            message: `nmap could not resolve ${unresolved.join(', ')}: check the name${unresolved.length > 1 ? 's' : ''} and DNS`,
          };
        return undefined;
      }
    });
  });
}
