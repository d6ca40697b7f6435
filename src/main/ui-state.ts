// Window places and sizes, kept with electron-store (a JSON file in userData): checked against a schema, and
// migrated when its shape changes between versions. Settings and profiles never live here (they belong to the
// engine's data directory, shared with the CLI); this is only how the windows looked.
import Store from 'electron-store';
import type { UiStateLike } from './app.ts';
import type { Bounds, WindowKind } from './windows.ts';

interface UiState {
  windows: Partial<Record<WindowKind, Bounds>>;
}

const bounds = {
  type: 'object',
  properties: {
    x: { type: 'integer' },
    y: { type: 'integer' },
    width: { type: 'integer', minimum: 400, maximum: 10000 },
    height: { type: 'integer', minimum: 300, maximum: 10000 },
  },
  required: ['x', 'y', 'width', 'height'],
} as const;

export function openUiState(): UiStateLike {
  const store = new Store<UiState>({
    name: 'ui-state',
    schema: {
      windows: { type: 'object', properties: { settings: bounds, history: bounds }, default: {} },
    },
    // A damaged or hand-broken file is replaced by the defaults: this is only window geometry.
    clearInvalidConfig: true,
    migrations: {
      // 0.1.0 kept one "bounds" entry for the only window; it was the history window's.
      '0.1.0': (s) => {
        const old = s.get('bounds' as keyof UiState) as unknown as Bounds | undefined;
        if (old) {
          s.set('windows', { history: old });
          s.delete('bounds' as keyof UiState);
        }
      },
    },
  });
  return {
    bounds: (kind) => store.get('windows')[kind],
    setBounds: (kind, b) => store.set('windows', { ...store.get('windows'), [kind]: b }),
  };
}
