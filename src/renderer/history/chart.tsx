// Open ports over time for one profile (or one host of it), drawn with uPlot. A step line, since the count
// holds until the next scan; failed scans leave a gap rather than a misleading zero. Clicking a point opens
// that scan.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesPoint } from '../../shared/ipc.ts';
import { call, messageOf } from '../common/api.ts';
import { Banner } from '../common/components.tsx';

/** Tick labels that fit the span shown: times within a day, weekday and time within a week, else dates. */
function timeTicks(splits: number[], span: number): string[] {
  const options: Intl.DateTimeFormatOptions =
    span < 120
      ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
      : span < 86400
        ? { hour: '2-digit', minute: '2-digit' }
        : span < 7 * 86400
          ? { weekday: 'short', hour: '2-digit', minute: '2-digit' }
          : { day: 'numeric', month: 'short' };
  const format = new Intl.DateTimeFormat(undefined, options);
  // Ticks closer than the label's resolution would repeat it: label only the first of each.
  return splits.map((t, i) => {
    const label = format.format(new Date(t * 1000));
    return i > 0 && label === format.format(new Date(splits[i - 1]! * 1000)) ? '' : label;
  });
}

const cssVar = (name: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

export function PortsChart(props: {
  profile: string | null;
  host?: string;
  version: number;
  onPick?: (t: number) => void;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [points, setPoints] = useState<SeriesPoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pick = useRef(props.onPick);
  pick.current = props.onPick;
  // Colours come from the theme: redraw when the system switches between light and dark.
  const [scheme, setScheme] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches);
  useEffect(() => {
    const query = matchMedia('(prefers-color-scheme: dark)');
    const listener = () => setScheme(query.matches);
    query.addEventListener('change', listener);
    return () => query.removeEventListener('change', listener);
  }, []);

  useEffect(() => {
    setPoints(null);
    setError(null);
    if (!props.profile) return;
    let live = true;
    call('portSeries', { profile: props.profile, ...(props.host ? { host: props.host } : {}) }).then(
      (r) => live && setPoints(r.points),
      (e) => live && setError(messageOf(e)),
    );
    return () => {
      live = false;
    };
  }, [props.profile, props.host, props.version]);

  useEffect(() => {
    const el = holder.current;
    if (!el || !points || points.length === 0) return;
    const xs = points.map((p) => p.t);
    const ys = points.map((p) => (Number.isFinite(p.openPorts) ? p.openPorts : null));
    const failed = points.map((p) => (p.status === 'ok' ? null : 0));
    const accent = cssVar('--accent');
    const muted = cssVar('--muted');
    const grid = cssVar('--border');
    const danger = cssVar('--danger');
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const options: uPlot.Options = {
      width: el.clientWidth,
      height: 190,
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 7 } },
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [0, Math.max(4, Math.ceil((max ?? min) * 1.2))] },
      },
      axes: [
        {
          ...axis,
          space: 90,
          values: (u, splits) => timeTicks(splits, (u.scales.x!.max ?? 0) - (u.scales.x!.min ?? 0)),
        },
        {
          ...axis,
          size: 42,
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
          values: (_u, v) => v.map((n) => n.toLocaleString()),
        },
      ],
      series: [
        {},
        {
          label: 'Open ports',
          stroke: accent,
          width: 2,
          fill: `color-mix(in srgb, ${accent} 14%, transparent)`,
          paths: uPlot.paths.stepped!({ align: 1 }),
          points: { show: points.length <= 60, size: 5, fill: accent },
          spanGaps: false,
        },
        {
          label: 'Failed',
          stroke: danger,
          width: 0,
          paths: () => null,
          points: { show: true, size: 7, fill: danger, stroke: danger },
        },
      ],
      hooks: {
        ready: [
          (u) => {
            u.over.addEventListener('click', () => {
              const i = u.cursor.idx;
              if (i !== null && i !== undefined && xs[i] !== undefined) pick.current?.(xs[i]!);
            });
          },
        ],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(options, [xs, ys, failed], el);
    const observer = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: 190 }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [points, scheme]);

  return (
    <section class="card chart-card" aria-labelledby="chart-title">
      <div class="card-head">
        <h2 id="chart-title">
          Open ports over time
          {props.profile ? (
            <span class="muted"> · {props.host ? `${props.host} in ${props.profile}` : props.profile}</span>
          ) : null}
        </h2>
      </div>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {!props.profile ? <p class="muted">Choose a profile to see its chart.</p> : null}
      {points && points.length === 0 ? <p class="muted">No scans yet.</p> : null}
      <div
        ref={holder}
        class="chart"
        role="img"
        aria-label="Open ports over time"
        data-testid="ports-chart"
      />
    </section>
  );
}
