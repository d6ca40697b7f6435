// The profiles of a data directory: add, list, read, change, remove. Each change is a locked
// read-modify-write of the profile's own file, so the app and the CLI can edit at the same time.
import fs from 'node:fs';
import path from 'node:path';
import type { Profile, ScanOptions, Schedule } from '../../shared/profile.ts';
import { UserError } from '../errors.ts';
import { readJson, writeJsonAtomic, fsyncDir, ensureDir } from '../store/atomic.ts';
import { lockHolder, tryAcquireLock, withLockSync } from '../store/lock.ts';
import { ProfilePaths, checkProfileName, profileSlug } from './layout.ts';

export const defaultScanOptions: ScanOptions = {
  ports: { kind: 'default' },
  technique: 'connect',
  serviceDetection: false,
  osDetection: false,
  timing: 3,
  skipHostDiscovery: false,
  confirmChanges: true,
  timeoutSeconds: 1800,
};

export interface NewProfile {
  name: string;
  targets: string[];
  options?: Partial<ScanOptions>;
  schedule?: Schedule;
  watchdogHours?: number;
  paused?: boolean;
}

export class ProfileStore {
  readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  paths(name: string): ProfilePaths {
    return new ProfilePaths(this.dataDir, name);
  }

  /** Every profile, by name. */
  list(): Profile[] {
    const root = path.join(this.dataDir, 'profiles');
    let slugs: string[];
    try {
      slugs = fs.readdirSync(root);
    } catch {
      return [];
    }
    const profiles: Profile[] = [];
    for (const slug of slugs) {
      const profile = readJson<Profile>(path.join(root, slug, 'profile.json'));
      if (profile) profiles.push(profile);
    }
    return profiles.sort((a, b) => a.name.localeCompare(b.name));
  }

  find(name: string): Profile | undefined {
    return readJson<Profile>(this.paths(name).profile);
  }

  /** The profile, or a UserError that says how to see the names. */
  get(name: string): Profile {
    const profile = this.find(name);
    if (!profile) throw new UserError(`no profile named '${name}'; 'portwatch profile list' shows them`);
    return profile;
  }

  add(input: NewProfile): Profile {
    const name = checkProfileName(input.name);
    if (input.targets.length === 0)
      throw new UserError('a profile needs at least one target, e.g. --targets 192.168.1.0/24');
    const paths = this.paths(name);
    ensureDir(path.dirname(paths.dir));
    try {
      fs.mkdirSync(paths.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && fs.existsSync(paths.profile)) {
        const existing = this.find(name);
        throw new UserError(
          `a profile named '${existing?.name ?? name}' already exists; choose another name`,
        );
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    fsyncDir(path.dirname(paths.dir));
    const now = new Date().toISOString();
    const profile: Profile = {
      name,
      targets: [...input.targets],
      options: { ...defaultScanOptions, ...input.options },
      schedule: input.schedule ?? { kind: 'manual' },
      paused: input.paused ?? false,
      expected: [],
      watchdogHours: input.watchdogHours ?? 0,
      createdAt: now,
      updatedAt: now,
    };
    withLockSync(paths.editLock, `adding profile ${name}`, () => {
      if (fs.existsSync(paths.profile))
        throw new UserError(`a profile named '${name}' already exists; choose another name`);
      writeJsonAtomic(paths.profile, profile);
    });
    return profile;
  }

  /** Changes a profile under its lock: `change` gets the current profile and returns the new one. */
  update(name: string, change: (profile: Profile) => Profile): Profile {
    const paths = this.paths(name);
    return withLockSync(paths.editLock, `editing profile ${name}`, () => {
      const current = this.get(name);
      const next: Profile = {
        ...change(structuredClone(current)),
        name: current.name,
        updatedAt: new Date().toISOString(),
      };
      writeJsonAtomic(paths.profile, next);
      return next;
    });
  }

  /** Moves the profile, with its references and history, to DATA/removed/ (nothing is deleted). */
  remove(name: string): string {
    const profile = this.get(name);
    const paths = this.paths(name);
    const removedDir = path.join(this.dataDir, 'removed');
    ensureDir(removedDir);
    const target = path.join(
      removedDir,
      `${profileSlug(profile.name)}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    );
    const lock = tryAcquireLock(paths.scanLock, `removing profile ${profile.name}`);
    if (!lock) {
      const holder = lockHolder(paths.scanLock);
      throw new UserError(
        `profile '${profile.name}' is being scanned${holder ? ` by process ${holder.pid}` : ''}; try again when the scan is over`,
      );
    }
    fs.renameSync(paths.dir, target);
    fs.rmSync(path.join(target, 'scan.lock'), { recursive: true, force: true });
    fsyncDir(path.dirname(paths.dir));
    fsyncDir(removedDir);
    return target;
  }
}
