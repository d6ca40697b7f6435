// App-wide settings (not per profile). Browser-safe types.
// Secrets are never part of these objects: the mail password lives in the secret store and a window can
// only set or clear it (see `SecretStatus`).

export type EmailSecurity = 'tls' | 'starttls' | 'none';

export interface EmailSettings {
  enabled: boolean;
  provider: 'gmail' | 'smtp';
  host: string;
  port: number;
  security: EmailSecurity;
  user: string;
  from: string;
  to: string[];
  /** 'changes': one mail per scan with changes; 'digest': collected and sent at digestTime. */
  on: 'changes' | 'digest';
  /** "HH:MM", local time. */
  digestTime: string;
  /** Mail about failed scans, at most once per this many hours per profile; 0 = never. */
  failedScanEveryHours: number;
  /** A "nothing changed" mail after each no-change scan, like the old cron job. */
  heartbeat: boolean;
  /** A PEM file of extra certificate authorities to trust (a self-hosted server's own CA); '' = system CAs. */
  caFile: string;
}

export interface QuietHours {
  enabled: boolean;
  /** "HH:MM", local time; may wrap past midnight. */
  start: string;
  end: string;
}

export interface NotificationSettings {
  desktop: boolean;
  failedScans: boolean;
  /** Desktop notices about failed scans, at most once per this many hours per profile (mail has its own). */
  failedScanEveryHours: number;
}

export interface Settings {
  version: number;
  email: EmailSettings;
  notifications: NotificationSettings;
  quietHours: QuietHours;
  /** Keep raw XML of no-change scans for this many days. */
  retentionDays: number;
  /** Path to nmap; empty = find it on PATH. */
  nmapPath: string;
}

/** The settings file's current version (src/engine/config/settings-file.ts migrates older ones). */
export const SETTINGS_VERSION = 1;

/** Gmail's submission server: implicit TLS on 465, the address as user, an app password. */
export const GMAIL_SMTP = { host: 'smtp.gmail.com', port: 465, security: 'tls' } as const;

/** What a fresh installation starts with: mail off, on changes, failures at most every 6 hours. */
export function defaultSettings(): Settings {
  return {
    version: SETTINGS_VERSION,
    email: {
      enabled: false,
      provider: 'smtp',
      host: '',
      port: 587,
      security: 'starttls',
      user: '',
      from: '',
      to: [],
      on: 'changes',
      digestTime: '08:00',
      failedScanEveryHours: 6,
      heartbeat: false,
      caFile: '',
    },
    notifications: { desktop: true, failedScans: true, failedScanEveryHours: 1 },
    quietHours: { enabled: false, start: '22:00', end: '07:00' },
    retentionDays: 30,
    nmapPath: '',
  };
}

/** What a window may know about the stored password. */
export interface SecretStatus {
  set: boolean;
  /** 'os' (keychain / DPAPI / libsecret / kwallet), 'basic_text' (Linux with no keyring: NOT really encrypted),
   *  'file' (headless: a file readable by its owner only), 'env' (PORTWATCH_SMTP_PASSWORD). */
  storage: 'os' | 'basic_text' | 'file' | 'env' | 'none';
}
