// Small building blocks shared by both windows: labelled fields with their errors, banners, badges.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

let nextId = 0;
export function useId(prefix: string): string {
  const ref = useRef<string>('');
  if (!ref.current) ref.current = `${prefix}-${++nextId}`;
  return ref.current;
}

/** A form row: label on the left, the control with its hint or error below it on the right. */
export function Field(props: {
  label: string;
  id: string;
  error?: string | null;
  warning?: string | null;
  hint?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <div class="field">
        {props.children}
        {props.error ? (
          <div class="error" id={`${props.id}-error`} role="alert">
            {props.error}
          </div>
        ) : props.warning ? (
          <div class="warning" id={`${props.id}-error`}>
            {props.warning}
          </div>
        ) : props.hint ? (
          <div class="hint" id={`${props.id}-hint`}>
            {props.hint}
          </div>
        ) : null}
      </div>
    </>
  );
}

/** aria attributes tying a control to its error (or hint) line. */
export const described = (id: string, error?: string | null) => ({
  id,
  'aria-invalid': error ? ('true' as const) : ('false' as const),
  'aria-describedby': `${id}-${error ? 'error' : 'hint'}`,
});

export function Banner(props: {
  kind: 'error' | 'warn' | 'ok' | 'info';
  children: ComponentChildren;
  testId?: string;
}) {
  return (
    <div
      class={`banner ${props.kind}`}
      role={props.kind === 'error' ? 'alert' : 'status'}
      data-testid={props.testId}
    >
      <span>{props.children}</span>
    </div>
  );
}

export function Check(props: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  hint?: string;
  disabled?: boolean;
}) {
  const id = useId('check');
  return (
    <label class="check" for={id}>
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <span>
        {props.label}
        {props.hint ? <span class="muted small"> — {props.hint}</span> : null}
      </span>
    </label>
  );
}

export function Segmented<T extends string>(props: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (v: T) => void;
}) {
  return (
    <div class="segmented" role="group" aria-label={props.label}>
      {props.options.map((o) => (
        <button type="button" aria-pressed={o.value === props.value} onClick={() => props.onChange(o.value)}>
          {o.label}
        </button>
      ))}
    </div>
  );
}

export function ProgressBar(props: { percent: number; label: string }) {
  const bar = useRef<HTMLDivElement>(null);
  // Set through the CSSOM: the CSP forbids inline style attributes.
  useEffect(() => {
    if (bar.current) bar.current.style.width = `${Math.max(0, Math.min(100, props.percent))}%`;
  }, [props.percent]);
  return (
    <div
      class="progress"
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(props.percent)}
    >
      <div ref={bar} />
    </div>
  );
}

/** Debounces a value: for validation that asks main (schedule descriptions) while the user types. */
export function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [JSON.stringify(value), ms]);
  return current;
}

/** Saves a file the user asked for (an export): a Blob download, which Electron turns into a save dialog. */
export function download(fileName: string, mimeType: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
