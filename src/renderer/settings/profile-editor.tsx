// One profile's form: what to scan, how, and when. Every field is checked as the user types; Save sends the
// whole profile at once and main re-checks it, so a save is all or nothing.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ProfileInput, ProfileView, ScheduleDescription } from '../../shared/ipc.ts';
import type { Schedule, ScanOptions } from '../../shared/profile.ts';
import { call, messageOf } from '../common/api.ts';
import { Banner, Check, Field, described, useDebounced, useId } from '../common/components.tsx';
import { formatTime } from '../common/format.ts';
import {
  nameError,
  portsError,
  profileError,
  scheduleError,
  splitTargetLines,
  targetsError,
  targetsSummary,
} from '../common/validation.ts';

interface Draft {
  name: string;
  targets: string;
  portsKind: ScanOptions['ports']['kind'];
  portsSpec: string;
  topCount: string;
  technique: ScanOptions['technique'];
  serviceDetection: boolean;
  osDetection: boolean;
  timing: ScanOptions['timing'];
  skipHostDiscovery: boolean;
  confirmChanges: boolean;
  timeoutSeconds: string;
  /** Kept as is: set with the CLI (--host-timeout), not shown here. */
  hostTimeoutSeconds: number | undefined;
  resolveHostnames: boolean;
  schedule: Schedule;
  watchdogHours: string;
}

export function newDraft(): Draft {
  return {
    name: '',
    targets: '',
    portsKind: 'default',
    portsSpec: '',
    topCount: '100',
    technique: 'connect',
    serviceDetection: true,
    osDetection: false,
    timing: 3,
    skipHostDiscovery: false,
    confirmChanges: true,
    timeoutSeconds: '1800',
    hostTimeoutSeconds: undefined,
    resolveHostnames: true,
    schedule: { kind: 'daily', time: '07:00' },
    watchdogHours: '0',
  };
}

export function draftOf(view: ProfileView): Draft {
  const { profile } = view;
  const o = profile.options;
  return {
    name: profile.name,
    targets: profile.targets.join('\n'),
    portsKind: o.ports.kind,
    portsSpec: o.ports.kind === 'list' ? o.ports.spec : '',
    topCount: o.ports.kind === 'top' ? String(o.ports.count) : '100',
    technique: o.technique,
    serviceDetection: o.serviceDetection,
    osDetection: o.osDetection,
    timing: o.timing,
    skipHostDiscovery: o.skipHostDiscovery,
    confirmChanges: o.confirmChanges,
    timeoutSeconds: String(o.timeoutSeconds),
    hostTimeoutSeconds: o.hostTimeoutSeconds,
    resolveHostnames: o.resolveHostnames !== false,
    schedule: profile.schedule,
    watchdogHours: String(profile.watchdogHours),
  };
}

function inputOf(d: Draft): ProfileInput {
  const ports: ScanOptions['ports'] =
    d.portsKind === 'list'
      ? { kind: 'list', spec: d.portsSpec.replace(/\s+/g, '') }
      : d.portsKind === 'top'
        ? { kind: 'top', count: Number(d.topCount) }
        : { kind: 'default' };
  return {
    name: d.name.trim(),
    targets: splitTargetLines(d.targets),
    options: {
      ports,
      technique: d.technique,
      serviceDetection: d.serviceDetection,
      osDetection: d.osDetection,
      timing: d.timing,
      skipHostDiscovery: d.skipHostDiscovery,
      confirmChanges: d.confirmChanges,
      timeoutSeconds: Number(d.timeoutSeconds),
      ...(d.hostTimeoutSeconds !== undefined ? { hostTimeoutSeconds: d.hostTimeoutSeconds } : {}),
      ...(d.resolveHostnames ? {} : { resolveHostnames: false }),
    },
    schedule: d.schedule,
    watchdogHours: Number(d.watchdogHours),
  };
}

const intError = (text: string, min: number, max: number, what: string): string | null =>
  /^\d+$/.test(text.trim()) && Number(text) >= min && Number(text) <= max
    ? null
    : `enter ${what} from ${min.toLocaleString()} to ${max.toLocaleString()}`;

const timingNames = ['T0 paranoid', 'T1 sneaky', 'T2 polite', 'T3 normal', 'T4 aggressive', 'T5 insane'];
const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function ScheduleEditor(props: { value: Schedule; onChange: (s: Schedule) => void; id: string }) {
  const { value, onChange } = props;
  const debounced = useDebounced(value, 250);
  const [described_, setDescribed] = useState<
    { ok: true; d: ScheduleDescription } | { ok: false; error: string } | null
  >(null);
  const local = scheduleError(value);
  useEffect(() => {
    let live = true;
    if (scheduleError(debounced).error) {
      setDescribed(null);
      return;
    }
    call('describeSchedule', { schedule: debounced }).then(
      (d) => live && setDescribed({ ok: true, d }),
      (e) => live && setDescribed({ ok: false, error: messageOf(e) }),
    );
    return () => {
      live = false;
    };
  }, [JSON.stringify(debounced)]);
  const error = local.error ?? (described_ && !described_.ok ? described_.error : null);
  const setKind = (kind: Schedule['kind']) => {
    const time = 'time' in value ? value.time : '07:00';
    onChange(
      kind === 'manual'
        ? { kind }
        : kind === 'every'
          ? { kind, minutes: 60 }
          : kind === 'daily'
            ? { kind, time }
            : kind === 'weekly'
              ? { kind, day: 1, time }
              : { kind, expression: '0 7 * * 1-5' },
    );
  };
  return (
    <Field label="Schedule" id={props.id} error={error} warning={local.warning}>
      <div class="row">
        <select
          id={props.id}
          aria-label="Schedule kind"
          value={value.kind}
          onChange={(e) => setKind(e.currentTarget.value as Schedule['kind'])}
        >
          <option value="manual">Only when I ask</option>
          <option value="every">Every few minutes</option>
          <option value="daily">Every day</option>
          <option value="weekly">Every week</option>
          <option value="cron">Custom (cron)</option>
        </select>
        {value.kind === 'every' && (
          <label class="row tight">
            every
            <input
              type="number"
              min={1}
              aria-label="Minutes between scans"
              value={value.minutes}
              onInput={(e) => onChange({ kind: 'every', minutes: Number(e.currentTarget.value) })}
            />
            minutes
          </label>
        )}
        {value.kind === 'weekly' && (
          <select
            aria-label="Day of the week"
            value={value.day}
            onChange={(e) => onChange({ ...value, day: Number(e.currentTarget.value) })}
          >
            {days.map((d, i) => (
              <option value={i}>{d}</option>
            ))}
          </select>
        )}
        {(value.kind === 'daily' || value.kind === 'weekly') && (
          <input
            type="time"
            aria-label="Time of day"
            value={value.time}
            onInput={(e) => onChange({ ...value, time: e.currentTarget.value })}
          />
        )}
        {value.kind === 'cron' && (
          <input
            type="text"
            class="mono"
            aria-label="Cron expression"
            aria-invalid={error ? 'true' : 'false'}
            value={value.expression}
            placeholder="0 7 * * 1-5"
            onInput={(e) => onChange({ kind: 'cron', expression: e.currentTarget.value })}
          />
        )}
      </div>
      {described_?.ok ? (
        <div class="hint" data-testid="schedule-description">
          <strong>{described_.d.text}</strong>
          {described_.d.nextRuns.length > 0 && (
            <> · next: {described_.d.nextRuns.map(formatTime).join(', ')}</>
          )}
        </div>
      ) : null}
    </Field>
  );
}

export function ProfileEditor(props: {
  view: ProfileView | null;
  existingNames: string[];
  onSaved: (view: ProfileView) => void;
  onRemoved: (name: string) => void;
  onCancel: () => void;
  /** Told whether the form differs from what is saved, so leaving it can ask first. */
  onDirty?: (dirty: boolean) => void;
  /** A new profile's suggested values (the welcome's first profile). */
  initial?: Partial<Pick<Draft, 'name' | 'targets'>>;
}) {
  const fresh = () => ({ ...newDraft(), ...props.initial });
  const [draft, setDraft] = useState<Draft>(props.view ? draftOf(props.view) : fresh());
  const pristine = JSON.stringify(props.view ? draftOf(props.view) : fresh());
  const dirty = JSON.stringify(draft) !== pristine;
  useEffect(() => props.onDirty?.(dirty), [dirty]);
  useEffect(() => () => props.onDirty?.(false), []);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  useEffect(() => {
    setDraft(props.view ? draftOf(props.view) : fresh());
    setTouched({});
    setSaveError(null);
    setSaved(false);
    setConfirmRemove(false);
  }, [props.view?.profile.name, props.view?.profile.updatedAt]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setTouched((t) => ({ ...t, [key]: true }));
    setSaved(false);
  };

  const summary = targetsSummary(draft.targets);
  const errors = useMemo(() => {
    const e: Partial<Record<keyof Draft, string | null>> = {};
    const name = draft.name.trim();
    e.name =
      nameError(draft.name) ??
      (props.existingNames.some(
        (n) => n.toLowerCase() === name.toLowerCase() && n !== props.view?.profile.name,
      )
        ? `there is already a profile named '${name}'; choose another name`
        : null);
    e.targets = targetsError(draft.targets);
    e.schedule = scheduleError(draft.schedule).error;
    e.portsSpec = draft.portsKind === 'list' ? portsError(draft.portsSpec) : null;
    e.topCount = draft.portsKind === 'top' ? intError(draft.topCount, 1, 65535, 'a number of ports') : null;
    e.timeoutSeconds = intError(draft.timeoutSeconds, 5, 604800, 'a number of seconds');
    e.watchdogHours = intError(draft.watchdogHours, 0, 8760, 'a number of hours');
    return e;
  }, [draft, props.existingNames.join('\n')]);
  const hasErrors = Object.values(errors).some(Boolean);
  const show = (key: keyof Draft) => (touched[key] || saveError ? (errors[key] ?? null) : null);
  const privileged = draft.technique !== 'connect' || draft.osDetection;

  const save = async (event: Event) => {
    event.preventDefault();
    setTouched({
      name: true,
      targets: true,
      portsSpec: true,
      topCount: true,
      timeoutSeconds: true,
      watchdogHours: true,
    });
    const input = inputOf(draft);
    const problem = hasErrors ? 'fix the fields marked in red, then save again' : profileError(input);
    if (problem) {
      setSaveError(problem);
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      const view = await call('saveProfile', {
        profile: input,
        ...(props.view ? { previousName: props.view.profile.name } : {}),
      });
      setSaved(true);
      props.onSaved(view);
    } catch (error) {
      setSaveError(messageOf(error));
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!props.view) return;
    try {
      await call('removeProfile', { profile: props.view.profile.name });
      props.onRemoved(props.view.profile.name);
    } catch (error) {
      setSaveError(messageOf(error));
    }
  };

  const ids = {
    name: useId('name'),
    targets: useId('targets'),
    ports: useId('ports'),
    technique: useId('technique'),
    timing: useId('timing'),
    timeout: useId('timeout'),
    schedule: useId('schedule'),
    watchdog: useId('watchdog'),
  };

  return (
    <form
      class="card"
      onSubmit={save}
      aria-label={props.view ? `Profile ${props.view.profile.name}` : 'New profile'}
      noValidate
    >
      <div class="card-head">
        <h2>{props.view ? 'Profile' : 'New profile'}</h2>
        {props.view?.profile.paused ? <span class="badge changed">paused</span> : null}
      </div>
      <div class="form-grid">
        <Field
          label="Name"
          id={ids.name}
          error={show('name')}
          hint={
            props.view
              ? 'The name is the profile’s folder, so it stays.'
              : 'Shown in notifications and reports.'
          }
        >
          <input
            type="text"
            readOnly={!!props.view}
            {...described(ids.name, show('name'))}
            value={draft.name}
            placeholder="Home servers"
            onInput={(e) => set('name', e.currentTarget.value)}
          />
        </Field>

        <Field
          label="Targets"
          id={ids.targets}
          error={show('targets')}
          hint={summary ?? 'One per line: 192.168.1.10, 10.0.0.1-20, 10.0.0.0/24, nas.local'}
        >
          <textarea
            {...described(ids.targets, show('targets'))}
            class="mono"
            rows={4}
            value={draft.targets}
            placeholder={'192.168.1.0/24\nnas.local'}
            onInput={(e) => set('targets', e.currentTarget.value)}
          />
        </Field>

        <Field label="Ports" id={ids.ports} error={show('portsSpec') ?? show('topCount')}>
          <div class="row">
            <select
              id={ids.ports}
              value={draft.portsKind}
              onChange={(e) => set('portsKind', e.currentTarget.value as Draft['portsKind'])}
            >
              <option value="default">nmap's default (1,000 most common)</option>
              <option value="top">The most common…</option>
              <option value="list">These ports…</option>
            </select>
            {draft.portsKind === 'top' && (
              <input
                type="number"
                aria-label="Number of most common ports"
                aria-invalid={show('topCount') ? 'true' : 'false'}
                min={1}
                max={65535}
                value={draft.topCount}
                onInput={(e) => set('topCount', e.currentTarget.value)}
              />
            )}
            {draft.portsKind === 'list' && (
              <input
                type="text"
                class="mono"
                aria-label="Port list"
                aria-invalid={show('portsSpec') ? 'true' : 'false'}
                placeholder="22,80,443,8000-8100"
                value={draft.portsSpec}
                onInput={(e) => set('portsSpec', e.currentTarget.value)}
              />
            )}
          </div>
        </Field>

        <Field
          label="Scan type"
          id={ids.technique}
          warning={
            privileged ? 'SYN, UDP and OS detection need nmap to run with privileges (see Nmap).' : null
          }
        >
          <select
            id={ids.technique}
            value={draft.technique}
            onChange={(e) => set('technique', e.currentTarget.value as Draft['technique'])}
          >
            <option value="connect">TCP connect (-sT): works without privileges</option>
            <option value="syn">TCP SYN (-sS): faster, needs privileges</option>
            <option value="udp">UDP (-sU): slow, needs privileges</option>
          </select>
        </Field>

        <span class="label">Options</span>
        <div class="stack">
          <Check
            label="Detect service versions (-sV)"
            checked={draft.serviceDetection}
            onChange={(v) => set('serviceDetection', v)}
          />
          <Check
            label="Detect the operating system (-O)"
            checked={draft.osDetection}
            onChange={(v) => set('osDetection', v)}
          />
          <Check
            label="Treat every host as up (-Pn)"
            hint="for hosts that ignore ping"
            checked={draft.skipHostDiscovery}
            onChange={(v) => set('skipHostDiscovery', v)}
          />
          <Check
            label="Look up host names (reverse DNS)"
            hint="shows renamed hosts; off adds -n"
            checked={draft.resolveHostnames}
            onChange={(v) => set('resolveHostnames', v)}
          />
          <Check
            label="Confirm changes before alerting"
            hint="rescans what changed once, to skip flukes"
            checked={draft.confirmChanges}
            onChange={(v) => set('confirmChanges', v)}
          />
        </div>

        <Field label="Speed" id={ids.timing}>
          <select
            id={ids.timing}
            value={draft.timing}
            onChange={(e) => set('timing', Number(e.currentTarget.value) as Draft['timing'])}
          >
            {timingNames.map((n, i) => (
              <option value={i}>{n}</option>
            ))}
          </select>
        </Field>

        <Field
          label="Time limit"
          id={ids.timeout}
          error={show('timeoutSeconds')}
          hint="seconds; a scan running longer is stopped and reported as failed"
        >
          <input
            type="number"
            {...described(ids.timeout, show('timeoutSeconds'))}
            min={10}
            value={draft.timeoutSeconds}
            onInput={(e) => set('timeoutSeconds', e.currentTarget.value)}
          />
        </Field>

        <ScheduleEditor id={ids.schedule} value={draft.schedule} onChange={(s) => set('schedule', s)} />

        <Field
          label="Watchdog"
          id={ids.watchdog}
          error={show('watchdogHours')}
          hint="hours without a successful scan before you are told; 0 = off"
        >
          <input
            type="number"
            {...described(ids.watchdog, show('watchdogHours'))}
            min={0}
            value={draft.watchdogHours}
            onInput={(e) => set('watchdogHours', e.currentTarget.value)}
          />
        </Field>
      </div>

      {saveError ? (
        <div class="actions">
          <Banner kind="error" testId="profile-save-error">
            {saveError}
          </Banner>
        </div>
      ) : null}
      <div class="actions">
        {props.view && !confirmRemove ? (
          <button type="button" class="btn danger" onClick={() => setConfirmRemove(true)}>
            Remove profile…
          </button>
        ) : null}
        {confirmRemove ? (
          <span class="row">
            <span>Remove “{props.view?.profile.name}”, its reference and its history?</span>
            <button type="button" class="btn danger" onClick={remove}>
              Remove
            </button>
            <button type="button" class="btn" onClick={() => setConfirmRemove(false)}>
              Keep
            </button>
          </span>
        ) : null}
        <span class="grow" />
        {saved ? (
          <span class="muted" role="status">
            Saved
          </span>
        ) : null}
        <button
          type="button"
          class="btn"
          onClick={() => {
            if (!props.view) return props.onCancel();
            setDraft(draftOf(props.view));
            setTouched({});
            setSaveError(null);
          }}
        >
          {props.view ? 'Revert' : 'Cancel'}
        </button>
        <button type="submit" class="btn primary" disabled={saving}>
          {saving ? 'Saving…' : props.view ? 'Save' : 'Add profile'}
        </button>
      </div>
    </form>
  );
}
