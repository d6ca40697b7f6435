// The scan timeline, newest first. Virtualised: only the rows in view exist in the DOM, and pages of rows are
// fetched from main as they scroll into view, so tens of thousands of scans stay instant.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { HistoryQuery, HistoryRow } from '../../shared/ipc.ts';
import { call, messageOf } from '../common/api.ts';
import { Banner } from '../common/components.tsx';
import { formatDuration, formatTime, plural } from '../common/format.ts';

const ROW = 56;
const PAGE = 100;
const OVERSCAN = 6;

export type Filters = Omit<HistoryQuery, 'offset' | 'limit'>;

function statusOf(row: HistoryRow): { dot: string; text: string } {
  if (row.status !== 'ok')
    return {
      dot: row.status,
      text: row.status === 'failed' ? 'Failed' : row.status === 'offline' ? 'Offline' : 'Cancelled',
    };
  if (row.counts.changes > 0) return { dot: 'changes', text: plural(row.counts.changes, 'change') };
  return { dot: 'ok', text: 'No changes' };
}

export function Timeline(props: {
  filters: Filters;
  selected: string | null;
  onSelect: (row: HistoryRow) => void;
  /** Bumped when a new scan is recorded, to reload. */
  version: number;
}) {
  const [total, setTotal] = useState<number | null>(null);
  const [rows, setRows] = useState<Map<number, HistoryRow>>(new Map());
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const spacer = useRef<HTMLDivElement>(null);
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const key = JSON.stringify(props.filters);

  const loadPage = async (page: number, gen: number) => {
    if (loading.current.has(page)) return;
    loading.current.add(page);
    try {
      const result = await call('listHistory', { ...props.filters, offset: page * PAGE, limit: PAGE });
      if (gen !== generation.current) return;
      setTotal(result.total);
      setRows((old) => {
        const next = new Map(old);
        result.rows.forEach((r, i) => next.set(page * PAGE + i, r));
        return next;
      });
      setError(null);
    } catch (e) {
      if (gen === generation.current) setError(messageOf(e));
    } finally {
      loading.current.delete(page);
    }
  };

  useEffect(() => {
    generation.current++;
    loading.current.clear();
    setRows(new Map());
    setTotal(null);
    if (box.current) box.current.scrollTop = 0;
    setScrollTop(0);
    void loadPage(0, generation.current);
  }, [key, props.version]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // The spacer's height is set through the CSSOM (the CSP forbids inline style attributes).
  useEffect(() => {
    if (spacer.current) spacer.current.style.height = `${(total ?? 0) * ROW}px`;
  }, [total]);

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min((total ?? 0) - 1, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  useEffect(() => {
    if (total === null) return;
    for (let page = Math.floor(first / PAGE); page <= Math.floor(Math.max(first, last) / PAGE); page++) {
      if (!rows.has(page * PAGE)) void loadPage(page, generation.current);
    }
  }, [first, last, total]);

  const visible: { index: number; row: HistoryRow | undefined }[] = [];
  for (let i = first; i <= last; i++) visible.push({ index: i, row: rows.get(i) });

  const selectedIndex = [...rows.entries()].find(([, r]) => r.id === props.selected)?.[0];
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const max = (total ?? 1) - 1;
    const from = selectedIndex ?? -1;
    const to =
      e.key === 'Home'
        ? 0
        : e.key === 'End'
          ? max
          : Math.max(0, Math.min(max, from + (e.key === 'ArrowDown' ? 1 : -1)));
    const row = rows.get(to);
    if (row) props.onSelect(row);
    const el = box.current;
    if (el && (to * ROW < el.scrollTop || (to + 1) * ROW > el.scrollTop + el.clientHeight))
      el.scrollTop = Math.max(0, to * ROW - el.clientHeight / 2);
  };

  return (
    <div class="timeline-wrap">
      <div class="timeline-head">
        <h2>Scans</h2>
        <span class="muted small" data-testid="timeline-total">
          {total === null ? 'loading…' : plural(total, 'scan')}
        </span>
      </div>
      {error ? <Banner kind="error">{error}</Banner> : null}
      <div
        ref={box}
        class="timeline"
        role="listbox"
        aria-label="Scans, newest first"
        tabIndex={0}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKey}
        aria-activedescendant={props.selected ? `scan-${props.selected}` : undefined}
      >
        <div ref={spacer} class="timeline-spacer">
          {visible.map(({ index, row }) => (
            <TimelineRow
              key={index}
              index={index}
              row={row}
              selected={!!row && row.id === props.selected}
              onSelect={props.onSelect}
            />
          ))}
        </div>
        {total === 0 ? (
          <div class="empty">
            <h2>No scans here yet</h2>
            <p>Scans appear as they run. Use “Scan now” in the tray menu to start one.</p>
          </div>
        ) : null}
      </div>
    </div>
  );
}

function TimelineRow(props: {
  index: number;
  row: HistoryRow | undefined;
  selected: boolean;
  onSelect: (row: HistoryRow) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (el.current) el.current.style.transform = `translateY(${props.index * ROW}px)`;
  }, [props.index]);
  const { row } = props;
  if (!row)
    return (
      <div ref={el} class="timeline-row placeholder" aria-hidden="true">
        <span class="muted">…</span>
      </div>
    );
  const s = statusOf(row);
  return (
    <div
      ref={el}
      id={`scan-${row.id}`}
      class={`timeline-row${props.selected ? ' selected' : ''}`}
      role="option"
      aria-selected={props.selected}
      data-scan={row.id}
      onClick={() => props.onSelect(row)}
    >
      <span class={`dot ${s.dot}`} aria-hidden="true" />
      <div class="timeline-main">
        <div class="timeline-line1">
          <span class="timeline-time">{formatTime(row.startedAt)}</span>
          <span class={`timeline-status ${s.dot}`}>{s.text}</span>
        </div>
        <div class="timeline-line2 muted small">
          {row.profile} · {formatDuration(row.durationMs)} · {plural(row.counts.openPorts, 'open port')}
          {row.reason ? ` · ${row.reason}` : ''}
        </div>
      </div>
    </div>
  );
}
