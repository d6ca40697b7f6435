// The history window: filters, the virtualised timeline, the chart of open ports, and one scan's detail.
// Opened on a scan by a notification click (?scan=ID, or the openScan event when the window is already open).
import '../common/zod-jitless.ts';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ChangeKind } from '../../shared/changes.ts';
import type { HistoryRow, ProfileView } from '../../shared/ipc.ts';
import { api, call } from '../common/api.ts';
import { Check, useDebounced } from '../common/components.tsx';
import { PortsChart } from './chart.tsx';
import { ScanDetailView } from './detail.tsx';
import { Timeline, type Filters } from './timeline.tsx';
import '../common/styles.css';
import './history.css';

const kinds: [ChangeKind, string][] = [
  ['port-opened', 'Port opened'],
  ['port-closed', 'Port closed'],
  ['port-state-changed', 'Port state changed'],
  ['service-changed', 'Version changed'],
  ['host-added', 'Host added'],
  ['host-removed', 'Host removed'],
  ['host-up', 'Host up'],
  ['host-down', 'Host down'],
  ['os-changed', 'OS changed'],
  ['script-changed', 'Script output changed'],
  ['hostname-changed', 'Host name changed'],
  ['mac-changed', 'MAC changed'],
];

/** A local date (yyyy-mm-dd) as an ISO bound: the start of that day, or its end. */
const dayBound = (day: string, end: boolean): string | undefined =>
  day ? new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`).toISOString() : undefined;

function HistoryApp() {
  const initial = new URLSearchParams(location.search).get('scan');
  const [profiles, setProfiles] = useState<ProfileView[]>([]);
  const [profile, setProfile] = useState('');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('');
  const [kind, setKind] = useState('');
  const [status, setStatus] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [onlyChanges, setOnlyChanges] = useState(false);
  const [selected, setSelected] = useState<HistoryRow | { id: string; profile: string } | null>(
    initial ? { id: initial, profile: '' } : null,
  );
  const [version, setVersion] = useState(0);

  useEffect(() => {
    call('listProfiles', {}).then(setProfiles, () => setProfiles([]));
    const offOpen = api().on('openScan', ({ id }) => setSelected({ id, profile: '' }));
    const offRecorded = api().on('scanRecorded', () => setVersion((v) => v + 1));
    return () => {
      offOpen();
      offRecorded();
    };
  }, []);

  const portNumber =
    /^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535 ? Number(port) : undefined;
  const filters: Filters = useDebounced(
    {
      ...(profile ? { profile } : {}),
      ...(host.trim() ? { host: host.trim() } : {}),
      ...(portNumber !== undefined ? { port: portNumber } : {}),
      ...(kind ? { kind } : {}),
      ...(status ? { status: status as Filters['status'] } : {}),
      ...(onlyChanges ? { onlyChanges } : {}),
      ...(from ? { from: dayBound(from, false) } : {}),
      ...(to ? { to: dayBound(to, true) } : {}),
    },
    200,
  );

  const chartProfile =
    profile || (selected && 'profile' in selected && selected.profile) || profiles[0]?.profile.name || null;

  const pickTime = async (t: number) => {
    if (!chartProfile) return;
    const iso = new Date(t * 1000).toISOString();
    const page = await call('listHistory', { profile: chartProfile, to: iso, offset: 0, limit: 1 }).catch(
      () => null,
    );
    const row = page?.rows[0];
    if (row) setSelected(row);
  };

  return (
    <div class="history">
      <form class="filters" role="search" aria-label="Filter scans" onSubmit={(e) => e.preventDefault()}>
        <label>
          Profile
          <select aria-label="Profile" value={profile} onChange={(e) => setProfile(e.currentTarget.value)}>
            <option value="">All profiles</option>
            {profiles.map((p) => (
              <option value={p.profile.name}>{p.profile.name}</option>
            ))}
          </select>
        </label>
        <label>
          Host
          <input
            type="text"
            class="mono"
            placeholder="10.0.0.5"
            value={host}
            onInput={(e) => setHost(e.currentTarget.value)}
          />
        </label>
        <label>
          Port
          <input
            type="text"
            class="mono port"
            aria-label="Port"
            inputMode="numeric"
            placeholder="443"
            aria-invalid={port && portNumber === undefined ? 'true' : 'false'}
            value={port}
            onInput={(e) => setPort(e.currentTarget.value.trim())}
          />
        </label>
        <label>
          Change
          <select aria-label="Change" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="">Any change</option>
            {kinds.map(([k, label]) => (
              <option value={k}>{label}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select aria-label="Status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">Any status</option>
            <option value="ok">Completed</option>
            <option value="failed">Failed</option>
            <option value="offline">Offline</option>
            <option value="cancelled">Cancelled</option>
          </select>
        </label>
        <label>
          From
          <input type="date" aria-label="From" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To
          <input type="date" aria-label="To" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <Check label="Only scans with changes" checked={onlyChanges} onChange={setOnlyChanges} />
      </form>
      <div class="history-body">
        <Timeline
          filters={filters}
          selected={selected?.id ?? null}
          onSelect={setSelected}
          version={version}
        />
        <main class="history-main">
          <PortsChart
            profile={chartProfile}
            {...(host.trim() ? { host: host.trim() } : {})}
            version={version}
            onPick={pickTime}
          />
          {selected ? (
            <ScanDetailView
              id={selected.id}
              onAccepted={() => setVersion((v) => v + 1)}
              onFilterHost={setHost}
              onLoaded={(p) =>
                setSelected((s) => (s && s.id === selected.id && s.profile !== p ? { ...s, profile: p } : s))
              }
            />
          ) : (
            <div class="empty">
              <h2>Choose a scan</h2>
              <p>Pick a scan on the left to see what changed.</p>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}

render(<HistoryApp />, document.getElementById('app')!);
