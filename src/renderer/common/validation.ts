// Field rules for the settings window, checked as the user types. They are the shared rules (src/shared): the
// engine re-checks everything on save, so a window can never store what the CLI would refuse.
import { profileInputSchema, describeIssue, type ProfileInput } from '../../shared/ipc.ts';

/** Splits the targets box: one per line, or separated by commas or spaces. */
export const splitList = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((t) => t.trim())
    .filter(Boolean);

const EMAIL =
  /^[^\s@<>(),;:"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export function emailError(address: string): string | null {
  if (!address) return 'enter an address such as you@example.com';
  return EMAIL.test(address) ? null : `'${address}' is not an email address; use the form name@example.com`;
}

export function recipientsError(list: string[]): string | null {
  if (list.length === 0) return 'add at least one recipient';
  for (const address of list) {
    const error = emailError(address);
    if (error) return error;
  }
  return null;
}

const PORT_SPEC = /^(?:[TUSP]:)?\d{1,5}(?:-\d{1,5})?(?:,(?:[TUSP]:)?\d{1,5}(?:-\d{1,5})?)*$/;

export function portsError(spec: string): string | null {
  const text = spec.replace(/\s+/g, '');
  if (!text) return 'enter ports such as 22,80,443 or 8000-8100';
  if (!PORT_SPEC.test(text))
    return `'${spec}' is not a port list; use numbers and ranges such as 22,80,443,8000-8100`;
  for (const part of text.split(',')) {
    const [a, b] = part
      .replace(/^[TUSP]:/, '')
      .split('-')
      .map(Number);
    if (a! < 1 || a! > 65535 || (b !== undefined && (b < 1 || b > 65535)))
      return `port ${part} is out of range; ports go from 1 to 65535`;
    if (b !== undefined && b < a!) return `the range ${part} runs backwards; write it as ${b}-${a}`;
  }
  return null;
}

/** The whole profile against the contract's schema: the first problem, as one line. */
export function profileError(input: ProfileInput): string | null {
  const parsed = profileInputSchema.safeParse(input);
  return parsed.success ? null : describeIssue(parsed.error);
}

/** Per-target errors, with the target's position (interim rules until src/shared/validate/targets lands). */
export function targetErrors(targets: string[]): { index: number; input: string; message: string }[] {
  const errors: { index: number; input: string; message: string }[] = [];
  targets.forEach((input, index) => {
    if (input.startsWith('-'))
      errors.push({
        index,
        input,
        message: 'a target cannot start with "-" (nmap would read it as an option)',
      });
    else if (!/^[A-Za-z0-9.:\-/_%[\]*]+$/.test(input))
      errors.push({
        index,
        input,
        message: 'use an address (10.0.0.5), a range (10.0.0.1-20), a network (10.0.0.0/24) or a host name',
      });
  });
  return errors;
}
