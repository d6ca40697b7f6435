// The app-wide settings pages: email, notifications, nmap. One draft of the settings object is edited across
// them and saved whole; the password is write-only and saved on its own.
import { useEffect, useState } from 'preact/hooks';
import type { NmapStatus, SettingsView } from '../../shared/ipc.ts';
import type { SecretStatus, Settings } from '../../shared/settings.ts';
import { isTimeOfDay } from '../../shared/time-of-day.ts';
import { call, messageOf } from '../common/api.ts';
import { Banner, Check, Field, Segmented, described, useId } from '../common/components.tsx';
import { emailError, recipientsError, splitList } from '../common/validation.ts';

export type SettingsErrors = Partial<Record<string, string | null>>;

export function settingsErrors(s: Settings, recipientsText: string): SettingsErrors {
  const e: SettingsErrors = {};
  const mail = s.email;
  if (mail.enabled) {
    if (mail.provider === 'smtp') {
      e.host = mail.host.trim()
        ? /^[A-Za-z0-9.\-[\]:]+$/.test(mail.host.trim())
          ? null
          : 'enter a server name such as smtp.example.com'
        : 'enter the SMTP server, e.g. smtp.example.com';
      e.port =
        Number.isInteger(mail.port) && mail.port >= 1 && mail.port <= 65535
          ? null
          : 'enter a port from 1 to 65535 (usually 587 or 465)';
    }
    e.user = mail.provider === 'gmail' ? emailError(mail.user) : null;
    e.from = mail.from ? emailError(mail.from) : null;
    e.to = recipientsError(splitList(recipientsText));
    e.digestTime =
      mail.on === 'digest' && !isTimeOfDay(mail.digestTime) ? 'use a 24-hour time such as 08:00' : null;
  }
  e.quietStart =
    s.quietHours.enabled && !isTimeOfDay(s.quietHours.start) ? 'use a 24-hour time such as 22:00' : null;
  e.quietEnd =
    s.quietHours.enabled && !isTimeOfDay(s.quietHours.end) ? 'use a 24-hour time such as 07:00' : null;
  e.retention =
    Number.isInteger(s.retentionDays) && s.retentionDays >= 1 && s.retentionDays <= 3650
      ? null
      : 'keep raw scans from 1 to 3,650 days';
  return e;
}

const storageWords: Record<SecretStatus['storage'], string> = {
  os: 'encrypted in the system keyring',
  basic_text: 'NOT really encrypted: saved with a fixed key, as no keyring answered',
  file: 'in a file only you can read',
  env: 'taken from PORTWATCH_SMTP_PASSWORD',
  none: '',
};

function PasswordField(props: {
  secret: SecretStatus;
  onChange: (s: SecretStatus) => void;
  provider: Settings['email']['provider'];
}) {
  const id = useId('password');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      props.onChange(await call('setMailPassword', { password: value }));
      setValue('');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const clear = async () => {
    try {
      props.onChange(await call('clearMailPassword', {}));
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const { secret } = props;
  return (
    <Field
      label={props.provider === 'gmail' ? 'App password' : 'Password'}
      id={id}
      error={error}
      hint={
        props.provider === 'gmail'
          ? 'A 16-letter app password from myaccount.google.com/apppasswords, not your Google password.'
          : undefined
      }
    >
      <div class="row">
        <span class={`badge ${secret.set ? 'ok' : ''}`} data-testid="password-status">
          {secret.set ? 'Set' : 'Not set'}
        </span>
        {secret.set ? <span class="muted small">{storageWords[secret.storage]}</span> : null}
      </div>
      {secret.storage === 'basic_text' ? (
        <Banner kind="warn">
          When the password was saved, no keyring (GNOME Keyring or KWallet) was unlocked to hold the key, so
          it was stored with a fixed key anyone with your files can undo. Install and unlock a keyring, then
          set the password again.
        </Banner>
      ) : null}
      {secret.storage !== 'env' ? (
        <div class="row">
          <input
            type="password"
            {...described(id, error)}
            autocomplete="new-password"
            placeholder={secret.set ? 'Enter a new password to replace it' : 'Enter the password'}
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
          <button type="button" class="btn" disabled={!value || busy} onClick={save}>
            {secret.set ? 'Replace' : 'Save password'}
          </button>
          {secret.set ? (
            <button type="button" class="btn danger" onClick={clear}>
              Remove
            </button>
          ) : null}
        </div>
      ) : null}
    </Field>
  );
}

export function EmailPage(props: {
  draft: Settings;
  set: (change: (s: Settings) => void) => void;
  recipients: string;
  setRecipients: (text: string) => void;
  errors: SettingsErrors;
  show: (key: string) => string | null;
  secret: SecretStatus;
  setSecret: (s: SecretStatus) => void;
}) {
  const { draft, set, show } = props;
  const mail = draft.email;
  const ids = {
    host: useId('host'),
    port: useId('port'),
    security: useId('security'),
    user: useId('user'),
    from: useId('from'),
    to: useId('to'),
  };
  const [test, setTest] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const sendTest = async () => {
    setTesting(true);
    setTest(null);
    try {
      const settings = { ...draft, email: { ...draft.email, to: splitList(props.recipients) } };
      const { message } = await call('sendTestEmail', { settings });
      setTest({ kind: 'ok', text: message });
    } catch (e) {
      setTest({ kind: 'error', text: messageOf(e) });
    } finally {
      setTesting(false);
    }
  };
  return (
    <section class="card" aria-labelledby="email-title">
      <div class="card-head">
        <h2 id="email-title">Email reports</h2>
      </div>
      <div class="form-grid">
        <span class="label">Send email</span>
        <Check
          label="Email me a report when ports change"
          checked={mail.enabled}
          onChange={(v) =>
            set((s) => {
              s.email.enabled = v;
            })
          }
        />
        <span class="label">Account</span>
        <Segmented
          label="Mail provider"
          value={mail.provider}
          options={[
            { value: 'gmail', label: 'Gmail' },
            { value: 'smtp', label: 'Other SMTP server' },
          ]}
          onChange={(v) =>
            set((s) => {
              s.email.provider = v;
              if (v === 'gmail')
                Object.assign(s.email, { host: 'smtp.gmail.com', port: 465, security: 'tls' });
            })
          }
        />
        {mail.provider === 'smtp' ? (
          <>
            <Field label="Server" id={ids.host} error={show('host')}>
              <input
                type="text"
                {...described(ids.host, show('host'))}
                value={mail.host}
                placeholder="smtp.example.com"
                onInput={(e) => set((s) => void (s.email.host = e.currentTarget.value))}
              />
            </Field>
            <Field label="Port and security" id={ids.port} error={show('port')}>
              <div class="row">
                <input
                  type="number"
                  {...described(ids.port, show('port'))}
                  min={1}
                  max={65535}
                  value={mail.port}
                  onInput={(e) => set((s) => void (s.email.port = Number(e.currentTarget.value)))}
                />
                <select
                  aria-label="Connection security"
                  value={mail.security}
                  onChange={(e) =>
                    set(
                      (s) => void (s.email.security = e.currentTarget.value as Settings['email']['security']),
                    )
                  }
                >
                  <option value="starttls">STARTTLS (usually port 587)</option>
                  <option value="tls">TLS (usually port 465)</option>
                  <option value="none">None: only for a server on this machine</option>
                </select>
              </div>
            </Field>
          </>
        ) : null}
        <Field
          label={mail.provider === 'gmail' ? 'Gmail address' : 'User name'}
          id={ids.user}
          error={show('user')}
        >
          <input
            type="text"
            {...described(ids.user, show('user'))}
            value={mail.user}
            placeholder={
              mail.provider === 'gmail' ? 'you@gmail.com' : 'leave empty if the server needs no login'
            }
            onInput={(e) => set((s) => void (s.email.user = e.currentTarget.value))}
          />
        </Field>
        <PasswordField secret={props.secret} onChange={props.setSecret} provider={mail.provider} />
        <Field label="From" id={ids.from} error={show('from')} hint="Empty: the account's address.">
          <input
            type="email"
            {...described(ids.from, show('from'))}
            value={mail.from}
            placeholder="portwatch@example.com"
            onInput={(e) => set((s) => void (s.email.from = e.currentTarget.value))}
          />
        </Field>
        <Field label="Recipients" id={ids.to} error={show('to')} hint="One address per line.">
          <textarea
            {...described(ids.to, show('to'))}
            rows={2}
            value={props.recipients}
            placeholder="you@example.com"
            onInput={(e) => props.setRecipients(e.currentTarget.value)}
          />
        </Field>
        <span class="label">Test</span>
        <div class="stack">
          <div class="row">
            <button type="button" class="btn" disabled={testing} onClick={sendTest}>
              {testing ? 'Sending…' : 'Send test email'}
            </button>
            <span class="muted small">Uses the values above, saved or not.</span>
          </div>
          {test ? (
            <Banner kind={test.kind} testId="test-email-result">
              {test.text}
            </Banner>
          ) : null}
        </div>
      </div>
    </section>
  );
}

/** "at most every N hours per profile": the failed-scan limits of the desktop and of mail. */
function EveryHours(props: {
  label: string;
  id: string;
  hint: string;
  min: number;
  value: number;
  onInput: (hours: number) => void;
}) {
  return (
    <Field label={props.label} id={props.id} hint={props.hint}>
      <div class="row">
        at most every
        <input
          type="number"
          id={props.id}
          min={props.min}
          value={props.value}
          onInput={(e) => props.onInput(Number(e.currentTarget.value))}
        />
        hours per profile
      </div>
    </Field>
  );
}

export function NotificationsPage(props: {
  draft: Settings;
  set: (change: (s: Settings) => void) => void;
  show: (key: string) => string | null;
}) {
  const { draft, set, show } = props;
  const ids = {
    digest: useId('digest'),
    failed: useId('failed'),
    desktopFailed: useId('desktop-failed'),
    quiet: useId('quiet'),
    retention: useId('retention'),
  };
  return (
    <>
      <section class="card" aria-labelledby="desktop-title">
        <h2 id="desktop-title">Desktop notifications</h2>
        <div class="stack">
          <Check
            label="Show a notification when ports change"
            checked={draft.notifications.desktop}
            onChange={(v) => set((s) => void (s.notifications.desktop = v))}
          />
          <Check
            label="Tell me when a scan fails"
            checked={draft.notifications.failedScans}
            onChange={(v) => set((s) => void (s.notifications.failedScans = v))}
          />
          {draft.notifications.failedScans ? (
            <EveryHours
              label="Failed-scan notices"
              id={ids.desktopFailed}
              hint="desktop only; mail has its own limit below"
              min={1}
              value={draft.notifications.failedScanEveryHours}
              onInput={(hours) => set((s) => void (s.notifications.failedScanEveryHours = hours))}
            />
          ) : null}
        </div>
      </section>
      <section class="card" aria-labelledby="mail-when-title">
        <h2 id="mail-when-title">When to email</h2>
        <div class="form-grid">
          <span class="label">Reports</span>
          <Segmented
            label="When to send reports"
            value={draft.email.on}
            options={[
              { value: 'changes', label: 'On every change' },
              { value: 'digest', label: 'Daily digest' },
            ]}
            onChange={(v) => set((s) => void (s.email.on = v))}
          />
          {draft.email.on === 'digest' ? (
            <Field label="Digest time" id={ids.digest} error={show('digestTime')}>
              <input
                type="time"
                {...described(ids.digest, show('digestTime'))}
                value={draft.email.digestTime}
                onInput={(e) => set((s) => void (s.email.digestTime = e.currentTarget.value))}
              />
            </Field>
          ) : null}
          <span class="label">Heartbeat</span>
          <Check
            label="Also email when nothing changed"
            hint="proof the watch is running"
            checked={draft.email.heartbeat}
            onChange={(v) => set((s) => void (s.email.heartbeat = v))}
          />
          <EveryHours
            label="Failed-scan mail"
            id={ids.failed}
            hint="0 = never email about failed scans"
            min={0}
            value={draft.email.failedScanEveryHours}
            onInput={(hours) => set((s) => void (s.email.failedScanEveryHours = hours))}
          />
        </div>
      </section>
      <section class="card" aria-labelledby="quiet-title">
        <h2 id="quiet-title">Quiet hours</h2>
        <div class="form-grid">
          <span class="label">Quiet hours</span>
          <Check
            label="Hold notifications and mail overnight"
            checked={draft.quietHours.enabled}
            onChange={(v) => set((s) => void (s.quietHours.enabled = v))}
          />
          {draft.quietHours.enabled ? (
            <Field label="From – to" id={ids.quiet} error={show('quietStart') ?? show('quietEnd')}>
              <div class="row">
                <input
                  type="time"
                  id={ids.quiet}
                  aria-label="Quiet hours start"
                  value={draft.quietHours.start}
                  onInput={(e) => set((s) => void (s.quietHours.start = e.currentTarget.value))}
                />
                –
                <input
                  type="time"
                  aria-label="Quiet hours end"
                  value={draft.quietHours.end}
                  onInput={(e) => set((s) => void (s.quietHours.end = e.currentTarget.value))}
                />
              </div>
            </Field>
          ) : null}
        </div>
      </section>
      <section class="card" aria-labelledby="storage-title">
        <h2 id="storage-title">Storage</h2>
        <div class="form-grid">
          <Field
            label="Keep raw scans"
            id={ids.retention}
            error={show('retention')}
            hint="days; scans with changes and references are always kept"
          >
            <input
              type="number"
              {...described(ids.retention, show('retention'))}
              min={1}
              value={draft.retentionDays}
              onInput={(e) => set((s) => void (s.retentionDays = Number(e.currentTarget.value)))}
            />
          </Field>
        </div>
      </section>
    </>
  );
}

export function NmapPage(props: { draft: Settings; set: (change: (s: Settings) => void) => void }) {
  const [status, setStatus] = useState<NmapStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId('nmap-path');
  const check = () => {
    setError(null);
    call('nmapStatus', {}).then(setStatus, (e) => setError(messageOf(e)));
  };
  useEffect(check, []);
  return (
    <section class="card" aria-labelledby="nmap-title">
      <div class="card-head">
        <h2 id="nmap-title">Nmap</h2>
        <button type="button" class="btn small" onClick={check}>
          Check again
        </button>
      </div>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {status ? (
        <div class="form-grid" data-testid="nmap-status">
          <span class="label">Found</span>
          <span>
            {status.found ? (
              <span class="mono">{status.path}</span>
            ) : (
              <span class="badge failed">not found</span>
            )}
          </span>
          <span class="label">Version</span>
          <span class="value">{status.version ?? '—'}</span>
          <span class="label">Privileges</span>
          <span class="value">
            {status.privileged ? (
              <span class="badge ok">SYN, UDP and OS detection available</span>
            ) : (
              <span class="badge changed">TCP connect scans only</span>
            )}
          </span>
          {status.advice ? (
            <>
              <span class="label">How to fix</span>
              <Banner kind={status.found ? 'info' : 'error'}>{status.advice}</Banner>
            </>
          ) : null}
        </div>
      ) : !error ? (
        <p class="muted">Looking for nmap…</p>
      ) : null}
      <div class="form-grid">
        <Field label="Path to nmap" id={id} hint="Empty: found on PATH.">
          <input
            type="text"
            id={id}
            class="mono"
            value={props.draft.nmapPath}
            placeholder="/usr/bin/nmap"
            onInput={(e) => props.set((s) => void (s.nmapPath = e.currentTarget.value))}
          />
        </Field>
      </div>
    </section>
  );
}

export type { SettingsView };
