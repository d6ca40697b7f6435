// Open ports over time for one profile (or one host of it), drawn with uPlot. A step line, since the count
// holds until the next scan; failed scans leave a gap rather than a misleading zero. Clicking a point opens
// that scan.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesPoint } from '../../shared/ipc.ts';
import { call, messageOf } from '../common/api.ts';
import { Banner } from '../common/components.tsx';

/** The narrowest time axis: scans seconds apart (or a single scan) still get a readable minute. */
const MIN_SPAN_S = 60;

/**
 * The time axis fits the scans: from the first to the last, a little room either side so the end points are
 * not on the frame, and never narrower than MIN_SPAN_S (centred on the scans).
 */
export function timeRange(min: number, max: number, margin = 0.04): [number, number] {
  const span = Math.max(max - min, MIN_SPAN_S);
  const middle = (min + max) / 2;
  const half = span / 2 + span * margin;
  return [middle - half, middle + half];
}

/** Tick labels that fit the span shown: seconds, times of day, weekday and time, dates, months of a year. */
export function timeTicks(splits: number[], span: number): string[] {
  const options: Intl.DateTimeFormatOptions =
    span <= 300
      ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
      : span < 86400
        ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : span < 4 * 86400
          ? { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
          : span < 180 * 86400
            ? { day: 'numeric', month: 'short' }
            : { month: 'short', year: 'numeric' };
  const format = new Intl.DateTimeFormat(undefined, options);
  // Ticks closer than the label's resolution would repeat it: label only the first of each.
  return splits.map((t, i) => {
    const label = format.format(new Date(t * 1000));
    return i > 0 && label === format.format(new Date(splits[i - 1]! * 1000)) ? '' : label;
  });
}

function describeSpan(min: number, max: number): string {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return `${format.format(new Date(min * 1000))} to ${format.format(new Date(max * 1000))}`;
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
    let ticks: string[] = [];
    const options: uPlot.Options = {
      width: el.clientWidth,
      height: 190,
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 7 } },
      scales: {
        x: {
          time: true,
          range: (_u, min, max) =>
            // uPlot's own fit of one point is a day as if in milliseconds (86,400,000 s: years): fit it
            // ourselves, as every auto-fit; a zoom the user dragged is kept, no narrower than the minimum.
            min === xs[0] && (max === xs.at(-1) || xs.length === 1)
              ? timeRange(xs[0]!, xs.at(-1)!)
              : timeRange(min ?? xs[0]!, max ?? xs.at(-1)!, 0),
        },
        y: { range: (_u, min, max) => [0, Math.max(4, Math.ceil((max ?? min) * 1.2))] },
      },
      axes: [
        {
          ...axis,
          space: 90,
          values: (u, splits) => (ticks = timeTicks(splits, (u.scales.x!.max ?? 0) - (u.scales.x!.min ?? 0))),
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
        // What the axis shows, on the element: for screen readers (the label) and the tests (the data).
        draw: [
          (u) => {
            const { min = 0, max = 0 } = u.scales.x!;
            el.dataset.xMin = String(min);
            el.dataset.xMax = String(max);
            el.dataset.xTicks = ticks.filter(Boolean).join('|');
            el.setAttribute('aria-label', `Open ports over time, ${describeSpan(min, max)}`);
          },
        ],
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
        data-profile={props.profile ?? ''}
      />
    </section>
  );
}
