// The status page: the tray's job in a browser. Each profile's state, its last and next scan, pause/resume
// and scan now (one profile or all), kept live by the stateChanged event.
import './boot.ts';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { trayStateWords, type AppState, type ProfileState } from '../../shared/ipc.ts';
import { api, call, messageOf } from '../../renderer/common/api.ts';
import { Banner, ProgressBar } from '../../renderer/common/components.tsx';
import { formatRelative, formatTime, plural } from '../../renderer/common/format.ts';
import '../../renderer/common/styles.css';

function LastScan(props: { profile: ProfileState }) {
  const last = props.profile.lastScan;
  if (!last) return <span class="muted">never</span>;
  const what =
    last.status !== 'ok'
      ? last.status
      : last.counts.alerted > 0
        ? plural(last.counts.alerted, 'change')
        : 'no changes';
  return (
    <a href={`/history.html?scan=${encodeURIComponent(last.id)}`} title={formatTime(last.startedAt)}>
      {formatRelative(last.startedAt)} ·{' '}
      <span class={`badge ${last.status === 'ok' && last.counts.alerted > 0 ? 'opened' : last.status}`}>
        {what}
      </span>
    </a>
  );
}

function ProfileRow(props: { profile: ProfileState; act: (run: () => Promise<unknown>) => void }) {
  const p = props.profile;
  return (
    <tr data-testid={`profile-${p.name}`}>
      <th scope="row">{p.name}</th>
      <td>
        {p.scanning ? (
          p.progress ? (
            <ProgressBar percent={p.progress.percent} label={`${p.name}: ${p.progress.task}`} />
          ) : (
            'starting scan…'
          )
        ) : p.paused ? (
          'paused'
        ) : (
          'watching'
        )}
      </td>
      <td>
        <LastScan profile={p} />
      </td>
      <td>
        {p.nextRun ? formatTime(p.nextRun) : <span class="muted">{p.paused ? 'paused' : 'manual'}</span>}
      </td>
      <td>
        <button
          class="btn small"
          disabled={p.scanning}
          onClick={() => props.act(() => call('scanNow', { profile: p.name }))}
        >
          Scan now
        </button>{' '}
        <button
          class="btn small"
          onClick={() => props.act(() => call('setPaused', { profile: p.name, paused: !p.paused }))}
        >
          {p.paused ? 'Resume' : 'Pause'}
        </button>
      </td>
    </tr>
  );
}

function StatusApp() {
  const [state, setState] = useState<AppState | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    call('getAppState', {}).then(setState, (e) => setError(messageOf(e)));
    return api().on('stateChanged', setState);
  }, []);

  const act = (run: () => Promise<unknown>) => {
    setError(null);
    run().then(
      () => call('getAppState', {}).then(setState),
      (e) => setError(messageOf(e)),
    );
  };

  if (!state)
    return <div class="status-page">{error ? <Banner kind="error">{error}</Banner> : 'Loading…'}</div>;
  const allPaused = state.profiles.length > 0 && state.profiles.every((p) => p.paused);
  return (
    <main class="status-page">
      <div class="page-head">
        <h1 data-testid="overall-state">{trayStateWords[state.state]}</h1>
        {state.unseen > 0 ? (
          <a href="/history.html">{plural(state.unseen, 'scan')} with changes to review</a>
        ) : null}
        <span class="spacer" />
        <button
          class="btn"
          disabled={state.profiles.length === 0}
          onClick={() => act(() => call('scanNow', {}))}
        >
          Scan all now
        </button>
        <button
          class="btn"
          disabled={state.profiles.length === 0}
          onClick={() => act(() => call('setPaused', { paused: !allPaused }))}
        >
          {allPaused ? 'Resume all' : 'Pause all'}
        </button>
      </div>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {state.error ? <Banner kind="warn">{state.error}</Banner> : null}
      {state.profiles.length === 0 ? (
        <div class="empty">
          <h2>No profiles yet</h2>
          <a href="/settings.html">Add one in Settings</a>
        </div>
      ) : (
        <div class="card">
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Profile</th>
                <th scope="col">State</th>
                <th scope="col">Last scan</th>
                <th scope="col">Next scan</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.profiles.map((p) => (
                <ProfileRow key={p.name} profile={p} act={act} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

render(<StatusApp />, document.getElementById('app')!);
