// Field rules for the settings window, checked as the user types. They are the shared rules
// (src/shared/validate, the same the CLI applies), and main re-checks everything on save, so a window can
// never store what the CLI would refuse.
import { describeIssue, schemas, type ProfileInput } from '../../shared/ipc.ts';
import {
  describeError,
  parsePortSpec,
  splitTargetLines,
  validateProfileName,
  validateSchedule,
  validateTargets,
} from '../../shared/validate/index.ts';
import type { Schedule } from '../../shared/profile.ts';

export { splitTargetLines };

/** Splits a list of addresses (recipients): one per line, or separated by commas, semicolons or spaces. */
export const splitList = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((t) => t.trim())
    .filter(Boolean);

// The engine's rule (src/engine/config/keys.ts): one plain address, no display name.
const EMAIL =
  /^[^\s@<>(),;:"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export function emailError(address: string): string | null {
  if (!address) return 'enter an address such as you@example.com';
  return address.length <= 254 && EMAIL.test(address)
    ? null
    : `'${address}' is not an email address; write it as name@example.com`;
}

export function recipientsError(list: string[]): string | null {
  if (list.length === 0) return 'add at least one recipient';
  for (const address of list) {
    const error = emailError(address);
    if (error) return error;
  }
  return null;
}

export function nameError(name: string): string | null {
  const result = validateProfileName(name);
  return result.ok ? null : describeError(result.errors[0]!, 'name').replace(/^name: /, '');
}

/** Every problem in the targets box, one line each ("target 2 (10.0.0.300): ..."). */
export function targetsError(text: string): string | null {
  const result = validateTargets(splitTargetLines(text));
  return result.ok ? null : result.errors.map((e) => describeError(e)).join('\n');
}

export function targetsSummary(text: string): string | null {
  const result = validateTargets(splitTargetLines(text));
  if (!result.ok) return null;
  const n = result.value.targets.length;
  const count = result.value.count;
  return `${n} target${n === 1 ? '' : 's'}, ${count.toLocaleString()} address${count === 1 ? '' : 'es'}${result.value.family === 'ipv6' ? ' (IPv6)' : ''}`;
}

export function portsError(spec: string): string | null {
  const result = parsePortSpec(spec);
  return result.ok ? null : result.errors[0]!.message;
}

export function scheduleError(schedule: Schedule): { error: string | null; warning: string | null } {
  const result = validateSchedule(schedule);
  if (!result.ok) return { error: result.errors[0]!.message, warning: null };
  return { error: null, warning: result.warnings[0] ?? null };
}

/** The whole profile against the contract's schema: the first problem, as one line. */
export function profileError(input: ProfileInput): string | null {
  const parsed = schemas().profileInputSchema.safeParse(input);
  return parsed.success ? null : describeIssue(parsed.error);
}
