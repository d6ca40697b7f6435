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
  digestTime: string;
  /** Mail about failed scans, at most once per this many hours per profile; 0 = never. */
  failedScanEveryHours: number;
  /** A "nothing changed" mail after each no-change scan, like the old cron job. */
  heartbeat: boolean;
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

/** What a window may know about the stored password. */
export interface SecretStatus {
  set: boolean;
  /** 'os' (keychain / DPAPI / libsecret / kwallet), 'basic_text' (Linux with no keyring: NOT really encrypted),
   *  'file' (headless: a file readable by its owner only), 'env' (PORTWATCH_SMTP_PASSWORD). */
  storage: 'os' | 'basic_text' | 'file' | 'env' | 'none';
}
