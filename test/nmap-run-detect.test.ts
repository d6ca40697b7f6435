// Finding nmap and its privileges: real nmap, real file capabilities on a copy of it, real unprivileged runs
// (setpriv to nobody), and one clear error for each unusable path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ScanOptions } from '../src/shared/profile.ts';
import { UserError } from '../src/engine/errors.ts';
import {
  clearNmapDetectCache,
  decidePrivilege,
  detectNmap,
  findNmap,
  hasRawCapability,
  requirePrivileges,
  type NmapInstallation,
} from '../src/engine/nmap/detect.ts';
import { buildNmapArgs, runNmap } from '../src/engine/nmap/run.ts';
import { Listeners } from './support/listeners.ts';

const nmapOnPath = execFileSync('sh', ['-c', 'command -v nmap'], { encoding: 'utf8' }).trim();
const isRoot = process.geteuid?.() === 0;

function have(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool} || test -x /sbin/${tool}`]);
    return true;
  } catch {
    return false;
  }
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-detect-'));
  await chmod(dir, 0o755); // nobody must be able to reach the files in it
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('finds nmap on PATH and reads its version', async () => {
  clearNmapDetectCache();
  const nmap = await detectNmap();
  assert.equal(nmap.path, nmapOnPath);
  assert.match(nmap.version, /^7\.\d+/);
  assert.deepEqual(await detectNmap(), nmap);
});

test('a configured path or bare name is honoured; PATH is searched in order', async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, 'bin'));
  const link = path.join(dir, 'bin', 'nmap');
  await symlink(nmapOnPath, link);
  assert.equal(await findNmap({ nmapPath: nmapOnPath }), nmapOnPath);
  assert.equal(await findNmap({ env: { PATH: `/nonexistent:${path.join(dir, 'bin')}` } }), link);
  assert.equal(await findNmap({ nmapPath: 'nmap', env: { PATH: path.join(dir, 'bin') } }), link);
});

test('each unusable nmap path gets its own one-line error that says what to do', async (t) => {
  const dir = await tempDir(t);
  const plain = path.join(dir, 'notes.txt');
  await writeFile(plain, 'not a program\n');
  const cases: Array<[string, RegExp]> = [
    [
      path.join(dir, 'missing'),
      /^nmap not found at .*missing: install it \(Debian\/Ubuntu: sudo apt-get install nmap;/,
    ],
    [dir, /is a directory: set the path to the nmap program itself/],
    [plain, /notes\.txt is not executable: set the path to the nmap program/],
    ['/bin/true', /^\/bin\/true is not nmap \(its --version says 'true \(GNU coreutils\)/],
    ['bin/nmap', /is relative: set an absolute path/],
  ];
  for (const [nmapPath, expected] of cases) {
    await assert.rejects(
      detectNmap({ nmapPath }),
      (error) => error instanceof UserError && expected.test(error.message) && !error.message.includes('\n'),
      nmapPath,
    );
  }
  await assert.rejects(
    detectNmap({ nmapPath: 'nmap', env: { PATH: dir } }),
    /nmap not found: 'nmap' is not on PATH; install it/,
  );
});

test('getcap output: CAP_NET_RAW must be effective and permitted', () => {
  assert.equal(hasRawCapability('/usr/bin/nmap cap_net_bind_service,cap_net_admin,cap_net_raw=eip\n'), true);
  assert.equal(hasRawCapability('/usr/bin/nmap = cap_net_raw,cap_net_admin+eip\n'), true);
  assert.equal(hasRawCapability('/usr/bin/nmap cap_net_raw=p\n'), false);
  assert.equal(hasRawCapability('/usr/bin/nmap cap_net_admin=eip\n'), false);
  assert.equal(hasRawCapability(''), false);
});

test('privilege: root, file capabilities (with --privileged), NMAP_PRIVILEGED, NMAP_UNPRIVILEGED', async (t) => {
  if (!isRoot || !have('setcap') || !have('getcap'))
    return t.skip('needs root and setcap/getcap (libcap2-bin)');
  const dir = await tempDir(t);
  const capped = path.join(dir, 'nmap');
  await copyFile(nmapOnPath, capped);
  await chmod(capped, 0o755);
  execFileSync('setcap', ['cap_net_raw,cap_net_admin,cap_net_bind_service+eip', capped]);
  const env = { PATH: process.env.PATH };
  const linux = { env, platform: 'linux' as const };
  assert.deepEqual(await decidePrivilege(capped, { ...linux, uid: 0 }), {
    privileged: true,
    privilege: 'root',
    privilegedFlag: false,
  });
  assert.deepEqual(await decidePrivilege(capped, { ...linux, uid: 65534 }), {
    privileged: true,
    privilege: 'capabilities',
    privilegedFlag: true,
  });
  assert.equal((await decidePrivilege(nmapOnPath, { ...linux, uid: 65534 })).privilege, 'none');
  assert.equal(
    (
      await decidePrivilege(nmapOnPath, {
        env: { ...env, NMAP_PRIVILEGED: '1' },
        platform: 'linux',
        uid: 65534,
      })
    ).privilege,
    'env',
  );
  assert.equal(
    (await decidePrivilege(capped, { env: { ...env, NMAP_UNPRIVILEGED: '1' }, platform: 'linux', uid: 0 }))
      .privileged,
    false,
  );
});

test('the capabilities path really works: the capped copy, run as nobody with our argv, does a SYN scan', async (t) => {
  if (!isRoot || !have('setcap') || !have('setpriv')) return t.skip('needs root, setcap and setpriv');
  const dir = await tempDir(t);
  const capped = path.join(dir, 'nmap');
  await copyFile(nmapOnPath, capped);
  await chmod(capped, 0o755);
  execFileSync('setcap', ['cap_net_raw,cap_net_admin,cap_net_bind_service+eip', capped]);
  const net = new Listeners();
  t.after(() => net.close());
  const open = await net.tcp({ host: '127.0.20.30' });
  const options: ScanOptions = {
    ports: { kind: 'list', spec: String(open.port) },
    technique: 'syn',
    serviceDetection: false,
    osDetection: false,
    timing: 4,
    skipHostDiscovery: true,
    confirmChanges: false,
    timeoutSeconds: 60,
    resolveHostnames: false,
  };
  const args = buildNmapArgs(['127.0.20.30'], options, { privilegedFlag: true });
  assert.ok(args.includes('--privileged'));
  const xml = await new Promise<string>((resolve, reject) =>
    execFile(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', capped, ...args],
      (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
    ),
  );
  assert.match(xml, /<scaninfo type="syn"/);
  assert.match(xml, new RegExp(`portid="${open.port}"><state state="open"`));
});

test('nmap that thinks it is privileged but is not: the run fails with nmap-error, never an exception', async (t) => {
  if (!isRoot || !have('setpriv')) return t.skip('needs root and setpriv');
  const dir = await tempDir(t);
  const wrapper = path.join(dir, 'nmap-as-nobody');
  await writeFile(
    wrapper,
    `#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups ${nmapOnPath} "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  const result = await runNmap({
    targets: ['127.0.20.31'],
    nmapPath: wrapper,
    env: { ...process.env, NMAP_PRIVILEGED: '1' },
    options: {
      ports: { kind: 'list', spec: '1' },
      technique: 'syn',
      serviceDetection: false,
      osDetection: false,
      timing: 4,
      skipHostDiscovery: true,
      confirmChanges: false,
      timeoutSeconds: 60,
      resolveHostnames: false,
    },
  });
  assert.equal(result.failure?.kind, 'nmap-error');
  assert.match(result.failure!.message, /raw socket/);
  assert.equal(result.run.completeness.status, 'failed');
});

test('requirePrivileges names what needs them and how to grant them', () => {
  const unprivileged: NmapInstallation = {
    path: '/usr/bin/nmap',
    version: '7.93',
    privileged: false,
    privilege: 'none',
    privilegedFlag: false,
  };
  assert.doesNotThrow(() => requirePrivileges(unprivileged, []));
  assert.doesNotThrow(() => requirePrivileges({ ...unprivileged, privileged: true }, ['SYN scans (-sS)']));
  assert.throws(
    () => requirePrivileges(unprivileged, ['UDP scans (-sU)'], 'linux'),
    /: UDP scans \(-sU\) needs root or CAP_NET_RAW: run Portwatch as root, or grant nmap the capability with 'sudo setcap cap_net_raw,cap_net_admin,cap_net_bind_service\+eip \/usr\/bin\/nmap', or choose technique connect$/,
  );
  assert.throws(
    () => requirePrivileges(unprivileged, ['SYN scans (-sS)', 'OS detection (-O)'], 'darwin'),
    /: SYN scans \(-sS\) and OS detection \(-O\) need root or CAP_NET_RAW: run Portwatch as root \(sudo\), or choose technique connect without OS detection$/,
  );
});
