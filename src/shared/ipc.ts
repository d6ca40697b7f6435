// The one IPC contract between the Electron main process and the windows. Every request names its payload
// schema (zod: main validates every payload before acting on it) and its result type; every event main sends
// names its payload. The preload's `window.portwatch` is derived from this file, so a renamed channel or field
// breaks the build instead of failing at run time. Browser-safe: zod and shared types only.
import { z } from 'zod';
import type { Change } from './changes.ts';
import { channelKinds, type ChannelAnswer, type ChannelInfo } from './channels.ts';
import type { HistoryEntry, ScanStatus } from './history.ts';
import type { Profile, ScanOptions, Schedule } from './profile.ts';
import type { SecretStatus, Settings } from './settings.ts';
import { TIME_OF_DAY } from './time-of-day.ts';

// ---- Payload schemas -------------------------------------------------------------------------------------
// Built on first use (schemas()), so code that needs only the channel names (the preload) carries no zod.

/** Every request a window can make. Each has a payload schema (below) and a result type (RequestResults). */
export const channels = [
  'getAppState',
  'listProfiles',
  'saveProfile',
  'removeProfile',
  'describeSchedule',
  'getReference',
  'importReference',
  'captureReference',
  'listHistory',
  'getScan',
  'portSeries',
  'acceptScan',
  'exportScan',
  'getSettings',
  'saveSettings',
  'setMailPassword',
  'clearMailPassword',
  'sendTestEmail',
  'nmapStatus',
  'scanNow',
  'setPaused',
  'listChannels',
  'addChannel',
  'testChannel',
  'removeChannel',
  'localNetworks',
] as const;
export type Channel = (typeof channels)[number];

export const exportFormats = ['ndiff-text', 'ndiff-xml', 'json', 'csv', 'html'] as const;
export type ExportFormat = (typeof exportFormats)[number];

function buildSchemas() {
  const hhmm = z.string().regex(TIME_OF_DAY, 'use a 24-hour time such as 07:30');
  const profileName = z
    .string()
    .trim()
    .min(1, 'give the profile a name')
    .max(64, 'use at most 64 characters');

  const scheduleSchema = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('manual') }),
    z.object({ kind: z.literal('cron'), expression: z.string().trim().min(1, 'enter a cron expression') }),
    z.object({ kind: z.literal('every'), minutes: z.int().min(1).max(10080) }),
    z.object({ kind: z.literal('daily'), time: hhmm }),
    z.object({ kind: z.literal('weekly'), day: z.int().min(0).max(6), time: hhmm }),
  ]) satisfies z.ZodType<Schedule>;

  const scanOptionsSchema = z.object({
    ports: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('list'), spec: z.string().trim().min(1, 'enter ports such as 22,80,443') }),
      z.object({ kind: z.literal('top'), count: z.int().min(1).max(65535) }),
      z.object({ kind: z.literal('default') }),
    ]),
    technique: z.enum(['connect', 'syn', 'udp']),
    serviceDetection: z.boolean(),
    osDetection: z.boolean(),
    timing: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
    skipHostDiscovery: z.boolean(),
    confirmChanges: z.boolean(),
    timeoutSeconds: z.int().min(5).max(604800),
    hostTimeoutSeconds: z.int().min(5).max(604800).optional(),
    resolveHostnames: z.boolean().optional(),
  }) satisfies z.ZodType<ScanOptions>;

  /** What a window may set on a profile; the engine keeps `paused`, `expected` and the timestamps. */
  const profileInputSchema = z.object({
    name: profileName,
    targets: z.array(z.string().trim().min(1)).min(1, 'add at least one target'),
    options: scanOptionsSchema,
    schedule: scheduleSchema,
    watchdogHours: z.int().min(0).max(8760),
  });

  const settingsSchema = z.object({
    version: z.int(),
    email: z.object({
      enabled: z.boolean(),
      provider: z.enum(['gmail', 'smtp']),
      host: z.string().trim(),
      port: z.int().min(1).max(65535),
      security: z.enum(['tls', 'starttls', 'none']),
      user: z.string().trim(),
      from: z.string().trim(),
      to: z.array(z.string().trim()),
      on: z.enum(['changes', 'digest']),
      digestTime: hhmm,
      failedScanEveryHours: z.int().min(0).max(8760),
      heartbeat: z.boolean(),
      caFile: z.string().trim(),
    }),
    notifications: z.object({
      desktop: z.boolean(),
      failedScans: z.boolean(),
      failedScanEveryHours: z.int().min(1).max(8760),
    }),
    quietHours: z.object({ enabled: z.boolean(), start: hhmm, end: hhmm }),
    retentionDays: z.int().min(1).max(3650),
    nmapPath: z.string().trim(),
  }) satisfies z.ZodType<Settings>;

  const historyQuerySchema = z
    .object({
      profile: z.string().optional(),
      host: z.string().optional(),
      port: z.int().min(1).max(65535).optional(),
      kind: z.string().optional(),
      status: z.enum(['ok', 'failed', 'offline', 'cancelled']).optional(),
      onlyChanges: z.boolean().optional(),
      /** ISO times, inclusive. */
      from: z.string().optional(),
      to: z.string().optional(),
      offset: z.int().min(0),
      limit: z.int().min(1).max(500),
    })
    .strict();

  const none = z.object({}).strict();
  const byProfile = z.object({ profile: profileName }).strict();

  const requestSchemas = {
    getAppState: none,
    listProfiles: none,
    saveProfile: z.object({ profile: profileInputSchema, previousName: z.string().optional() }).strict(),
    removeProfile: byProfile,
    describeSchedule: z.object({ schedule: scheduleSchema }).strict(),
    getReference: byProfile,
    importReference: z
      .object({
        profile: profileName,
        fileName: z.string().max(255),
        xml: z.string().min(1, 'the file is empty'),
      })
      .strict(),
    captureReference: byProfile,
    listHistory: historyQuerySchema,
    getScan: z.object({ id: z.string().min(1) }).strict(),
    portSeries: z.object({ profile: profileName, host: z.string().optional() }).strict(),
    acceptScan: z.object({ id: z.string().min(1), hosts: z.array(z.string()).optional() }).strict(),
    exportScan: z.object({ id: z.string().min(1), format: z.enum(exportFormats) }).strict(),
    getSettings: none,
    saveSettings: z.object({ settings: settingsSchema }).strict(),
    setMailPassword: z.object({ password: z.string().min(1, 'enter the password') }).strict(),
    clearMailPassword: none,
    sendTestEmail: z.object({ settings: settingsSchema.optional() }).strict(),
    nmapStatus: none,
    scanNow: z.object({ profile: z.string().optional() }).strict(),
    setPaused: z.object({ profile: z.string().optional(), paused: z.boolean() }).strict(),
    listChannels: none,
    addChannel: z
      .object({
        name: z.string().trim().min(1, 'give the channel a name').max(40, 'use at most 40 characters'),
        kind: z.enum(channelKinds),
        url: z.string().trim().min(1, 'paste the webhook or topic URL'),
        token: z.string().optional(),
        hmacKey: z.string().optional(),
        priority: z.int().min(1).max(5).optional(),
        tags: z.array(z.string()).optional(),
        profiles: z.array(z.string()).optional(),
      })
      .strict(),
    testChannel: z.object({ name: z.string().min(1) }).strict(),
    removeChannel: z.object({ name: z.string().min(1) }).strict(),
    localNetworks: none,
  } satisfies Record<Channel, z.ZodType>;

  return {
    scheduleSchema,
    scanOptionsSchema,
    profileInputSchema,
    settingsSchema,
    historyQuerySchema,
    requestSchemas,
  };
}

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
/** The zod schemas of the contract (made on first call). */
export function schemas(): Schemas {
  return (built ??= buildSchemas());
}

export type RequestSchemas = Schemas['requestSchemas'];
export type Payload<C extends Channel> = z.input<RequestSchemas[C]>;
export type ProfileInput = z.infer<Schemas['profileInputSchema']>;
export type HistoryQuery = z.infer<Schemas['historyQuerySchema']>;
export type ChannelInput = z.infer<RequestSchemas['addChannel']>;

// ---- Result types -----------------------------------------------------------------------------------------

/** What every request resolves to: errors are values (one line a user can act on), never thrown stacks. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ReferenceSummary {
  profile: string;
  id: string;
  /** ISO time the reference scan ran. */
  scannedAt: string;
  /** 'import' (a file), 'capture' (a scan run for it), 'accept' (accepted from a scan). */
  source: string;
  hosts: number;
  openPorts: number;
}

export interface ReferencePort {
  port: number;
  protocol: string;
  state: string;
  service?: string;
}

export interface ReferenceView {
  summary: ReferenceSummary | null;
  hosts: { address: string; hostnames: string[]; state: string; ports: ReferencePort[] }[];
}

export interface ScheduleDescription {
  /** "Every day at 07:30" */
  text: string;
  /** ISO times of the next runs (empty for manual). */
  nextRuns: string[];
}

export interface ProfileView {
  profile: Profile;
  schedule: ScheduleDescription;
  reference: ReferenceSummary | null;
  lastScan: HistoryRow | null;
}

/** A history entry without its change list, for the timeline. */
export type HistoryRow = Pick<
  HistoryEntry,
  'id' | 'profile' | 'startedAt' | 'durationMs' | 'status' | 'reason' | 'counts' | 'delivery'
>;

export interface ScanDetail {
  entry: HistoryEntry;
  /** ndiff's classic text, reference -> this scan ('' when the reference or the XML is gone). */
  ndiffText: string;
  /** Whether this scan's XML is kept, so it can become the reference. */
  canAccept: boolean;
}

export interface SeriesPoint {
  /** Seconds since the epoch. */
  t: number;
  openPorts: number;
  status: ScanStatus;
}

export interface ExportedFile {
  fileName: string;
  mimeType: string;
  content: string;
}

export interface SettingsView {
  settings: Settings;
  secret: SecretStatus;
}

export interface NmapStatus {
  found: boolean;
  path?: string;
  version?: string;
  /** Whether SYN/UDP scans and OS detection can run. */
  privileged: boolean;
  /** One line: what to do, when something is missing. */
  advice?: string;
}

/** One of this machine's networks, as the welcome suggests it for a first profile. */
export interface LocalNetwork {
  /** '192.168.1.0/24' */
  cidr: string;
  /** 'wlan0' */
  interface: string;
  /** '192.168.1.0/24 (wlan0)' */
  label: string;
}

export type TrayState = 'quiet' | 'unseen' | 'scanning' | 'error' | 'paused';

/** The overall state in words: the tray's tooltip and the browser UI's status page. */
export const trayStateWords: Record<TrayState, string> = {
  quiet: 'No changes',
  unseen: 'Changes to review',
  scanning: 'Scanning…',
  error: 'A scan failed',
  paused: 'Paused',
};

export interface ProfileState {
  name: string;
  paused: boolean;
  scanning: boolean;
  progress?: ScanProgressEvent;
  lastScan: HistoryRow | null;
  nextRun: string | null;
}

export interface AppState {
  state: TrayState;
  profiles: ProfileState[];
  /** Scans with changes the user has not looked at yet. */
  unseen: number;
  /** The last failure, in one line, while it is the latest word on its profile. */
  error?: string;
}

export interface RequestResults {
  getAppState: AppState;
  listProfiles: ProfileView[];
  saveProfile: ProfileView;
  removeProfile: null;
  describeSchedule: ScheduleDescription;
  getReference: ReferenceView;
  importReference: ReferenceSummary;
  captureReference: ReferenceSummary;
  listHistory: { rows: HistoryRow[]; total: number };
  getScan: ScanDetail;
  portSeries: { points: SeriesPoint[] };
  acceptScan: ReferenceSummary;
  exportScan: ExportedFile;
  getSettings: SettingsView;
  saveSettings: SettingsView;
  setMailPassword: SecretStatus;
  clearMailPassword: SecretStatus;
  sendTestEmail: { message: string };
  nmapStatus: NmapStatus;
  scanNow: { started: string[] };
  setPaused: AppState;
  /** Channels as they may be shown: no URL, token or key, only the host and the last 4 characters. */
  listChannels: ChannelInfo[];
  addChannel: ChannelInfo[];
  /** The server's answer to a real test message. */
  testChannel: ChannelAnswer;
  removeChannel: ChannelInfo[];
  /** This machine's networks, best first (computed from its interfaces; nothing is scanned). */
  localNetworks: { networks: LocalNetwork[] };
}

// A channel without a result type (or a result without a channel) fails to compile here.
type _EveryChannelHasAResult = [
  Exclude<Channel, keyof RequestResults>,
  Exclude<keyof RequestResults, Channel>,
];
const _checkChannels: _EveryChannelHasAResult = [] as unknown as [never, never];
void _checkChannels;

// ---- Events (main -> windows) -----------------------------------------------------------------------------

export interface ScanProgressEvent {
  profile: string;
  task: string;
  percent: number;
  etaSeconds?: number;
}

export interface AppEvents {
  stateChanged: AppState;
  scanProgress: ScanProgressEvent;
  scanRecorded: HistoryRow;
  /** Open the history window on this scan (a notification was clicked). */
  openScan: { id: string };
}
export type EventName = keyof AppEvents;
export const eventNames: EventName[] = ['stateChanged', 'scanProgress', 'scanRecorded', 'openScan'];

/** The IPC channel string for a request or an event: one namespace, so nothing else can be reached. */
export const ipcChannel = (name: Channel | EventName): string => `portwatch:${name}`;

// ---- The API the preload exposes as window.portwatch -------------------------------------------------------

export type PortwatchApi = {
  [C in Channel]: (payload: Payload<C>) => Promise<Result<RequestResults[C]>>;
} & {
  /** Subscribes to an event from main; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: AppEvents[E]) => void): () => void;
  /** The platform, for native-feeling details (e.g. the word "Preferences" on macOS). */
  platform: string;
};

/** The first problem in a failed parse, as one line: "targets: add at least one target". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const where = issue.path.filter((p) => typeof p !== 'symbol').join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}

export type { Change };
