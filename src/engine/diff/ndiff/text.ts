// ndiff's plain-text output (ScanDiffText, HostDiff.print_text and friends). Each function returns the text
// that ndiff prints for its part, newline-terminated lines, so the caller can write it in large chunks.
import type { ScriptResult } from '../../../shared/scan.ts';
import type { HostDiff, PortDiff, ScriptDiff } from './host-diff.ts';
import { isExtraports, portState, serviceOf } from './host-diff.ts';
import { formatLocalTime } from './py-time.ts';
import { compareAddresses, type NdHost, type NdPort, type NdScan, type NdService } from './scan-view.ts';
import { getOpcodes } from './sequence-matcher.ts';
import { comparePy, splitlines } from './pystr.ts';
import { Table } from './table.ts';

/** format_banner: "Nmap 7.93 scan initiated <local time> as: <args>". */
export function formatBanner(scan: NdScan): string {
  const parts = [scan.scanner !== null && scan.scanner !== 'nmap' ? scan.scanner : 'Nmap'];
  if (scan.version !== null) parts.push(scan.version);
  parts.push('scan');
  if (scan.start !== null) parts.push(`initiated ${formatLocalTime(scan.start)}`);
  if (scan.args !== null) parts.push(`as: ${scan.args}`);
  return parts.join(' ');
}

export function bannerText(a: NdScan, b: NdScan, verbose: boolean): string {
  const bannerA = formatBanner(a);
  const bannerB = formatBanner(b);
  if (bannerA !== bannerB) return `-${bannerA}\n+${bannerB}\n`;
  return verbose ? ` ${bannerA}\n` : '';
}

/** ScriptResult.get_lines: "id: first line", then "|  " for each line but the last, "|_ " for the last. */
function scriptLines(sr: ScriptResult | null): string[] {
  if (sr === null) return [];
  const lines = splitlines(sr.output);
  if (lines.length === 0) return lines;
  lines[0] = `${sr.id}: ${lines[0]}`;
  const last = lines.length - 1;
  for (let i = 0; i < last; i++) lines[i] = `|  ${lines[i]}`;
  lines[last] = `|_ ${lines[last]}`;
  return lines;
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/** ScriptResultDiff.append_to_port_table: the script lines, diffed with difflib. */
function appendScriptDiff(table: Table, diff: ScriptDiff, verbose: boolean): void {
  const aLines = scriptLines(diff.a);
  const bLines = scriptLines(diff.b);
  if (sameLines(aLines, bLines) && !verbose) return;
  for (const [op, i1, i2, j1, j2] of getOpcodes(aLines, bLines)) {
    if (op === 'replace' || op === 'delete') for (let k = i1; k < i2; k++) table.appendRaw('-' + aLines[k]);
    if (op === 'replace' || op === 'insert') for (let k = j1; k < j2; k++) table.appendRaw('+' + bLines[k]);
    if (op === 'equal') for (let k = i1; k < i2; k++) table.appendRaw(' ' + aLines[k]);
  }
}

/** print_script_result_diffs_text: a blank line, " Title:" with -/+ when one side has none, the lines. */
export function scriptDiffsText(
  title: string,
  a: ScriptResult[],
  b: ScriptResult[],
  diffs: ScriptDiff[],
  verbose: boolean,
): string {
  if (diffs.length === 0) return '';
  const table = new Table('*');
  for (const diff of diffs) appendScriptDiff(table, diff, verbose);
  if (table.length === 0) return '';
  const mark = b.length === 0 ? '-' : a.length === 0 ? '+' : ' ';
  return `\n${mark}${title}:\n${table.toString()}\n`;
}

function nameString(s: NdService): string | null {
  const parts: string[] = [];
  if (s.tunnel !== undefined) parts.push(s.tunnel);
  if (s.name !== undefined) parts.push(s.name);
  return parts.length === 0 ? null : parts.join('/');
}

function versionString(s: NdService): string | null {
  const parts: string[] = [];
  if (s.product !== undefined) parts.push(s.product);
  if (s.version !== undefined) parts.push(s.version);
  if (s.extrainfo !== undefined) parts.push(`(${s.extrainfo})`);
  return parts.length === 0 ? null : parts.join(' ');
}

function portColumns(diff: PortDiff, port: NdPort | null): (string | null)[] {
  const service = serviceOf(port);
  return [
    `${diff.portid}/${diff.protocol}`,
    portState(port) ?? 'unknown',
    nameString(service),
    versionString(service),
  ];
}

/** PortDiff.append_to_port_table. */
function appendPortDiff(table: Table, diff: PortDiff, hostA: NdHost, hostB: NdHost, verbose: boolean): void {
  const aColumns = portColumns(diff, diff.a);
  const bColumns = portColumns(diff, diff.b);
  if (aColumns.every((c, i) => c === bColumns[i])) {
    // ndiff has `self.script_result_diffs > 0` here, a TypeError in Python 3; this is what it means.
    if (verbose || diff.scriptDiffs.length > 0) table.append([' ', ...aColumns]);
  } else {
    if (!isExtraports(hostA, portState(diff.a))) table.append(['-', ...aColumns]);
    if (!isExtraports(hostB, portState(diff.b))) table.append(['+', ...bColumns]);
  }
  for (const sd of diff.scriptDiffs) appendScriptDiff(table, sd, verbose);
}

/** Host.format_name: "names (addresses)", either alone, or "<no name>". */
export function formatName(host: NdHost): string {
  const addresses = [...host.addresses].sort(compareAddresses).map((a) => a.addr);
  const names = [...host.hostnames].sort(comparePy);
  const addressS = addresses.join(', ');
  const hostnameS = names.join(', ');
  if (hostnameS.length > 0) return addressS.length > 0 ? `${hostnameS} (${addressS})` : hostnameS;
  return addressS.length > 0 ? addressS : '<no name>';
}

/** Host.extraports_string: "N state ports" by descending (count, state). */
function extraportsString(host: NdHost): string {
  const list = host.extraports.map(([state, count]) => [count, state] as const);
  // Python compares (count, state) tuples; a None state only compares with itself (equal counts would raise).
  list.sort((x, y) => y[0] - x[0] || comparePy(y[1] ?? 'None', x[1] ?? 'None'));
  return list.map(([count, state]) => `${count} ${state ?? 'None'} ports`).join(', ');
}

const pyStr = (s: string | null) => (s === null ? 'None' : s);

/** A blank line and HostDiff.print_text. */
export function hostDiffText(d: HostDiff, verbose: boolean): string {
  const { a, b } = d;
  let out = '\n';

  if (d.idChanged) {
    if (a.state !== null) out += `-${formatName(a)}:\n`;
    if (b.state !== null) out += `+${formatName(b)}:\n`;
  } else {
    out += ` ${formatName(a)}:\n`;
  }

  if (d.stateChanged) {
    if (a.state !== null) out += `-Host is ${a.state}.\n`;
    if (b.state !== null) out += `+Host is ${b.state}.\n`;
  } else if (verbose) {
    out += ` Host is ${pyStr(b.state)}.\n`;
  }

  if (d.extraportsChanged) {
    if (a.extraports.length > 0) out += `-Not shown: ${extraportsString(a)}\n`;
    if (b.extraports.length > 0) out += `+Not shown: ${extraportsString(b)}\n`;
  } else if (verbose && a.extraports.length > 0) {
    out += ` Not shown: ${extraportsString(a)}\n`;
  }

  if (d.ports.length > 0) {
    const table = new Table('** * * *');
    const mark = a.state === null ? '+' : b.state === null ? '-' : ' ';
    table.append([mark, 'PORT', 'STATE', 'SERVICE', 'VERSION']);
    for (const port of d.ports) appendPortDiff(table, port, a, b, verbose);
    if (table.length > 1) out += table.toString() + '\n';
  }

  if (d.osChanged || verbose) {
    if (a.os.length > 0) out += b.os.length > 0 ? ' OS details:\n' : '-OS details:\n';
    else if (b.os.length > 0) out += '+OS details:\n';
    for (const [op, i1, i2, j1, j2] of d.osOps) {
      if (op === 'replace' || op === 'delete') for (let i = i1; i < i2; i++) out += `-  ${a.os[i]}\n`;
      if (op === 'replace' || op === 'insert') for (let j = j1; j < j2; j++) out += `+  ${b.os[j]}\n`;
      if (op === 'equal') for (let i = i1; i < i2; i++) out += `   ${a.os[i]}\n`;
    }
  }

  out += scriptDiffsText('Host script results', a.scripts, b.scripts, d.scriptDiffs, verbose);
  return out;
}
