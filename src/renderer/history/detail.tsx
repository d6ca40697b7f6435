// One scan: what changed, grouped by host (new open ports first), the familiar ndiff text, and the actions:
// accept as the new reference (all hosts or the chosen ones) and export.
import { useEffect, useState } from 'preact/hooks';
import type { Change } from '../../shared/changes.ts';
import { changeKey } from '../../shared/changes.ts';
import type { ExportFormat, ScanDetail } from '../../shared/ipc.ts';
import type { DeliveryState } from '../../shared/history.ts';
import { call, messageOf } from '../common/api.ts';
import { Banner, download } from '../common/components.tsx';
import { formatDuration, formatFullTime, plural } from '../common/format.ts';
import { groupByHost } from '../../shared/wording.ts';

const kindWords: Record<Change['kind'], string> = {
  'port-opened': 'opened',
  'port-closed': 'closed',
  'port-state-changed': 'state',
  'service-changed': 'version',
  'host-added': 'new host',
  'host-removed': 'host gone',
  'host-up': 'host up',
  'host-down': 'host down',
  'os-changed': 'OS',
  'script-changed': 'script',
  'hostname-changed': 'name',
  'mac-changed': 'MAC',
};

const tone = (c: Change): string =>
  c.kind === 'port-opened' || c.kind === 'host-added' || c.kind === 'host-up'
    ? 'opened'
    : c.kind === 'port-closed' || c.kind === 'host-removed' || c.kind === 'host-down'
      ? 'closed'
      : 'changed';

function side(c: Change, which: 'before' | 'after'): string {
  const s = c[which];
  if (!s) return '—';
  if ('matches' in s) return s.matches[0] ?? 'unknown';
  if ('output' in s) return s.output.split('\n')[0] ?? '';
  if ('hostnames' in s) {
    if (c.kind === 'hostname-changed') return s.hostnames.join(', ') || '(none)';
    if (c.kind === 'mac-changed') return s.mac ?? '(none)';
    return s.state;
  }
  const svc = s.service
    ? [
        s.service.name,
        s.service.product,
        s.service.version,
        s.service.extrainfo && `(${s.service.extrainfo})`,
      ]
        .filter(Boolean)
        .join(' ')
    : '';
  const state = s.state === 'unscanned' ? 'not scanned' : s.state === 'absent' ? 'not there' : s.state;
  return c.kind === 'service-changed' ? svc || state : [state, svc].filter(Boolean).join(' · ');
}

function NdiffText(props: { text: string }) {
  return (
    <pre class="ndiff" data-testid="ndiff-text" tabIndex={0} aria-label="ndiff output">
      {props.text.split('\n').map((line) => (
        <span class={line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : undefined}>
          {line + '\n'}
        </span>
      ))}
    </pre>
  );
}

const exportLabels: [ExportFormat, string][] = [
  ['ndiff-text', 'ndiff text'],
  ['ndiff-xml', 'ndiff XML'],
  ['json', 'JSON'],
  ['csv', 'CSV'],
  ['html', 'HTML report'],
];

export function ScanDetailView(props: {
  id: string;
  onAccepted: () => void;
  onFilterHost: (host: string) => void;
  /** Told which profile the scan belongs to once it is loaded (the window may open on a bare id). */
  onLoaded?: (profile: string) => void;
}) {
  const [detail, setDetail] = useState<ScanDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    setDetail(null);
    setError(null);
    setNotice(null);
    setActionError(null);
    setChosen(new Set());
    call('getScan', { id: props.id }).then(
      (d) => {
        if (!live) return;
        setDetail(d);
        props.onLoaded?.(d.entry.profile);
      },
      (e) => live && setError(messageOf(e)),
    );
    return () => {
      live = false;
    };
  }, [props.id]);

  if (error) return <Banner kind="error">{error}</Banner>;
  if (!detail) return <p class="muted">Loading the scan…</p>;
  const { entry } = detail;
  const groups = groupByHost(entry.changes);
  const suppressed = new Set(entry.suppressed);

  const accept = async () => {
    setBusy(true);
    setActionError(null);
    try {
      const hosts = chosen.size > 0 ? [...chosen] : undefined;
      const summary = await call('acceptScan', { id: entry.id, ...(hosts ? { hosts } : {}) });
      setNotice(
        `${hosts ? `${plural(hosts.length, 'host')} of this scan are` : 'This scan is'} now the reference for ${entry.profile}: ${plural(summary.hosts, 'host')}, ${plural(summary.openPorts, 'open port')}.`,
      );
      props.onAccepted();
    } catch (e) {
      setActionError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const exportAs = async (format: ExportFormat) => {
    setActionError(null);
    try {
      const file = await call('exportScan', { id: entry.id, format });
      download(file.fileName, file.mimeType, file.content);
    } catch (e) {
      setActionError(messageOf(e));
    }
  };

  const toggle = (host: string) =>
    setChosen((old) => {
      const next = new Set(old);
      if (next.has(host)) next.delete(host);
      else next.add(host);
      return next;
    });

  // Per channel when there is more than mail ("email: delivered", "phone: failed: HTTP 404 ..."), else one.
  const perChannel =
    entry.deliveries && entry.deliveries.some((d) => d.channel !== 'email')
      ? entry.deliveries.map((d) => ({ channel: d.channel, state: d.delivery }))
      : [{ channel: '', state: entry.delivery }];
  const deliveries = perChannel.flatMap(({ channel, state }) => {
    const text = deliveryText(state);
    return text ? [channel ? `${channel}: ${text.replace(/^report /, '')}` : text] : [];
  });

  return (
    <article class="detail" aria-labelledby="detail-title" data-testid="scan-detail">
      <section class="card">
        <div class="card-head">
          <h2 id="detail-title">
            {entry.profile} · {formatFullTime(entry.startedAt)}
          </h2>
          <span
            class={`badge ${entry.status === 'ok' ? (entry.counts.changes > 0 ? 'opened' : 'ok') : entry.status}`}
          >
            {entry.status === 'ok'
              ? entry.counts.changes > 0
                ? plural(entry.counts.changes, 'change')
                : 'no changes'
              : entry.status}
          </span>
        </div>
        <div class="facts">
          <span>
            <strong>{entry.counts.hostsUp}</strong>/{entry.counts.hostsScanned} hosts up
          </span>
          <span>
            <strong>{entry.counts.openPorts.toLocaleString()}</strong> open ports
          </span>
          <span>took {formatDuration(entry.durationMs)}</span>
          {entry.counts.alerted !== entry.counts.changes ? (
            <span>{plural(entry.counts.alerted, 'alert')}</span>
          ) : null}
          {deliveries.map((text) => (
            <span key={text} data-testid="delivery">
              {text}
            </span>
          ))}
        </div>
        {entry.reason ? (
          <Banner kind={entry.status === 'ok' ? 'info' : 'error'}>{entry.reason}</Banner>
        ) : null}
        <p class="muted small mono args">nmap {entry.nmapArgs.join(' ')}</p>
        <div class="actions">
          <span class="muted small grow">
            {detail.canAccept
              ? chosen.size > 0
                ? `Accept only ${plural(chosen.size, 'chosen host')}; the rest of the reference stays.`
                : 'Tick hosts below to accept only those.'
              : 'This scan’s XML is not kept, so it cannot become the reference.'}
          </span>
          <button type="button" class="btn primary" disabled={!detail.canAccept || busy} onClick={accept}>
            {chosen.size > 0
              ? `Accept ${plural(chosen.size, 'host')} as reference`
              : 'Accept as new reference'}
          </button>
        </div>
        <div class="actions export" role="group" aria-label="Export this scan">
          <span class="muted small grow">Export:</span>
          {exportLabels.map(([format, label]) => (
            <button type="button" class="btn small" onClick={() => exportAs(format)}>
              {label}
            </button>
          ))}
        </div>
        {notice ? (
          <Banner kind="ok" testId="accept-notice">
            {notice}
          </Banner>
        ) : null}
        {actionError ? (
          <Banner kind="error" testId="detail-error">
            {actionError}
          </Banner>
        ) : null}
      </section>

      {groups.length === 0 && entry.status === 'ok' ? (
        <section class="card">
          <p class="muted">Nothing changed against the reference.</p>
        </section>
      ) : null}
      {groups.map((g) => (
        <section class="card host-card" aria-label={`Changes on ${g.host}`}>
          <div class="card-head">
            {detail.canAccept ? (
              <input
                type="checkbox"
                aria-label={`Choose ${g.host} to accept`}
                checked={chosen.has(g.host)}
                onChange={() => toggle(g.host)}
              />
            ) : null}
            <h3 class="mono grow">{g.host}</h3>
            <span class="muted small">{plural(g.changes.length, 'change')}</span>
            <button type="button" class="btn link small" onClick={() => props.onFilterHost(g.host)}>
              Only this host
            </button>
          </div>
          <table class="data changes">
            <tbody>
              {g.changes.map((c) => (
                <tr class={`change ${tone(c)}`}>
                  <td class="kind">
                    <span class={`badge ${tone(c)}`}>{kindWords[c.kind]}</span>
                  </td>
                  <td class="mono where">
                    {'port' in c && c.port !== undefined ? `${c.port}/${c.protocol}` : ''}
                  </td>
                  <td class="before">{side(c, 'before')}</td>
                  <td class="arrow" aria-label="became">
                    →
                  </td>
                  <td class="after">
                    {side(c, 'after')}
                    {suppressed.has(changeKey(c)) ? <span class="badge"> expected</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}

      {detail.ndiffText ? (
        <section class="card">
          <details open={entry.changes.length <= 40}>
            <summary>
              <h3 class="inline">ndiff</h3>{' '}
              <span class="muted small">the classic view, reference → this scan</span>
            </summary>
            <NdiffText text={detail.ndiffText} />
          </details>
        </section>
      ) : null}
    </article>
  );
}

function deliveryText(delivery: DeliveryState): string | null {
  switch (delivery.state) {
    case 'delivered':
      return 'report delivered';
    case 'waiting':
      return `report waiting (attempt ${delivery.attempts})${delivery.lastError ? `: ${delivery.lastError}` : ''}`;
    case 'failed':
      return `report failed: ${delivery.error}`;
    default:
      return null;
  }
}
