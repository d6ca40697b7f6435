// A profile's references: every one ever in force is kept (the log lists them, newest last), and the last one
// is the one scans are compared with. A reference's parsed run is stored as JSON (a merged reference has no
// XML of its own); imported and captured references also keep nmap's raw XML.
import fs from 'node:fs';
import type { NmapRun } from '../../shared/scan.ts';
import { UserError } from '../errors.ts';
import { readJson, writeFileAtomic } from '../store/atomic.ts';
import { AppendLog } from '../store/log.ts';
import { newId, type ProfilePaths } from './layout.ts';
import { runCounts } from '../nmap/hosts.ts';

export type ReferenceSource = 'import' | 'capture' | 'first-scan' | 'accept' | 'acknowledge';

export interface ReferenceMeta {
  id: string;
  createdAt: string;
  source: ReferenceSource;
  /** The history entry whose scan this reference came from (capture, first-scan, accept, acknowledge). */
  fromScanId?: string;
  /** The imported file. */
  file?: string;
  /** accept --host: the hosts taken from the scan; acknowledge: the change key taken. */
  hosts?: string[];
  changeKey?: string;
  /** The reference this one was merged into (accept --host, acknowledge). */
  basedOn?: string;
  hostsUp: number;
  openPorts: number;
  hasXml: boolean;
}

export class ReferenceStore {
  readonly paths: ProfilePaths;
  readonly log: AppendLog<ReferenceMeta>;

  constructor(paths: ProfilePaths) {
    this.paths = paths;
    this.log = new AppendLog<ReferenceMeta>(paths.referenceLog);
  }

  /** Newest first. */
  list(): ReferenceMeta[] {
    return this.log.readAll().reverse();
  }

  current(): ReferenceMeta | undefined {
    return this.log.readLast(1).records[0];
  }

  load(id: string): NmapRun {
    const run = readJson<NmapRun>(this.paths.referenceRun(id));
    if (!run)
      throw new UserError(
        `reference ${id} is missing from ${this.paths.referencesDir}; restore it or accept a new reference`,
      );
    return run;
  }

  xml(id: string): string | undefined {
    try {
      return fs.readFileSync(this.paths.referenceXml(id), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Stores a new reference and makes it the current one (the data first, then the log line). */
  save(
    run: NmapRun,
    xml: string | undefined,
    meta: Omit<ReferenceMeta, 'id' | 'createdAt' | 'hostsUp' | 'openPorts' | 'hasXml'>,
  ): ReferenceMeta {
    const now = new Date();
    const id = newId(now);
    if (xml !== undefined) writeFileAtomic(this.paths.referenceXml(id), xml);
    writeFileAtomic(this.paths.referenceRun(id), JSON.stringify(run));
    const { hostsUp, openPorts } = runCounts(run);
    const full: ReferenceMeta = {
      id,
      createdAt: now.toISOString(),
      ...meta,
      hostsUp,
      openPorts,
      hasXml: xml !== undefined,
    };
    this.log.append(full);
    return full;
  }
}
