// Alert channels besides mail (ntfy, Slack-compatible, Discord, Teams, a signed webhook): the list with a
// Test button that shows the server's answer, and a form to add one. URLs and keys go to main once and
// never come back: the list shows only the host and the last 4 characters.
import { useEffect, useState } from 'preact/hooks';
import {
  channelKinds,
  channelNameProblem,
  type ChannelAnswer,
  type ChannelInfo,
  type ChannelKind,
} from '../../shared/channels.ts';
import { call, messageOf } from '../common/api.ts';
import { Banner, Field, described, useId } from '../common/components.tsx';
import { splitList } from '../common/validation.ts';

const kindWords: Record<ChannelKind, string> = {
  ntfy: 'ntfy (phone push)',
  slack: 'Slack, Mattermost or Rocket.Chat',
  discord: 'Discord',
  teams: 'Microsoft Teams (Workflows)',
  webhook: 'Webhook (JSON, signed)',
};

const urlHints: Record<ChannelKind, string> = {
  ntfy: 'The server and topic, e.g. https://ntfy.sh/my-portwatch-topic',
  slack: 'The incoming webhook URL (https://hooks.slack.com/services/…)',
  discord: 'The webhook URL (https://discord.com/api/webhooks/…)',
  teams: 'The Workflows webhook URL (“Post to a channel when a webhook request is received”)',
  webhook: 'Any https:// URL; it gets the change model as JSON',
};

function urlError(url: string): string | null {
  if (url.trim() === '') return 'paste the URL';
  try {
    const u = new URL(url.trim());
    const loopback = /^(127\.|localhost$|\[::1\]$)/.test(u.hostname);
    if (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) return null;
    return 'use the https:// address';
  } catch {
    return 'paste the full URL, starting with https://';
  }
}

function ChannelRow(props: { channel: ChannelInfo; onRemoved: (list: ChannelInfo[]) => void }) {
  const { channel } = props;
  const [answer, setAnswer] = useState<ChannelAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const test = async () => {
    setBusy(true);
    setAnswer(null);
    setError(null);
    try {
      setAnswer(await call('testChannel', { name: channel.name }));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      props.onRemoved(await call('removeChannel', { name: channel.name }));
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <li class="channel" data-testid={`channel-${channel.name}`}>
      <div class="card-head">
        <strong>{channel.name}</strong>
        <span class="muted">
          {kindWords[channel.kind]} · <span class="mono">{channel.target}</span> ·{' '}
          {channel.profiles?.length ? channel.profiles.join(', ') : 'every profile'}
        </span>
        <span class="grow" />
        <button type="button" class="btn small" disabled={busy} onClick={test}>
          {busy ? 'Sending…' : 'Test'}
        </button>
        <button type="button" class="btn small danger" onClick={remove}>
          Remove
        </button>
      </div>
      {answer ? (
        <Banner kind={answer.ok ? 'ok' : 'error'} testId="channel-answer">
          {answer.ok ? `Sent. The server said: ${answer.message}` : answer.message}
        </Banner>
      ) : null}
      {error ? <Banner kind="error">{error}</Banner> : null}
    </li>
  );
}

export function ChannelsPage() {
  const [list, setList] = useState<ChannelInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ChannelKind>('ntfy');
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [profiles, setProfiles] = useState('');
  const [touched, setTouched] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const ids = {
    name: useId('channel-name'),
    kind: useId('channel-kind'),
    url: useId('channel-url'),
    token: useId('channel-token'),
    profiles: useId('channel-profiles'),
  };

  useEffect(() => {
    call('listChannels', {}).then(setList, (e: unknown) => setLoadError(messageOf(e)));
  }, []);

  const errors = {
    name: name.trim() === '' ? 'give the channel a name' : (channelNameProblem(name.trim()) ?? null),
    url: urlError(url),
  };
  const show = (key: keyof typeof errors) => (touched ? errors[key] : null);
  const add = async () => {
    setTouched(true);
    setSaveError(null);
    if (errors.name || errors.url) return;
    try {
      const secret = token.trim()
        ? kind === 'ntfy'
          ? { token: token.trim() }
          : { hmacKey: token.trim() }
        : {};
      const chosen = splitList(profiles);
      setList(
        await call('addChannel', {
          name: name.trim(),
          kind,
          url: url.trim(),
          ...secret,
          ...(chosen.length ? { profiles: chosen } : {}),
        }),
      );
      setName('');
      setUrl('');
      setToken('');
      setProfiles('');
      setTouched(false);
    } catch (e) {
      setSaveError(messageOf(e));
    }
  };

  return (
    <>
      <section class="card" aria-labelledby="channels-title">
        <div class="card-head">
          <h2 id="channels-title">Alert channels</h2>
        </div>
        <p class="muted small">
          Every alert that goes by mail also goes to each channel here, through the same outbox: retried until
          delivered, held in quiet hours, grouped by the digest setting.
        </p>
        {loadError ? <Banner kind="error">{loadError}</Banner> : null}
        {list && list.length === 0 ? <p class="muted">No channels yet.</p> : null}
        <ul class="channels">
          {(list ?? []).map((c) => (
            <ChannelRow key={c.name} channel={c} onRemoved={setList} />
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="channel-add-title">
        <div class="card-head">
          <h2 id="channel-add-title">Add a channel</h2>
        </div>
        <div class="form-grid">
          <Field label="Channel name" id={ids.name} error={show('name')}>
            <input
              {...described(ids.name, show('name'))}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              placeholder="phone"
            />
          </Field>
          <Field label="Kind" id={ids.kind}>
            <select
              id={ids.kind}
              value={kind}
              onChange={(e) => setKind(e.currentTarget.value as ChannelKind)}
            >
              {channelKinds.map((k) => (
                <option value={k}>{kindWords[k]}</option>
              ))}
            </select>
          </Field>
          <Field label="URL" id={ids.url} error={show('url')} hint={urlHints[kind]}>
            <input
              {...described(ids.url, show('url'))}
              type="password"
              autocomplete="off"
              value={url}
              onInput={(e) => setUrl(e.currentTarget.value)}
            />
          </Field>
          {kind === 'ntfy' || kind === 'webhook' ? (
            <Field
              label={kind === 'ntfy' ? 'Access token' : 'Signing key'}
              id={ids.token}
              hint={
                kind === 'ntfy'
                  ? 'Optional: for a protected topic'
                  : 'Optional: signs the body (X-Portwatch-Signature: sha256=…)'
              }
            >
              <input
                {...described(ids.token)}
                type="password"
                autocomplete="off"
                value={token}
                onInput={(e) => setToken(e.currentTarget.value)}
              />
            </Field>
          ) : null}
          <Field
            label="Profiles"
            id={ids.profiles}
            hint="Optional: only these profiles' alerts, separated by commas (empty: every profile)"
          >
            <input
              {...described(ids.profiles)}
              value={profiles}
              onInput={(e) => setProfiles(e.currentTarget.value)}
            />
          </Field>
        </div>
        {saveError ? (
          <Banner kind="error" testId="channel-save-error">
            {saveError}
          </Banner>
        ) : null}
        <div class="actions">
          <button type="button" class="btn primary" onClick={add}>
            Add channel
          </button>
        </div>
      </section>
    </>
  );
}
