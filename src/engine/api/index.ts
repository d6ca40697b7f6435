// Every request a window can make, as plain functions over the engine. The Electron main process registers
// these (src/main/ipc.ts) and the tests call them directly (test/support/ipc-bridge.ts). Every payload is
// validated with its schema from the contract; every failure comes back as `{ ok: false, error }`, one line a
// user can act on, never a thrown stack.
import { UserError, forWindows, messageOf } from '../errors.ts';
import type { Settings } from '../../shared/settings.ts';
import {
  describeIssue,
  schemas,
  channels,
  type Channel,
  type ProfileView,
  type ReferenceView,
  type RequestResults,
  type RequestSchemas,
  type Result,
  type LocalNetwork,
  type ScanProgressEvent,
} from '../../shared/ipc.ts';
import { localNetworks } from './local-networks.ts';
import type { AppEngine } from './engine.ts';
import { exportScan } from './export.ts';
import { pageOf, seriesOf, toRow } from './rows.ts';
import type { AppStatus } from './status.ts';

/** How far into one profile's unfiltered timeline pages are read from the end of its log. */
const HEAD_ENTRIES = 1000;

export type Handlers = { [C in Channel]: (payload: unknown) => Promise<Result<RequestResults[C]>> };

export interface HandlerContext {
  engine: AppEngine;
  status: AppStatus;
  /** Where reference captures report their progress (the windows' scanProgress event). */
  onProgress?: (event: ScanProgressEvent) => void;
  /** This machine's networks (tests pass their own; the default reads the interfaces). */
  localNetworks?: () => LocalNetwork[];
}

type Impl = {
  [C in Channel]: (payload: import('zod').output<RequestSchemas[C]>) => Promise<RequestResults[C]>;
};

/** A thrown error as the one line a window shows. */
export function errorMessage(error: unknown): string {
  if (error instanceof UserError) return forWindows(error);
  return `internal error: ${messageOf(error)} (please report this with what you did)`;
}

export function createHandlers(ctx: HandlerContext): Handlers {
  const { engine, status } = ctx;

  const profileView = async (name: string): Promise<ProfileView> => {
    const profiles = await engine.listProfiles();
    const profile = profiles.find((p) => p.name === name);
    if (!profile) throw new UserError(`there is no profile named '${name}'; reload the list`);
    const [ref, history] = await Promise.all([engine.reference(name), engine.history(name)]);
    return {
      profile,
      schedule: engine.describeSchedule(profile.schedule, 3),
      reference: ref?.summary ?? null,
      lastScan: history[0] ? toRow(history[0]) : null,
    };
  };

  const appState = async () => {
    const profiles = await engine.listProfiles();
    return status.snapshot(
      profiles.map((p) => ({ name: p.name, paused: p.paused, nextRun: engine.nextRun(p.name) })),
    );
  };

  const entryOrFail = async (id: string) => {
    const entry = await engine.entry(id);
    if (!entry) throw new UserError(`scan ${id} is no longer in the history (retention may have removed it)`);
    return entry;
  };

  const settingsView = async (settings?: Settings) => ({
    settings: settings ?? (await engine.settings()),
    secret: await engine.secretStatus(),
  });

  const impl: Impl = {
    getAppState: appState,
    async listProfiles() {
      const profiles = await engine.listProfiles();
      return Promise.all(profiles.map((p) => profileView(p.name)));
    },
    async saveProfile({ profile, previousName }) {
      const saved = await engine.saveProfile(profile, previousName);
      return profileView(saved.name);
    },
    async removeProfile({ profile }) {
      await engine.removeProfile(profile);
      return null;
    },
    async describeSchedule({ schedule }) {
      return engine.describeSchedule(schedule, 3);
    },
    async getReference({ profile }): Promise<ReferenceView> {
      const ref = await engine.reference(profile);
      if (!ref) return { summary: null, hosts: [] };
      return {
        summary: ref.summary,
        hosts: ref.run.hosts.map((h) => ({
          address: h.addresses.find((a) => a.addrtype !== 'mac')?.addr ?? h.addresses[0]?.addr ?? '?',
          hostnames: h.hostnames.map((n) => n.name),
          state: h.status?.state ?? 'unknown',
          ports: h.ports.map((p) => ({
            port: p.portid,
            protocol: p.protocol,
            state: p.state?.state ?? 'unknown',
            ...(p.service?.name
              ? { service: [p.service.name, p.service.product, p.service.version].filter(Boolean).join(' ') }
              : {}),
          })),
        })),
      };
    },
    async importReference({ profile, xml, fileName }) {
      return engine.importReference(profile, xml, fileName);
    },
    async captureReference({ profile }) {
      // The status follows the capture through the monitor's events, like any scan.
      return engine.captureReference(profile, (p) => ctx.onProgress?.(p));
    },
    async listHistory(query) {
      // The first pages of one profile's timeline, unfiltered (what the window shows first) come from the
      // end of its log: the log is in scan order, one scan per profile at a time.
      const { profile, offset, limit, ...filters } = query;
      if (profile && offset + limit <= HEAD_ENTRIES && Object.values(filters).every((v) => v === undefined)) {
        const head = await engine.historyHead(profile, offset + limit);
        return { rows: pageOf(head.entries, query).rows, total: head.total };
      }
      return pageOf(await engine.history(query.profile), query);
    },
    async getScan({ id }) {
      const entry = await entryOrFail(id);
      status.markSeen(id);
      const ndiffText =
        entry.hasXml && entry.status === 'ok' ? await engine.ndiff(id, 'text').catch(() => '') : '';
      return { entry, ndiffText, canAccept: entry.hasXml && entry.status === 'ok' };
    },
    async portSeries({ profile, host }) {
      return { points: seriesOf(await engine.history(profile), host) };
    },
    async acceptScan({ id, hosts }) {
      await entryOrFail(id);
      return engine.acceptScan(id, hosts && hosts.length > 0 ? hosts : undefined);
    },
    async exportScan({ id, format }) {
      return exportScan(engine, await entryOrFail(id), format);
    },
    getSettings: () => settingsView(),
    async saveSettings({ settings }) {
      return settingsView(await engine.saveSettings(settings));
    },
    async setMailPassword({ password }) {
      await engine.setMailPassword(password);
      return engine.secretStatus();
    },
    async clearMailPassword() {
      await engine.clearMailPassword();
      return engine.secretStatus();
    },
    async sendTestEmail({ settings }) {
      return { message: await engine.sendTestEmail(settings) };
    },
    nmapStatus: () => engine.nmapStatus(),
    async scanNow({ profile }) {
      return { started: await engine.scanNow(profile) };
    },
    listChannels: () => engine.listChannels(),
    async addChannel(input) {
      await engine.addChannel(input);
      return engine.listChannels();
    },
    testChannel: ({ name }) => engine.testChannel(name),
    async removeChannel({ name }) {
      await engine.removeChannel(name);
      return engine.listChannels();
    },
    async setPaused({ profile, paused }) {
      const names = profile ? [profile] : (await engine.listProfiles()).map((p) => p.name);
      for (const name of names) await engine.setPaused(name, paused);
      return appState();
    },
    async localNetworks() {
      return { networks: (ctx.localNetworks ?? localNetworks)() };
    },
  };

  const handlers = {} as Record<Channel, (payload: unknown) => Promise<Result<unknown>>>;
  const { requestSchemas } = schemas();
  for (const channel of channels) {
    const schema = requestSchemas[channel];
    const run = impl[channel] as (payload: unknown) => Promise<unknown>;
    handlers[channel] = async (payload: unknown) => {
      const parsed = schema.safeParse(payload ?? {});
      if (!parsed.success) return { ok: false, error: describeIssue(parsed.error) };
      try {
        return { ok: true, value: await run(parsed.data) };
      } catch (error) {
        return { ok: false, error: errorMessage(error) };
      }
    };
  }
  return handlers as Handlers;
}
