// Where each piece of a profile lives in the data directory. Everything of one profile is under one folder:
//
//   DATA/profiles/<slug>/profile.json          the profile (atomic writes, under edit.lock)
//   DATA/profiles/<slug>/references.jsonl      every reference ever in force, newest last (append-only)
//   DATA/profiles/<slug>/references/<id>.json  a reference's parsed run (+ <id>.xml when there is raw XML)
//   DATA/profiles/<slug>/history.jsonl         one line per scan (append-only, read from the end)
//   DATA/profiles/<slug>/scans/<id>.xml        raw XML of scans (no-change scans are pruned by retention)
//   DATA/profiles/<slug>/state.json            last run / last success / last watchdog times (for the schedule)
//   DATA/profiles/<slug>/scan.lock/            held while a scan runs (one scan per profile, across processes)
//   DATA/removed/<slug>-<time>/                a removed profile, kept rather than deleted
import path from 'node:path';
import { slugifyProfileName, validateProfileName } from '../../shared/validate/profile-name.ts';
import { UserError } from '../errors.ts';

/** Checks a profile name a user typed (the shared rule the settings window applies too). */
export function checkProfileName(name: string): string {
  const result = validateProfileName(name);
  if (!result.ok) throw new UserError(`invalid profile name '${name}': ${result.errors[0]!.message}`);
  return result.value.name;
}

/** The folder name of a profile: "Office LAN" and "office lan" are one profile. */
export function profileSlug(name: string): string {
  return slugifyProfileName(name);
}

export class ProfilePaths {
  readonly dir: string;
  constructor(dataDir: string, name: string) {
    this.dir = path.join(dataDir, 'profiles', profileSlug(name));
  }
  get profile(): string {
    return path.join(this.dir, 'profile.json');
  }
  get editLock(): string {
    return path.join(this.dir, 'edit.lock');
  }
  get scanLock(): string {
    return path.join(this.dir, 'scan.lock');
  }
  get referenceLog(): string {
    return path.join(this.dir, 'references.jsonl');
  }
  get referencesDir(): string {
    return path.join(this.dir, 'references');
  }
  referenceRun(id: string): string {
    return path.join(this.referencesDir, `${id}.json`);
  }
  referenceXml(id: string): string {
    return path.join(this.referencesDir, `${id}.xml`);
  }
  get historyLog(): string {
    return path.join(this.dir, 'history.jsonl');
  }
  get scansDir(): string {
    return path.join(this.dir, 'scans');
  }
  scanXml(id: string): string {
    return path.join(this.scansDir, `${id}.xml`);
  }
  get state(): string {
    return path.join(this.dir, 'state.json');
  }
}

/** Sortable, unique, readable ids: "20260124T050503123Z-3f9a". */
export function newId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0')}`;
}

/** The time an id was made at (see newId), or undefined for a name that is not such an id. */
export function idTime(id: string): number | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})Z-[0-9a-f]{4}$/.exec(id);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
  const time = Date.parse(iso);
  return Number.isNaN(time) || new Date(time).toISOString() !== iso ? undefined : time;
}
