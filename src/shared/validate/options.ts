// Typed scan options: shape and meaning (port specs against the technique, time limits), plus which
// options need a privileged nmap. Whether nmap has those privileges is decided at run time (engine/nmap/detect).
// Browser-safe.
import type { ScanOptions } from '../profile.ts';
import { parsePortSpec } from './ports.ts';
import { invalid, valid, type FieldError, type Validation } from './result.ts';

export const MIN_TIMEOUT_SECONDS = 5;
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

// The shape is checked by hand, not with zod: zod takes a few hundred milliseconds to load, and this runs in
// every `portwatch scan` (the argv builder re-validates), where start-up time is overhead on top of nmap.

const KEYS = new Set([
  'ports',
  'technique',
  'serviceDetection',
  'osDetection',
  'timing',
  'skipHostDiscovery',
  'confirmChanges',
  'timeoutSeconds',
  'hostTimeoutSeconds',
  'resolveHostnames',
]);

const FLAGS = [
  ['serviceDetection', 'service detection'],
  ['osDetection', 'OS detection'],
  ['skipHostDiscovery', 'skip host discovery'],
  ['confirmChanges', 'confirm changes'],
  ['resolveHostnames', 'resolve host names'],
] as const;

function show(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkSeconds(errors: FieldError[], field: string, what: string, value: unknown): void {
  const problem = !Number.isInteger(value)
    ? `${what} must be a whole number of seconds`
    : (value as number) < MIN_TIMEOUT_SECONDS
      ? `${what} must be at least ${MIN_TIMEOUT_SECONDS} seconds`
      : (value as number) > MAX_TIMEOUT_SECONDS
        ? `${what} must be at most ${MAX_TIMEOUT_SECONDS} seconds (${MAX_TIMEOUT_SECONDS / 3600} hours)`
        : undefined;
  if (problem) errors.push({ field, input: show(value), message: problem });
}

/** Checks types and ranges field by field; returns a clean copy (no stray keys) when they all hold. */
function checkShape(input: unknown): { options?: ScanOptions; errors: FieldError[] } {
  if (!isRecord(input))
    return { errors: [{ field: 'options', input: show(input), message: 'scan options must be an object' }] };
  const errors: FieldError[] = [];
  const add = (field: string, value: unknown, message: string) =>
    errors.push({ field, input: show(value), message });
  const unknown = Object.keys(input).filter((key) => !KEYS.has(key));
  if (unknown.length > 0) add('options', unknown.join(', '), `unknown option: ${unknown.join(', ')}`);

  const ports = input.ports;
  const portsHelp = "ports must be a list ('22,80'), the top N ports, or nmap's default";
  if (!isRecord(ports)) add('ports', ports, portsHelp);
  else if (ports.kind === 'list') {
    if (typeof ports.spec !== 'string') add('ports.spec', ports.spec, 'the port list must be text');
  } else if (ports.kind === 'top') {
    const count = ports.count;
    if (!Number.isInteger(count)) add('ports.count', count, 'the number of top ports must be a whole number');
    else if ((count as number) < 1) add('ports.count', count, 'scan at least the top 1 port');
    else if ((count as number) > 65535)
      add('ports.count', count, 'there are only 65535 ports: use at most --top-ports 65535');
  } else if (ports.kind !== 'default') add('ports.kind', ports.kind, portsHelp);

  if (input.technique !== 'connect' && input.technique !== 'syn' && input.technique !== 'udp')
    add('technique', input.technique, 'technique must be connect, syn or udp');
  for (const [key, what] of FLAGS) {
    const value = input[key];
    if (value === undefined && key === 'resolveHostnames') continue;
    if (typeof value !== 'boolean') add(key, value, `${what} must be true or false`);
  }
  const timing = input.timing;
  if (!Number.isInteger(timing)) add('timing', timing, 'timing must be a whole number from 0 to 5');
  else if ((timing as number) < 0 || (timing as number) > 5)
    add('timing', timing, 'timing must be from 0 (paranoid) to 5 (insane)');
  checkSeconds(errors, 'timeoutSeconds', 'the time limit', input.timeoutSeconds);
  if (input.hostTimeoutSeconds !== undefined)
    checkSeconds(errors, 'hostTimeoutSeconds', 'the per-host time limit', input.hostTimeoutSeconds);
  if (errors.length > 0) return { errors };

  const p = ports as Record<string, unknown>;
  const options: ScanOptions = {
    ports:
      p.kind === 'list'
        ? { kind: 'list', spec: p.spec as string }
        : p.kind === 'top'
          ? { kind: 'top', count: p.count as number }
          : { kind: 'default' },
    technique: input.technique as ScanOptions['technique'],
    serviceDetection: input.serviceDetection as boolean,
    osDetection: input.osDetection as boolean,
    timing: timing as ScanOptions['timing'],
    skipHostDiscovery: input.skipHostDiscovery as boolean,
    confirmChanges: input.confirmChanges as boolean,
    timeoutSeconds: input.timeoutSeconds as number,
  };
  if (input.hostTimeoutSeconds !== undefined) options.hostTimeoutSeconds = input.hostTimeoutSeconds as number;
  if (input.resolveHostnames !== undefined) options.resolveHostnames = input.resolveHostnames as boolean;
  return { options, errors };
}

/** The options each need nmap to run privileged (root, or CAP_NET_RAW with --privileged). */
export function privilegesNeeded(options: Pick<ScanOptions, 'technique' | 'osDetection'>): string[] {
  const needs: string[] = [];
  if (options.technique === 'syn') needs.push('SYN scans (-sS)');
  if (options.technique === 'udp') needs.push('UDP scans (-sU)');
  if (options.osDetection) needs.push('OS detection (-O)');
  return needs;
}

export function validateScanOptions(input: unknown): Validation<ScanOptions> {
  const shape = checkShape(input);
  if (!shape.options) return invalid(shape.errors);
  const options = shape.options;
  const errors: FieldError[] = [];
  const warnings: string[] = [];

  if (options.ports.kind === 'list') {
    const ports = parsePortSpec(options.ports.spec);
    if (!ports.ok) errors.push(...ports.errors);
    else {
      options.ports = { kind: 'list', spec: ports.value.spec };
      if (ports.value.udp.length > 0 && options.technique !== 'udp')
        errors.push({
          field: 'ports',
          input: options.ports.spec,
          message: 'U: (UDP) ports need the udp technique: choose technique udp or remove the U: ports',
        });
      if (ports.value.tcp.length > 0 && options.technique === 'udp')
        errors.push({
          field: 'ports',
          input: options.ports.spec,
          message:
            'T: (TCP) ports need the connect or syn technique: remove the T: ports or change the technique',
        });
    }
  }
  if (options.hostTimeoutSeconds !== undefined && options.hostTimeoutSeconds > options.timeoutSeconds)
    errors.push({
      field: 'hostTimeoutSeconds',
      input: String(options.hostTimeoutSeconds),
      message: `the per-host time limit can't exceed the scan's time limit (${options.timeoutSeconds} s)`,
    });
  if (errors.length > 0) return invalid(errors);

  if (options.timing <= 1)
    warnings.push(
      `timing ${options.timing} waits ${options.timing === 0 ? '5 minutes' : '15 seconds'} between probes: ` +
        'a scan of more than a few ports takes hours; use 3 unless you must evade an IDS',
    );
  if (options.osDetection && options.technique === 'udp')
    warnings.push('OS detection needs an open and a closed TCP port: it is unreliable with a UDP-only scan');
  return valid(options, warnings);
}
