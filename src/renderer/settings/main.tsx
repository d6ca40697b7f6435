// The settings window: profiles on the left, each with its form and reference; then the app-wide pages.
import '../common/zod-jitless.ts';
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { LocalNetwork, ProfileView } from '../../shared/ipc.ts';
import type { SecretStatus, Settings } from '../../shared/settings.ts';
import { api, call, messageOf } from '../common/api.ts';
import { Banner } from '../common/components.tsx';
import { formatRelative } from '../common/format.ts';
import { splitList } from '../common/validation.ts';
import { EmailPage, NmapPage, NotificationsPage, settingsErrors } from './app-settings.tsx';
import { ChannelsPage } from './channels-page.tsx';
import { ProfileEditor } from './profile-editor.tsx';
import { ReferencePanel } from './reference-panel.tsx';
import '../common/styles.css';

type Page =
  | { kind: 'profile'; name: string }
  | { kind: 'new-profile' }
  | { kind: 'email' }
  | { kind: 'notifications' }
  | { kind: 'nmap' }
  | { kind: 'channels' };

const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function SettingsApp() {
  const [profiles, setProfiles] = useState<ProfileView[] | null>(null);
  const [page, setPage] = useState<Page | null>(null);
  const [saved, setSaved] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [recipients, setRecipients] = useState('');
  const [secret, setSecret] = useState<SecretStatus>({ set: false, storage: 'none' });
  const [settingsTouched, setSettingsTouched] = useState(false);
  const [settingsSaveError, setSettingsSaveError] = useState<string | null>(null);
  const [settingsNotice, setSettingsNotice] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [profileDirty, setProfileDirty] = useState(false);
  const [pendingPage, setPendingPage] = useState<Page | null>(null);
  // First launch: this machine's networks, the first of them suggested as the first profile.
  const [networks, setNetworks] = useState<LocalNetwork[]>([]);
  const [network, setNetwork] = useState<LocalNetwork | null>(null);
  const firstProfile =
    profiles?.length === 0 && network ? { name: 'Home network', targets: network.cidr } : undefined;

  const loadProfiles = async (select?: string) => {
    try {
      const list = await call('listProfiles', {});
      setProfiles(list);
      setPage((p) =>
        select
          ? { kind: 'profile', name: select }
          : (p ?? (list[0] ? { kind: 'profile', name: list[0].profile.name } : { kind: 'new-profile' })),
      );
    } catch (e) {
      setLoadError(messageOf(e));
    }
  };

  useEffect(() => {
    void loadProfiles();
    call('localNetworks', {}).then(
      ({ networks: found }) => {
        setNetworks(found);
        setNetwork(found[0] ?? null);
      },
      () => {}, // only a suggestion: without it the form starts empty
    );
    call('getSettings', {}).then(
      (view) => {
        setSaved(view.settings);
        setDraft(clone(view.settings));
        setRecipients(view.settings.email.to.join('\n'));
        setSecret(view.secret);
      },
      (e) => setLoadError(messageOf(e)),
    );
    return api().on('stateChanged', () => void loadProfiles());
  }, []);

  const dirty = useMemo(
    () =>
      !!draft &&
      !!saved &&
      (JSON.stringify(draft) !== JSON.stringify(saved) || recipients !== saved.email.to.join('\n')),
    [draft, saved, recipients],
  );
  const errors = useMemo(() => (draft ? settingsErrors(draft, recipients) : {}), [draft, recipients]);
  const settingsHaveErrors = Object.values(errors).some(Boolean);
  const show = (key: string) => (settingsTouched ? (errors[key] ?? null) : null);
  const setSettings = (change: (s: Settings) => void) => {
    setDraft((d) => {
      if (!d) return d;
      const next = clone(d);
      change(next);
      return next;
    });
    setSettingsTouched(true);
    setSettingsNotice(null);
  };

  const saveSettings = async () => {
    if (!draft) return;
    setSettingsTouched(true);
    if (settingsHaveErrors) {
      setSettingsSaveError('fix the fields marked in red, then save again');
      return;
    }
    try {
      const view = await call('saveSettings', {
        settings: { ...draft, email: { ...draft.email, to: splitList(recipients) } },
      });
      setSaved(view.settings);
      setDraft(clone(view.settings));
      setRecipients(view.settings.email.to.join('\n'));
      setSecret(view.secret);
      setSettingsSaveError(null);
      setSettingsNotice('Settings saved.');
    } catch (e) {
      setSettingsSaveError(messageOf(e));
    }
  };
  const revertSettings = () => {
    if (!saved) return;
    setDraft(clone(saved));
    setRecipients(saved.email.to.join('\n'));
    setSettingsSaveError(null);
    setSettingsTouched(false);
  };

  const current =
    page?.kind === 'profile' ? (profiles?.find((p) => p.profile.name === page.name) ?? null) : null;
  // Leaving a profile form with unsaved edits asks first: nothing typed is lost silently.
  const go = (target: Page) => {
    if (profileDirty && JSON.stringify(target) !== JSON.stringify(page)) setPendingPage(target);
    else setPage(target);
  };
  const nav = (label: string, target: Page, extra?: preact.ComponentChildren) => {
    const selected =
      page?.kind === target.kind &&
      (target.kind !== 'profile' || (page.kind === 'profile' && page.name === target.name));
    return (
      <button
        type="button"
        class="nav-item"
        aria-current={selected ? 'page' : undefined}
        onClick={() => go(target)}
      >
        <span>{label}</span>
        {extra}
      </button>
    );
  };

  return (
    <div class="split">
      <nav class="sidebar" aria-label="Settings sections">
        <div class="group-label">Profiles</div>
        {(profiles ?? []).map((p) =>
          nav(
            p.profile.name,
            { kind: 'profile', name: p.profile.name },
            p.profile.paused ? (
              <span class="badge">paused</span>
            ) : p.lastScan?.status === 'failed' ? (
              <span class="badge failed">failed</span>
            ) : null,
          ),
        )}
        {nav('+ Add profile', { kind: 'new-profile' })}
        <div class="group-label">App</div>
        {nav(
          'Email',
          { kind: 'email' },
          dirty && page?.kind !== 'email' ? <span class="badge changed">unsaved</span> : null,
        )}
        {nav('Notifications', { kind: 'notifications' })}
        {nav('Channels', { kind: 'channels' })}
        {nav('Nmap', { kind: 'nmap' })}
      </nav>
      <main class="content">
        {loadError ? <Banner kind="error">{loadError}</Banner> : null}
        {pendingPage ? (
          <div class="banner warn unsaved" role="alertdialog" aria-label="Unsaved changes">
            <span class="grow">This profile has changes that are not saved.</span>
            <button type="button" class="btn small" onClick={() => setPendingPage(null)}>
              Keep editing
            </button>
            <button
              type="button"
              class="btn small danger"
              onClick={() => {
                setProfileDirty(false);
                setPage(pendingPage);
                setPendingPage(null);
              }}
            >
              Discard changes
            </button>
          </div>
        ) : null}
        {page?.kind === 'profile' && current ? (
          <>
            <div class="page-head">
              <h1>{current.profile.name}</h1>
              <span class="muted">
                {current.lastScan
                  ? `last scanned ${formatRelative(current.lastScan.startedAt)}`
                  : 'not scanned yet'}{' '}
                · {current.schedule.text}
              </span>
            </div>
            <ProfileEditor
              view={current}
              onDirty={setProfileDirty}
              existingNames={(profiles ?? []).map((p) => p.profile.name)}
              onSaved={(v) => void loadProfiles(v.profile.name)}
              onRemoved={() => {
                setPage(null);
                void loadProfiles();
              }}
              onCancel={() => {}}
            />
            <ReferencePanel
              profile={current.profile.name}
              onChanged={() => void loadProfiles(current.profile.name)}
            />
          </>
        ) : null}
        {page?.kind === 'new-profile' && profiles?.length === 0 ? (
          <Welcome networks={networks} chosen={network} onChoose={setNetwork} />
        ) : null}
        {page?.kind === 'new-profile' ? (
          <>
            <div class="page-head">
              <h1>Add a profile</h1>
              <span class="muted">A set of hosts to watch, how to scan them, and when.</span>
            </div>
            <ProfileEditor
              key={firstProfile ? `first:${firstProfile.targets}` : 'new'}
              {...(firstProfile ? { initial: firstProfile } : {})}
              view={null}
              onDirty={setProfileDirty}
              existingNames={(profiles ?? []).map((p) => p.profile.name)}
              onSaved={(v) => void loadProfiles(v.profile.name)}
              onRemoved={() => {}}
              onCancel={() =>
                setPage(
                  profiles?.[0]
                    ? { kind: 'profile', name: profiles[0].profile.name }
                    : { kind: 'new-profile' },
                )
              }
            />
          </>
        ) : null}
        {page?.kind === 'channels' ? (
          <>
            <div class="page-head">
              <h1>Channels</h1>
              <span class="muted">Push, chat and webhooks, besides email.</span>
            </div>
            <ChannelsPage />
          </>
        ) : null}
        {draft && (page?.kind === 'email' || page?.kind === 'notifications' || page?.kind === 'nmap') ? (
          <>
            <div class="page-head">
              <h1>
                {page.kind === 'email' ? 'Email' : page.kind === 'notifications' ? 'Notifications' : 'Nmap'}
              </h1>
            </div>
            {page.kind === 'email' ? (
              <EmailPage
                draft={draft}
                set={setSettings}
                recipients={recipients}
                setRecipients={(t) => {
                  setRecipients(t);
                  setSettingsTouched(true);
                  setSettingsNotice(null);
                }}
                errors={errors}
                show={show}
                secret={secret}
                setSecret={setSecret}
              />
            ) : page.kind === 'notifications' ? (
              <NotificationsPage draft={draft} set={setSettings} show={show} />
            ) : (
              <NmapPage draft={draft} set={setSettings} />
            )}
            {settingsSaveError ? (
              <Banner kind="error" testId="settings-save-error">
                {settingsSaveError}
              </Banner>
            ) : null}
            <div class="actions">
              {settingsNotice ? (
                <span class="muted" role="status">
                  {settingsNotice}
                </span>
              ) : null}
              <button type="button" class="btn" disabled={!dirty} onClick={revertSettings}>
                Revert
              </button>
              <button type="button" class="btn primary" disabled={!dirty} onClick={saveSettings}>
                Save settings
              </button>
            </div>
          </>
        ) : null}
      </main>
    </div>
  );
}

/** The first launch: what Portwatch does, and a first profile suggested from this machine's own network. */
function Welcome(props: {
  networks: LocalNetwork[];
  chosen: LocalNetwork | null;
  onChoose: (n: LocalNetwork | null) => void;
}) {
  const { networks, chosen } = props;
  return (
    <section class="card welcome" aria-labelledby="welcome-title" data-testid="welcome">
      <h2 id="welcome-title">Welcome to Portwatch</h2>
      <p>Portwatch scans your machines with nmap on a schedule and tells you when their open ports change.</p>
      {networks.length > 0 ? (
        <>
          <p>
            Below is a first profile for this computer's network, <strong>{chosen?.label}</strong>. Check it,
            then choose <em>Add profile</em>: nothing is scanned before you do.
          </p>
          {networks.length > 1 ? (
            <label class="row">
              <span>Network</span>
              <select
                value={chosen?.cidr ?? ''}
                onChange={(e) =>
                  props.onChoose(networks.find((n) => n.cidr === e.currentTarget.value) ?? null)
                }
              >
                {networks.map((n) => (
                  <option key={n.cidr} value={n.cidr}>
                    {n.label}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </>
      ) : (
        <p>Add the hosts or networks to watch below; nothing is scanned before you add the profile.</p>
      )}
    </section>
  );
}

render(<SettingsApp />, document.getElementById('app')!);
