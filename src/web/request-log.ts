// One log line for each request that changes something (settings, profiles, references, scans, pauses):
// who, what and what changed, never a secret (the mail password is "set", never its value).
import type { Channel, Payload, RequestResults, Result } from '../shared/ipc.ts';
import type { Settings } from '../shared/settings.ts';

export const stateChanging = new Set<Channel>([
  'saveProfile',
  'removeProfile',
  'importReference',
  'captureReference',
  'acceptScan',
  'saveSettings',
  'setMailPassword',
  'clearMailPassword',
  'scanNow',
  'setPaused',
  'addChannel',
  'testChannel',
  'removeChannel',
]);

/** "email.host: smtp.a -> smtp.b, quietHours.enabled: false -> true" */
export function settingsChanges(before: Settings | undefined, after: Settings): string {
  const flat = (value: unknown, prefix: string, out: Map<string, string>) => {
    if (value && typeof value === 'object' && !Array.isArray(value))
      for (const [k, v] of Object.entries(value)) flat(v, prefix ? `${prefix}.${k}` : k, out);
    else out.set(prefix, JSON.stringify(value));
    return out;
  };
  const old = flat(before ?? {}, '', new Map());
  const changed = [...flat(after, '', new Map())]
    .filter(([key, value]) => old.get(key) !== value)
    .map(([key, value]) => `${key}: ${old.get(key) ?? '(none)'} -> ${value}`);
  return changed.length > 0 ? changed.join(', ') : 'nothing changed';
}

function whatChanged(channel: Channel, payload: unknown, before: Settings | undefined): string {
  const p = payload as Record<string, unknown>;
  switch (channel) {
    case 'saveProfile': {
      const { profile, previousName } = p as Payload<'saveProfile'>;
      const verb = previousName === undefined ? 'added' : 'updated';
      return `profile '${profile.name}' ${verb}: targets ${profile.targets.join(',')}, ports ${JSON.stringify(profile.options.ports)}, schedule ${JSON.stringify(profile.schedule)}`;
    }
    case 'removeProfile':
      return `profile '${String(p.profile)}' removed`;
    case 'importReference':
      return `profile '${String(p.profile)}': reference imported from '${String(p.fileName)}'`;
    case 'captureReference':
      return `profile '${String(p.profile)}': reference captured`;
    case 'acceptScan':
      return `scan ${String(p.id)} accepted as the reference${Array.isArray(p.hosts) && p.hosts.length > 0 ? ` for ${p.hosts.join(',')}` : ''}`;
    case 'saveSettings':
      return `settings saved: ${settingsChanges(before, (p as Payload<'saveSettings'>).settings as Settings)}`;
    case 'setMailPassword':
      return 'mail password set';
    case 'clearMailPassword':
      return 'mail password removed';
    case 'scanNow':
      return `scan started: ${p.profile ? `'${String(p.profile)}'` : 'every profile'}`;
    case 'setPaused':
      return `${p.paused ? 'paused' : 'resumed'}: ${p.profile ? `'${String(p.profile)}'` : 'every profile'}`;
    // A channel's URL, token and key are secrets: only its name and kind are logged.
    case 'addChannel':
      return `channel '${String(p.name)}' (${String(p.kind)}) added`;
    case 'testChannel':
      return `channel '${String(p.name)}': test message sent`;
    case 'removeChannel':
      return `channel '${String(p.name)}' removed`;
    default:
      return channel;
  }
}

export function requestLogLine<C extends Channel>(
  who: string,
  channel: C,
  payload: unknown,
  result: Result<RequestResults[C]>,
  before?: Settings,
): string {
  const outcome = result.ok ? 'ok' : `refused: ${result.error}`;
  return `${who} ${channel}: ${result.ok ? whatChanged(channel, payload, before) : outcome}`;
}
