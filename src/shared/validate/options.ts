// Typed scan options: shape (zod) and meaning (port specs against the technique, time limits), plus which
// options need a privileged nmap. Whether nmap has those privileges is decided at run time (engine/nmap/detect).
// Browser-safe.
import { z } from 'zod';
import type { ScanOptions } from '../profile.ts';
import { parsePortSpec } from './ports.ts';
import { invalid, valid, type FieldError, type Validation } from './result.ts';

export const MIN_TIMEOUT_SECONDS = 5;
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

const seconds = (what: string, max: number) =>
  z
    .int({ error: `${what} must be a whole number of seconds` })
    .min(MIN_TIMEOUT_SECONDS, {
      error: `${what} must be at least ${MIN_TIMEOUT_SECONDS} seconds`,
    })
    .max(max, { error: `${what} must be at most ${max} seconds (${max / 3600} hours)` });

const flag = (what: string) => z.boolean({ error: `${what} must be true or false` });

const shape = z.strictObject(
  {
    ports: z.discriminatedUnion(
      'kind',
      [
        z.strictObject({ kind: z.literal('list'), spec: z.string({ error: 'the port list must be text' }) }),
        z.strictObject({
          kind: z.literal('top'),
          count: z
            .int({ error: 'the number of top ports must be a whole number' })
            .min(1, { error: 'scan at least the top 1 port' })
            .max(65535, { error: 'there are only 65535 ports: use at most --top-ports 65535' }),
        }),
        z.strictObject({ kind: z.literal('default') }),
      ],
      { error: "ports must be a list ('22,80'), the top N ports, or nmap's default" },
    ),
    technique: z.enum(['connect', 'syn', 'udp'], { error: 'technique must be connect, syn or udp' }),
    serviceDetection: flag('service detection'),
    osDetection: flag('OS detection'),
    timing: z
      .int({ error: 'timing must be a whole number from 0 to 5' })
      .min(0, { error: 'timing must be from 0 (paranoid) to 5 (insane)' })
      .max(5, { error: 'timing must be from 0 (paranoid) to 5 (insane)' }),
    skipHostDiscovery: flag('skip host discovery'),
    confirmChanges: flag('confirm changes'),
    timeoutSeconds: seconds('the time limit', MAX_TIMEOUT_SECONDS),
    hostTimeoutSeconds: seconds('the per-host time limit', MAX_TIMEOUT_SECONDS).optional(),
    resolveHostnames: flag('resolve host names').optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown option: ${issue.keys.join(', ')}`
        : issue.code === 'invalid_type'
          ? 'scan options must be an object'
          : undefined,
  },
);

function show(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

function pick(input: unknown, path: PropertyKey[]): unknown {
  let at = input;
  for (const key of path)
    at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
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
  const parsed = shape.safeParse(input);
  if (!parsed.success) {
    const errors: FieldError[] = parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || 'options',
      input: show(pick(input, issue.path)),
      message: issue.message,
    }));
    return invalid(errors);
  }
  const options = parsed.data as ScanOptions;
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
