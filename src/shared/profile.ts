// Monitoring profiles: what to scan, how, when, and what not to alert on. Browser-safe types.
// The validation rules for these live in src/shared/validate (shared by the CLI and the settings window).

/** Typed scan options: never a free-form argument string. The engine builds nmap's argv from these. */
export interface ScanOptions {
  /** A port list such as "22,80,443,8000-8100" (optionally "T:..,U:.."), or the N most common ports. */
  ports: { kind: 'list'; spec: string } | { kind: 'top'; count: number } | { kind: 'default' };
  /** connect (-sT, needs no privileges), syn (-sS), udp (-sU): syn and udp need a privileged nmap. */
  technique: 'connect' | 'syn' | 'udp';
  /** -sV */
  serviceDetection: boolean;
  /** -O (needs privileges) */
  osDetection: boolean;
  /** -T0 .. -T5 */
  timing: 0 | 1 | 2 | 3 | 4 | 5;
  /** -Pn */
  skipHostDiscovery: boolean;
  /** Rescan changed hosts/ports once and report only changes that hold. */
  confirmChanges: boolean;
  /** Hard time limit for one scan, in seconds. */
  timeoutSeconds: number;
  /** --host-timeout: give up on one host after this many seconds (that scan is then incomplete). Unset: none. */
  hostTimeoutSeconds?: number;
  /** Reverse-DNS names for the hosts (needed for hostname-changed). Default true; false adds -n. */
  resolveHostnames?: boolean;
}

/** A cron expression, or one of the friendly presets (shown with a description and next run times). */
export type Schedule =
  | { kind: 'manual' }
  | { kind: 'cron'; expression: string }
  | { kind: 'every'; minutes: number }
  | { kind: 'daily'; time: string /* "HH:MM" */ }
  | { kind: 'weekly'; day: number /* 0 = Sunday */; time: string };

/** A port or host whose changes are recorded but not alerted. */
export interface ExpectedRule {
  id: string;
  host: string;
  /** Undefined: the whole host. */
  port?: number;
  protocol?: string;
  note?: string;
  /** ISO date; after it the rule no longer applies. */
  until?: string;
  /** A snooze is a rule with an `until`, made from a single alert. */
  createdAt: string;
}

export interface Profile {
  /** Unique, user-chosen, also the key in the data directory (slugified). */
  name: string;
  targets: string[];
  options: ScanOptions;
  schedule: Schedule;
  paused: boolean;
  expected: ExpectedRule[];
  /** Alert when there was no successful scan for this long (hours); 0 = off. */
  watchdogHours: number;
  createdAt: string;
  updatedAt: string;
}
