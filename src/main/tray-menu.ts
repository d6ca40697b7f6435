// The tray's context menu, built from the app's state. Everything is reachable from this menu, because a
// click on the icon itself is not delivered on every Linux StatusNotifierItem host.
import { trayStateWords, type AppState } from '../shared/ipc.ts';
import type { MenuItemSpec } from './deps.ts';

export interface TrayActions {
  scanNow(profile?: string): void;
  setPaused(paused: boolean, profile?: string): void;
  openHistory(): void;
  openSettings(): void;
  setStartAtLogin(enabled: boolean): void;
  quit(): void;
}

export interface TrayMenuOptions {
  startAtLogin: boolean;
  platform: NodeJS.Platform;
  now?: Date;
}

/** "14:05" today, "Mon 14:05" within a week, otherwise the date. */
export function shortTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const hm = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
  if (d.toDateString() === now.toDateString()) return hm;
  if (Math.abs(d.getTime() - now.getTime()) < 6 * 86400_000)
    return `${d.toLocaleDateString(undefined, { weekday: 'short' })} ${hm}`;
  return `${d.toLocaleDateString()} ${hm}`;
}

export function trayTooltip(state: AppState): string {
  const lines = [`Portwatch: ${trayStateWords[state.state]}`];
  for (const p of state.profiles) {
    if (p.progress) lines.push(`${p.name}: ${p.progress.task} ${Math.round(p.progress.percent)}%`);
    else if (p.scanning) lines.push(`${p.name}: starting scan`);
  }
  if (state.state === 'unseen')
    lines.push(`${state.unseen} scan${state.unseen === 1 ? '' : 's'} with changes`);
  if (state.error) lines.push(state.error);
  return lines.join('\n');
}

/** The menu before the app's state is known: enough to reach Settings and to quit. */
export function startingTrayMenu(actions: TrayActions, platform: NodeJS.Platform): MenuItemSpec[] {
  return [
    { id: 'status', label: 'Portwatch: starting…', enabled: false },
    { type: 'separator' },
    {
      id: 'settings',
      label: platform === 'darwin' ? 'Preferences…' : 'Settings…',
      click: actions.openSettings,
    },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Portwatch', click: actions.quit },
  ];
}

export function buildTrayMenu(
  state: AppState,
  actions: TrayActions,
  options: TrayMenuOptions,
): MenuItemSpec[] {
  const { profiles } = state;
  const now = options.now ?? new Date();
  const sep: MenuItemSpec = { type: 'separator' };
  const anyScanning = profiles.some((p) => p.scanning);
  const allPaused = profiles.length > 0 && profiles.every((p) => p.paused);
  const items: MenuItemSpec[] = [{ id: 'status', label: trayTooltip(state).split('\n')[0]!, enabled: false }];

  if (profiles.length === 0) {
    items.push({ id: 'scan-now', label: 'Scan now', enabled: false });
  } else if (profiles.length === 1) {
    const only = profiles[0]!;
    items.push({
      id: 'scan-now',
      label: 'Scan now',
      enabled: !only.scanning,
      click: () => actions.scanNow(only.name),
    });
  } else {
    items.push({
      id: 'scan-now',
      label: 'Scan now',
      type: 'submenu',
      submenu: [
        { id: 'scan-all', label: 'All profiles', enabled: !anyScanning, click: () => actions.scanNow() },
        sep,
        ...profiles.map<MenuItemSpec>((p) => ({
          id: `scan:${p.name}`,
          label: p.name,
          enabled: !p.scanning,
          click: () => actions.scanNow(p.name),
        })),
      ],
    });
  }
  items.push(
    allPaused
      ? { id: 'resume', label: 'Resume scheduled scans', click: () => actions.setPaused(false) }
      : {
          id: 'pause',
          label: 'Pause scheduled scans',
          enabled: profiles.length > 0,
          click: () => actions.setPaused(true),
        },
  );

  if (profiles.length > 0) items.push(sep);
  for (const p of profiles) {
    const last = p.lastScan
      ? `last ${shortTime(p.lastScan.startedAt, now)}${p.lastScan.status === 'ok' ? '' : ` (${p.lastScan.status})`}`
      : 'never scanned';
    const next = p.paused ? 'paused' : p.nextRun ? `next ${shortTime(p.nextRun, now)}` : 'manual';
    // "scanning", not the percent: a label that changes every tick would rebuild (and close) an open menu.
    const scanning = p.scanning ? ' · scanning' : '';
    items.push({ id: `info:${p.name}`, label: `${p.name}: ${last} · ${next}${scanning}`, enabled: false });
  }

  items.push(
    sep,
    { id: 'history', label: 'Open history…', click: actions.openHistory },
    {
      id: 'settings',
      label: options.platform === 'darwin' ? 'Preferences…' : 'Settings…',
      click: actions.openSettings,
    },
    {
      id: 'start-at-login',
      label: 'Start at login',
      type: 'checkbox',
      checked: options.startAtLogin,
      click: () => actions.setStartAtLogin(!options.startAtLogin),
    },
    sep,
    { id: 'quit', label: 'Quit Portwatch', click: actions.quit },
  );
  return items;
}
