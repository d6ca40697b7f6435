// What the app's request handlers need from the engine, as one small interface. The Electron main process and
// the tests give it the real engine (see ./real-engine.ts, which wires src/engine's modules over one data
// directory); nothing here imports electron.
import type { HistoryEntry } from '../../shared/history.ts';
import type { Profile, Schedule } from '../../shared/profile.ts';
import type { NmapRun } from '../../shared/scan.ts';
import type { SecretStatus, Settings } from '../../shared/settings.ts';
import type { ChannelAnswer, ChannelInfo } from '../../shared/channels.ts';
import type {
  ChannelInput,
  NmapStatus,
  ProfileInput,
  ReferenceSummary,
  ScanProgressEvent,
  ScheduleDescription,
} from '../../shared/ipc.ts';

export interface AppEngine {
  listProfiles(): Promise<Profile[]>;
  /** Adds or (with previousName) renames/updates a profile; all or nothing. */
  saveProfile(input: ProfileInput, previousName?: string): Promise<Profile>;
  removeProfile(name: string): Promise<void>;
  setPaused(name: string, paused: boolean): Promise<void>;
  describeSchedule(schedule: Schedule, count: number): ScheduleDescription;

  reference(profile: string): Promise<{ summary: ReferenceSummary; run: NmapRun } | null>;
  importReference(profile: string, xml: string, fileName: string): Promise<ReferenceSummary>;
  /** Runs a scan and makes it the reference. */
  captureReference(profile: string, onProgress?: (p: ScanProgressEvent) => void): Promise<ReferenceSummary>;
  /** Makes this scan (or, with hosts, only these hosts of it) the new reference. */
  acceptScan(entryId: string, hosts?: string[]): Promise<ReferenceSummary>;

  /** All history entries, newest first (optionally of one profile). */
  history(profile?: string): Promise<HistoryEntry[]>;
  /**
   * A profile's newest `count` entries (newest first) and how many it has in all, without reading the whole
   * history when it is not read yet: the history window's first page, fast with a year of scans.
   */
  historyHead(profile: string, count: number): Promise<{ entries: HistoryEntry[]; total: number }>;
  entry(id: string): Promise<HistoryEntry | null>;
  /** ndiff's text or XML, reference -> this scan; '' when either scan's XML is gone. */
  ndiff(entryId: string, format: 'text' | 'xml'): Promise<string>;
  /** The HTML report the mail would carry for this scan. */
  htmlReport(entryId: string): Promise<string>;

  /** Starts a scan now (not waiting for it); returns the profiles started. */
  scanNow(profile?: string): Promise<string[]>;
  nextRun(profile: string): string | null;

  settings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<Settings>;
  secretStatus(): Promise<SecretStatus>;
  setMailPassword(password: string): Promise<void>;
  clearMailPassword(): Promise<void>;
  /** Sends a test mail with these (or the saved) settings; resolves to what the server said. */
  sendTestEmail(settings?: Settings): Promise<string>;
  nmapStatus(): Promise<NmapStatus>;

  /** Alert channels besides mail; their secrets stay in the engine. */
  listChannels(): Promise<ChannelInfo[]>;
  addChannel(input: ChannelInput): Promise<ChannelInfo>;
  /** Sends a real test message; resolves to the server's answer, explained. */
  testChannel(name: string): Promise<ChannelAnswer>;
  removeChannel(name: string): Promise<void>;
}
