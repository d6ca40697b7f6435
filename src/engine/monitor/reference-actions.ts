// What a user does to a profile's reference: import nmap XML, capture one (a scan through the one scan cycle,
// run by the scan runner), accept a scan wholly or for some hosts, acknowledge one change, and read the one
// in force. The files themselves are ReferenceStore's (references.ts).
import { readFileSync } from 'node:fs';
import { changeKey } from '../../shared/changes.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import type { Profile } from '../../shared/profile.ts';
import type { NmapRun } from '../../shared/scan.ts';
import { UserError } from '../errors.ts';
import { hostKey } from '../nmap/hosts.ts';
import { parseNmapXml, parseNmapXmlFile } from '../nmap/parse.ts';
import { HistoryStore } from './history.ts';
import type { ProfileStore } from './profiles.ts';
import { ReferenceStore, type ReferenceMeta } from './references.ts';
import { mergeHosts, mergePort } from './runs.ts';
import type { ScanRunner } from './scan-runner.ts';
import { readState } from './state.ts';

export interface ReferenceActionsOptions {
  store: ProfileStore;
  runner: Pick<ScanRunner, 'captureScan'>;
  /** A profile's reference changed. */
  changed: () => void;
}

export class ReferenceActions {
  #options: ReferenceActionsOptions;

  constructor(options: ReferenceActionsOptions) {
    this.#options = options;
  }

  /** Every reference of the profile, newest (the one in force) first. */
  list(name: string): ReferenceMeta[] {
    this.#options.store.get(name);
    return this.#refs(name).list();
  }

  current(name: string): { meta: ReferenceMeta; run: NmapRun } | undefined {
    this.#options.store.get(name);
    const refs = this.#refs(name);
    const meta = refs.current();
    return meta ? { meta, run: refs.load(meta.id) } : undefined;
  }

  /** Makes an existing nmap XML file (e.g. the old routine's reference.xml) the reference. */
  importFile(name: string, file: string): ReferenceMeta {
    const profile = this.#options.store.get(name);
    const run = parseNmapXmlFile(file, { source: file });
    return this.#saveImported(profile, run, undefined, file);
  }

  /** The same from XML text (the app reads the file in the window). */
  importXml(name: string, xml: string, fileName: string): ReferenceMeta {
    const profile = this.#options.store.get(name);
    const run = parseNmapXml(xml, { source: fileName });
    return this.#saveImported(profile, run, xml, fileName);
  }

  /**
   * Runs a scan and makes it the reference, through the same scan cycle as every scan (nothing is compared).
   * A scan of the profile already running is waited for first. A failed scan is recorded and throws a
   * UserError saying why.
   */
  async capture(
    name: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ entry: HistoryEntry; reference: ReferenceMeta }> {
    const profile = this.#options.store.get(name);
    const outcome = await this.#options.runner.captureScan(profile.name, options);
    if (!outcome.newReference)
      throw new UserError(
        `capturing a reference for '${profile.name}' failed: ${outcome.entry.reason}; the reference is unchanged`,
      );
    return { entry: outcome.entry, reference: outcome.newReference };
  }

  /**
   * Accepts a scan (default: the latest successful one) as the new reference: wholly, or only for `hosts`
   * (those hosts are taken from the scan, the rest of the reference stays).
   */
  accept(name: string, options: { entryId?: string; hosts?: string[] } = {}): ReferenceMeta {
    const profile = this.#options.store.get(name);
    const { entry, run, xml } = this.#scanRun(profile, options.entryId);
    const refs = this.#refs(name);
    const current = refs.current();
    const hosts = options.hosts ?? [];
    let meta: ReferenceMeta;
    if (hosts.length === 0 || !current) {
      meta = refs.save(run, xml, { source: 'accept', fromScanId: entry.id });
    } else {
      const known = new Set([...run.hosts, ...refs.load(current.id).hosts].map(hostKey));
      const unknown = hosts.filter((h) => !known.has(h));
      if (unknown.length > 0)
        throw new UserError(
          `host ${unknown.join(', ')} is neither in that scan nor in the reference; give addresses as nmap shows them`,
        );
      const merged = mergeHosts(refs.load(current.id), run, hosts);
      meta = refs.save(merged, undefined, {
        source: 'accept',
        fromScanId: entry.id,
        hosts,
        basedOn: current.id,
      });
    }
    this.#options.changed();
    return meta;
  }

  /** Takes one change (by its changeKey) of a scan into the reference, leaving the rest of the reference. */
  acknowledge(name: string, key: string, entryId?: string): ReferenceMeta {
    const profile = this.#options.store.get(name);
    const { entry, run } = this.#scanRun(profile, entryId);
    const change = entry.changes.find((c) => changeKey(c) === key);
    if (!change)
      throw new UserError(
        `scan ${entry.id} has no change '${key}'; 'portwatch history ${profile.name} --json' lists the changes`,
      );
    const refs = this.#refs(name);
    const current = refs.current();
    if (!current)
      throw new UserError(`profile '${profile.name}' has no reference yet; capture or import one first`);
    const base = refs.load(current.id);
    const merged =
      'port' in change && change.port !== undefined
        ? mergePort(base, run, change.host, change.port, change.protocol!)
        : mergeHosts(base, run, [change.host]);
    const meta = refs.save(merged, undefined, {
      source: 'acknowledge',
      fromScanId: entry.id,
      changeKey: key,
      basedOn: current.id,
    });
    this.#options.changed();
    return meta;
  }

  #saveImported(profile: Profile, run: NmapRun, xml: string | undefined, file: string): ReferenceMeta {
    if (run.completeness.status !== 'complete')
      throw new UserError(
        `${file} is not a complete nmap scan (${run.completeness.reason}); use the XML of a scan that finished`,
      );
    if (run.hosts.length === 0)
      throw new UserError(`${file} has no hosts; scan the profile's targets with -oX and import that`);
    const text = xml ?? readFileSync(file, 'utf8');
    const meta = this.#refs(profile.name).save(run, text, { source: 'import', file });
    this.#options.changed();
    return meta;
  }

  /** A recorded scan that may become (part of) the reference: by id, or the latest successful one. */
  #scanRun(profile: Profile, entryId?: string): { entry: HistoryEntry; run: NmapRun; xml: string } {
    const paths = this.#options.store.paths(profile.name);
    const history = new HistoryStore(paths);
    const id = entryId ?? readState(paths).lastSuccessId;
    const entry = id ? history.get(id) : undefined;
    if (!entry) {
      throw new UserError(
        entryId
          ? `no scan ${entryId} in the history of '${profile.name}'`
          : `profile '${profile.name}' has no successful scan yet; run 'portwatch scan ${profile.name}' first`,
      );
    }
    if (entry.status !== 'ok')
      throw new UserError(
        `scan ${entry.id} ${entry.status === 'offline' ? 'ran offline' : 'failed'}; only a successful scan can become the reference`,
      );
    const xml = history.xml(entry.id);
    if (xml === undefined)
      throw new UserError(
        `the XML of scan ${entry.id} was pruned by retention; scan again and accept that scan`,
      );
    return { entry, run: parseNmapXml(xml, { source: `scan ${entry.id}` }), xml };
  }

  #refs(name: string): ReferenceStore {
    return new ReferenceStore(this.#options.store.paths(name));
  }
}
