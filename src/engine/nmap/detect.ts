// Finding nmap, its version, and whether it may send raw packets (SYN/UDP scans, OS detection).
// Every failure is a one-line UserError that says what to do.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.ts';

export interface NmapInstallation {
  /** Absolute path of the nmap program. */
  path: string;
  /** "7.93" */
  version: string;
  /** Whether nmap may use raw sockets. */
  privileged: boolean;
  /**
   * Why: root; file capabilities (CAP_NET_RAW, then nmap must be told with --privileged); Windows (Npcap);
   * NMAP_PRIVILEGED set by the user; or none.
   */
  privilege: 'root' | 'capabilities' | 'windows' | 'env' | 'none';
  /** Pass --privileged: nmap does not look at its own file capabilities. */
  privilegedFlag: boolean;
}

export interface DetectOptions {
  /** Configured path (settings' nmapPath); a bare name ("nmap") is looked up on PATH. Empty: find it. */
  nmapPath?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Effective user id (tests); default process.geteuid(). */
  uid?: number;
}

export const MIN_NMAP_MAJOR = 7;

export const NMAP_INSTALL_HINT =
  'install it (Debian/Ubuntu: sudo apt-get install nmap; macOS: brew install nmap; ' +
  'Windows: https://nmap.org/download) or set its path';

/** Where GUI apps look too: apps started from the macOS Finder or the Windows Start menu get a minimal PATH. */
function fallbackDirs(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'darwin') return ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin'];
  if (platform === 'win32')
    return [env['ProgramFiles(x86)'], env.ProgramFiles]
      .filter((dir): dir is string => !!dir)
      .map((dir) => path.win32.join(dir, 'Nmap'));
  return [];
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks `name` up on PATH (with PATHEXT on Windows), then in the platform's usual install folders. */
async function lookUp(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<string | undefined> {
  const delimiter = platform === 'win32' ? ';' : ':';
  const dirs = [...(env.PATH ?? env.Path ?? '').split(delimiter), ...fallbackDirs(platform, env)].filter(
    Boolean,
  );
  const extensions =
    platform === 'win32' && !path.extname(name) ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of extensions) {
      const candidate = path.resolve(dir, name + ext.toLowerCase());
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The nmap program to run: the configured path (checked), or the first nmap on PATH. */
export async function findNmap(options: DetectOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const configured = options.nmapPath?.trim() ?? '';
  if (configured === '' || !/[/\\]/.test(configured)) {
    const found = await lookUp(configured || 'nmap', env, platform);
    if (!found)
      throw new UserError(
        configured
          ? `nmap not found: '${configured}' is not on PATH; ${NMAP_INSTALL_HINT}`
          : `nmap not found: ${NMAP_INSTALL_HINT}`,
      );
    return found;
  }
  if (!path.isAbsolute(configured))
    throw new UserError(
      `the nmap path '${configured}' is relative: set an absolute path, e.g. /usr/bin/nmap`,
    );
  let info;
  try {
    info = await stat(configured);
  } catch {
    throw new UserError(`nmap not found at ${configured}: ${NMAP_INSTALL_HINT}`);
  }
  if (info.isDirectory())
    throw new UserError(
      `the nmap path ${configured} is a directory: set the path to the nmap program itself, e.g. ${path.join(configured, 'nmap')}`,
    );
  if (!info.isFile())
    throw new UserError(`the nmap path ${configured} is not a file: set the path to the nmap program`);
  if (platform !== 'win32') {
    try {
      await access(configured, constants.X_OK);
    } catch {
      throw new UserError(
        `${configured} is not executable: set the path to the nmap program, e.g. /usr/bin/nmap`,
      );
    }
  }
  return configured;
}

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env, timeout: 10_000, windowsHide: true, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stdout, stderr }));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/** `nmap --version` -> "7.93"; anything else means the path is not nmap. */
async function readVersion(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  let output: string;
  try {
    output = (await run(file, ['--version'], env)).stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { killed?: boolean; stdout?: string };
    if (e.code === 'ENOENT') throw new UserError(`nmap not found at ${file}: ${NMAP_INSTALL_HINT}`);
    if (e.code === 'EACCES')
      throw new UserError(`${file} is not executable: set the path to the nmap program, e.g. /usr/bin/nmap`);
    if (e.killed)
      throw new UserError(`'${file} --version' did not answer within 10 s: check that ${file} is nmap`);
    output = e.stdout ?? '';
    if (!/Nmap version/.test(output))
      throw new UserError(
        `${file} is not nmap ('--version' failed: ${e.message.split('\n')[0]}): set the path to nmap`,
      );
  }
  const match = /^Nmap version ([0-9]+)\.([0-9]+)\S*/m.exec(output);
  if (!match) {
    const said = output.trim().split('\n')[0]?.slice(0, 80) ?? '';
    throw new UserError(`${file} is not nmap (its --version says '${said}'): set the path to nmap`);
  }
  const version = match[0].slice('Nmap version '.length);
  if (Number(match[1]) < MIN_NMAP_MAJOR)
    throw new UserError(
      `nmap ${version} at ${file} is too old: Portwatch needs nmap ${MIN_NMAP_MAJOR}.0 or newer (https://nmap.org/download)`,
    );
  return version;
}

/** The capability clause of `getcap FILE`: has nmap CAP_NET_RAW effective and permitted? */
export function hasRawCapability(getcapOutput: string): boolean {
  // libcap >= 2.30: "/usr/bin/nmap cap_net_admin,cap_net_raw=eip"; older: "/usr/bin/nmap = cap_net_raw+eip".
  const match = /cap_net_raw(?:,[a-z_]+)*[=+]([a-z]+)/.exec(getcapOutput);
  return !!match && match[1]!.includes('e') && match[1]!.includes('p');
}

async function readCapabilities(file: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  // getcap lives in /usr/sbin or /sbin, often not on a normal user's PATH.
  const getcap = await lookUp('getcap', { PATH: `${env.PATH ?? ''}:/usr/sbin:/sbin` }, 'linux');
  if (!getcap) return false; // no libcap2-bin: only root counts
  try {
    return hasRawCapability((await run(getcap, [file], env)).stdout);
  } catch {
    return false;
  }
}

/** How nmap will run, from who we are and what nmap may do. */
export async function decidePrivilege(
  file: string,
  options: { env: NodeJS.ProcessEnv; platform: NodeJS.Platform; uid: number },
): Promise<Pick<NmapInstallation, 'privileged' | 'privilege' | 'privilegedFlag'>> {
  const { env, platform, uid } = options;
  const none = { privileged: false, privilege: 'none', privilegedFlag: false } as const;
  if (env.NMAP_UNPRIVILEGED) return none; // nmap then refuses raw sockets even as root
  if (platform === 'win32') return { privileged: true, privilege: 'windows', privilegedFlag: false };
  if (uid === 0) return { privileged: true, privilege: 'root', privilegedFlag: false };
  if (env.NMAP_PRIVILEGED) return { privileged: true, privilege: 'env', privilegedFlag: false };
  if (platform === 'linux' && (await readCapabilities(file, env)))
    return { privileged: true, privilege: 'capabilities', privilegedFlag: true };
  return none;
}

/** What running nmap needs to know before it starts: where it is and how privileged it will be. */
export type NmapLocation = Omit<NmapInstallation, 'version'>;

const locations = new Map<string, NmapLocation>();
const versions = new Map<string, Promise<string>>();

async function stamp(file: string): Promise<string> {
  const info = await stat(file).catch(() => undefined);
  return [file, info?.mtimeMs, info?.size].join('\0');
}

/**
 * Finds nmap and decides its privileges, without running it (root needs no check; others one getcap).
 * Cached until the file, the user or NMAP_(UN)PRIVILEGED change.
 */
export async function locateNmap(options: DetectOptions = {}): Promise<NmapLocation> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const uid = options.uid ?? process.geteuid?.() ?? -1;
  const file = await findNmap({ ...options, env, platform });
  const key = [await stamp(file), uid, env.NMAP_PRIVILEGED ?? '', env.NMAP_UNPRIVILEGED ?? ''].join('\0');
  const known = locations.get(key);
  if (known) return known;
  const location: NmapLocation = { path: file, ...(await decidePrivilege(file, { env, platform, uid })) };
  locations.set(key, location);
  return location;
}

/** `nmap --version`, checked (is it nmap? new enough?); cached until the file changes. */
export async function nmapVersion(file: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const key = await stamp(file);
  let version = versions.get(key);
  if (!version) {
    version = readVersion(file, env);
    versions.set(key, version);
    version.catch(() => versions.delete(key)); // a failure is checked again next time
  }
  return version;
}

/** Finds nmap and reads its version and privileges. */
export async function detectNmap(options: DetectOptions = {}): Promise<NmapInstallation> {
  const location = await locateNmap(options);
  return { ...location, version: await nmapVersion(location.path, options.env ?? process.env) };
}

export function clearNmapDetectCache(): void {
  locations.clear();
  versions.clear();
}

/** Throws when the options need raw sockets and this nmap can't have them, saying how to fix it. */
export function requirePrivileges(
  installation: Pick<NmapInstallation, 'path' | 'privileged'>,
  needs: readonly string[],
  platform = process.platform,
): void {
  if (needs.length === 0 || installation.privileged) return;
  const what =
    needs.length === 1 ? `${needs[0]} needs` : `${needs.slice(0, -1).join(', ')} and ${needs.at(-1)} need`;
  const fix =
    platform === 'linux'
      ? `run Portwatch as root, or grant nmap the capability with 'sudo setcap cap_net_raw,cap_net_admin,cap_net_bind_service+eip ${installation.path}'`
      : 'run Portwatch as root (sudo)';
  throw new UserError(
    `${what} root or CAP_NET_RAW: ${fix}, or choose technique connect${needs.some((n) => n.includes('-O')) ? ' without OS detection' : ''}`,
  );
}
