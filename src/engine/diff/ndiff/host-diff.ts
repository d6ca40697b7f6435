// ndiff's HostDiff, PortDiff and ScriptResultDiff: what differs between two hosts and what it costs.
// Costs follow ndiff exactly (verbose adds 1 per equal script pair, which is what makes `ndiff -v` exit 1 for
// identical scans); `realCost` is the cost non-verbose ndiff computes, which decides the exit code.
import type { ScriptResult } from '../../../shared/scan.ts';
import { getOpcodes, type Opcode } from './sequence-matcher.ts';
import {
  comparePorts,
  compareAddresses,
  NO_SERVICE,
  sortedScripts,
  type NdHost,
  type NdPort,
  type NdService,
} from './scan-view.ts';
import { comparePy } from './pystr.ts';

export interface ScriptDiff {
  a: ScriptResult | null;
  b: ScriptResult | null;
}

export interface PortDiff {
  portid: number;
  protocol: string;
  /** null: the port is not in that host (ndiff's Port(spec), state None). */
  a: NdPort | null;
  b: NdPort | null;
  scriptDiffs: ScriptDiff[];
  cost: number;
}

export interface HostDiff {
  a: NdHost;
  b: NdHost;
  stateChanged: boolean;
  idChanged: boolean;
  osChanged: boolean;
  extraportsChanged: boolean;
  /** The included port diffs, in spec order. */
  ports: PortDiff[];
  osOps: Opcode[];
  scriptDiffs: ScriptDiff[];
  cost: number;
  realCost: number;
}

/** ScriptResultDiff.diff_lists: a merge by id of two lists; equal pairs only in verbose mode. */
export function diffScriptLists(a: ScriptResult[], b: ScriptResult[], verbose: boolean): ScriptDiff[] {
  if (a.length === 0 && b.length === 0) return NO_DIFFS;
  const diffs: ScriptDiff[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const order = comparePy(a[i]!.id, b[j]!.id);
    if (order < 0) diffs.push({ a: a[i++]!, b: null });
    else if (order > 0) diffs.push({ a: null, b: b[j++]! });
    else {
      if (a[i]!.output !== b[j]!.output || verbose) diffs.push({ a: a[i]!, b: b[j]! });
      i++;
      j++;
    }
  }
  while (i < a.length) diffs.push({ a: a[i++]!, b: null });
  while (j < b.length) diffs.push({ a: null, b: b[j++]! });
  return diffs;
}

const NO_DIFFS: ScriptDiff[] = [];

/** Script diffs that non-verbose ndiff would count too (not equal pairs). */
function realScriptCost(diffs: ScriptDiff[]): number {
  let n = 0;
  for (const d of diffs) if (!(d.a && d.b && d.a.output === d.b.output)) n++;
  return n;
}

export function serviceOf(port: NdPort | null): NdService {
  return port?.service ?? NO_SERVICE;
}

/** Service.__eq__ (the tunnel is not compared). */
function sameService(a: NdService, b: NdService): boolean {
  return (
    a.name === b.name && a.product === b.product && a.version === b.version && a.extrainfo === b.extrainfo
  );
}

export function portState(port: NdPort | null): string | null {
  return port ? port.state.state : null;
}

/** Host.is_extraports: None, or a state summarised in the host's "Not shown" counts. */
export function isExtraports(host: NdHost, state: string | null): boolean {
  if (state === null) return true;
  for (const entry of host.extraports) if (entry[0] === state) return true;
  return false;
}

function sameAddressSet(a: NdHost, b: NdHost): boolean {
  if (a.addresses.length !== b.addresses.length) return false;
  return a.addresses.every((x) => b.addresses.some((y) => compareAddresses(x, y) === 0));
}

function sameNameSet(a: NdHost, b: NdHost): boolean {
  if (a.hostnames.length !== b.hostnames.length) return false;
  return a.hostnames.every((x) => b.hostnames.includes(x));
}

function sameExtraportsTuple(a: NdHost, b: NdHost): boolean {
  if (a.extraports.length !== b.extraports.length) return false;
  for (let i = 0; i < a.extraports.length; i++) {
    const x = a.extraports[i]!;
    const y = b.extraports[i]!;
    if (x[0] !== y[0] || x[1] !== y[1]) return false;
  }
  return true;
}

/** PortDiff for one spec, or null when include_diff leaves it out. Adds its costs to `into`. */
function diffPort(
  hostA: NdHost,
  hostB: NdHost,
  a: NdPort | null,
  b: NdPort | null,
  verbose: boolean,
  into: { cost: number; realCost: number },
): PortDiff | null {
  const stateA = portState(a);
  const stateB = portState(b);
  // include_diff: ports only ever in the "Not shown" counts are never shown, whatever else differs.
  if (isExtraports(hostA, stateA) && isExtraports(hostB, stateB)) return null;
  let cost = 0;
  if (stateA !== stateB) cost++;
  if (!sameService(serviceOf(a), serviceOf(b))) cost++;
  const scriptsA = a && a.scripts.length > 0 ? sortedScripts(a.scripts) : NO_SCRIPTS;
  const scriptsB = b && b.scripts.length > 0 ? sortedScripts(b.scripts) : NO_SCRIPTS;
  const scriptDiffs = diffScriptLists(scriptsA, scriptsB, verbose);
  const realCost = cost + realScriptCost(scriptDiffs);
  cost += scriptDiffs.length;
  if (!verbose && cost === 0) return null;
  into.cost += cost;
  into.realCost += realCost;
  const port = (a ?? b)!;
  return { portid: port.portid, protocol: port.protocol, a, b, scriptDiffs, cost };
}

const NO_SCRIPTS: ScriptResult[] = [];

function sameOs(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function diffHosts(a: NdHost, b: NdHost, verbose: boolean): HostDiff {
  const totals = { cost: 0, realCost: 0 };
  const stateChanged = a.state !== b.state;
  if (stateChanged) totals.cost++;
  const idChanged = !sameAddressSet(a, b) || !sameNameSet(a, b);
  if (idChanged) totals.cost++;

  // Merge the two spec-sorted port lists: the sorted union of specs.
  const ports: PortDiff[] = [];
  const pa = a.ports;
  const pb = b.ports;
  let i = 0;
  let j = 0;
  while (i < pa.length || j < pb.length) {
    let portA: NdPort | null = null;
    let portB: NdPort | null = null;
    if (i >= pa.length) portB = pb[j++]!;
    else if (j >= pb.length) portA = pa[i++]!;
    else {
      const order = comparePorts(pa[i]!, pb[j]!);
      if (order <= 0) portA = pa[i++]!;
      if (order >= 0) portB = pb[j++]!;
    }
    const diff = diffPort(a, b, portA, portB, verbose, totals);
    if (diff) ports.push(diff);
  }

  let osOps: Opcode[];
  let osChanged = false;
  if (sameOs(a.os, b.os)) {
    osOps = verbose && a.os.length > 0 ? getOpcodes(a.os, b.os) : NO_OPS;
  } else {
    osOps = getOpcodes(a.os, b.os);
    let osCost = 0;
    for (const op of osOps) if (op[0] !== 'equal') osCost++;
    osChanged = osCost > 0;
    totals.cost += osCost;
    totals.realCost += osCost;
  }

  const extraportsChanged = !sameExtraportsTuple(a, b);
  if (extraportsChanged) totals.cost++;

  const scriptDiffs = diffScriptLists(a.scripts, b.scripts, verbose);
  const scriptCost = scriptDiffs.length;
  const realScripts = realScriptCost(scriptDiffs);

  const base = (stateChanged ? 1 : 0) + (idChanged ? 1 : 0) + (extraportsChanged ? 1 : 0);
  return {
    a,
    b,
    stateChanged,
    idChanged,
    osChanged,
    extraportsChanged,
    ports,
    osOps,
    scriptDiffs,
    cost: totals.cost + scriptCost,
    realCost: totals.realCost + base + realScripts,
  };
}

const NO_OPS: Opcode[] = [];
