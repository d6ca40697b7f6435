// STUB (being written): the change model, reference -> current. See src/shared/changes.ts for its rules.
import type { Change } from '../../shared/changes.ts';
import type { NmapRun } from '../../shared/scan.ts';

export function computeChanges(_reference: NmapRun, _current: NmapRun): Change[] {
  throw new Error('not implemented');
}
