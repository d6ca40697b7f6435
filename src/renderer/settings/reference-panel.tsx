// A profile's reference: the scan every new scan is compared with. Import one (an nmap XML file), capture one
// now (a scan), or look at what it holds.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ReferenceView, ScanProgressEvent } from '../../shared/ipc.ts';
import { api, call, messageOf } from '../common/api.ts';
import { Banner, ProgressBar } from '../common/components.tsx';
import { formatFullTime, plural } from '../common/format.ts';

const sourceWords: Record<string, string> = {
  import: 'imported from a file',
  capture: 'captured by a scan',
  accept: 'accepted from a scan',
};

export function ReferencePanel(props: { profile: string; onChanged: () => void }) {
  const [view, setView] = useState<ReferenceView | null>(null);
  const [busy, setBusy] = useState<'import' | 'capture' | null>(null);
  const [progress, setProgress] = useState<ScanProgressEvent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const file = useRef<HTMLInputElement>(null);

  const load = () =>
    call('getReference', { profile: props.profile }).then(setView, (e) => setError(messageOf(e)));
  useEffect(() => {
    setView(null);
    setError(null);
    setNotice(null);
    setOpen(false);
    void load();
    return api().on('scanProgress', (p) => {
      if (p.profile === props.profile) setProgress(p);
    });
  }, [props.profile]);

  const importFile = async (input: HTMLInputElement) => {
    const chosen = input.files?.[0];
    input.value = '';
    if (!chosen) return;
    setBusy('import');
    setError(null);
    setNotice(null);
    try {
      const summary = await call('importReference', {
        profile: props.profile,
        fileName: chosen.name,
        xml: await chosen.text(),
      });
      setNotice(
        `Imported ${chosen.name}: ${plural(summary.hosts, 'host')}, ${plural(summary.openPorts, 'open port')}.`,
      );
      await load();
      props.onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };

  const capture = async () => {
    setBusy('capture');
    setError(null);
    setNotice(null);
    setProgress(null);
    try {
      const summary = await call('captureReference', { profile: props.profile });
      setNotice(`Captured: ${plural(summary.hosts, 'host')}, ${plural(summary.openPorts, 'open port')}.`);
      await load();
      props.onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
      setProgress(null);
    }
  };

  const summary = view?.summary;
  return (
    <section class="card" aria-labelledby="reference-title" data-testid="reference-panel">
      <div class="card-head">
        <h2 id="reference-title">Reference</h2>
        <input
          ref={file}
          type="file"
          accept=".xml,application/xml,text/xml"
          class="visually-hidden"
          aria-label="nmap XML file to import as the reference"
          data-testid="reference-file"
          onChange={(e) => importFile(e.currentTarget)}
        />
        <button type="button" class="btn" disabled={busy !== null} onClick={() => file.current?.click()}>
          {busy === 'import' ? 'Importing…' : 'Import nmap XML…'}
        </button>
        <button type="button" class="btn" disabled={busy !== null} onClick={capture}>
          {busy === 'capture' ? 'Scanning…' : 'Capture now'}
        </button>
      </div>
      {view === null && !error ? <p class="muted">Loading…</p> : null}
      {view && !summary ? (
        <p class="muted">
          No reference yet. The first successful scan becomes the reference; or import one you trust (from{' '}
          <code>nmap -oX</code>), or capture one now.
        </p>
      ) : null}
      {summary ? (
        <div class="row" data-testid="reference-summary">
          <span>
            <strong>{plural(summary.hosts, 'host')}</strong>,{' '}
            <strong>{plural(summary.openPorts, 'open port')}</strong>
          </span>
          <span class="muted">
            · scanned {formatFullTime(summary.scannedAt)} · {sourceWords[summary.source] ?? summary.source}
          </span>
          <span class="grow" />
          <button type="button" class="btn link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide ports' : 'Show ports'}
          </button>
        </div>
      ) : null}
      {busy === 'capture' ? (
        <div class="stack">
          <ProgressBar percent={progress?.percent ?? 0} label="Reference scan progress" />
          <span class="muted small">
            {progress ? `${progress.task}: ${Math.round(progress.percent)}%` : 'Starting nmap…'}
          </span>
        </div>
      ) : null}
      {notice ? (
        <Banner kind="ok" testId="reference-notice">
          {notice}
        </Banner>
      ) : null}
      {error ? (
        <Banner kind="error" testId="reference-error">
          {error}
        </Banner>
      ) : null}
      {open && view ? (
        <table class="data" aria-label="Ports in the reference">
          <thead>
            <tr>
              <th>Host</th>
              <th>Port</th>
              <th>State</th>
              <th>Service</th>
            </tr>
          </thead>
          <tbody>
            {view.hosts.flatMap((h) =>
              (h.ports.length > 0 ? h.ports : [null]).map((p, i) => (
                <tr>
                  <td class="mono">
                    {i === 0 ? [h.address, ...h.hostnames.map((n) => `(${n})`)].join(' ') : ''}
                  </td>
                  <td class="mono">{p ? `${p.port}/${p.protocol}` : '—'}</td>
                  <td>{p ? p.state : h.state}</td>
                  <td>{p?.service ?? ''}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
