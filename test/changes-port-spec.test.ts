import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortRanges, checkPortSpec, parsePortList, type PortSpec } from '../src/engine/nmap/port-spec.ts';

function parsePortSpec(text: string): PortSpec {
  const result = checkPortSpec(text);
  assert.ok(result.ok, result.ok ? '' : result.problem);
  return result.spec;
}

test('ranges merge, sort and answer has() at the edges', () => {
  const set = new PortRanges([
    [80, 80],
    [1, 10],
    [11, 20],
    [443, 445],
    [5, 7],
  ]);
  assert.equal(set.toString(), '1-20,80,443-445');
  assert.equal(set.size, 24);
  for (const port of [1, 20, 80, 443, 445]) assert.equal(set.has(port), true, `${port}`);
  for (const port of [0, 21, 79, 81, 442, 446, 65535]) assert.equal(set.has(port), false, `${port}`);
  assert.equal(PortRanges.EMPTY.has(1), false);
  assert.equal(PortRanges.EMPTY.isEmpty, true);
});

test('a plain spec applies to TCP, UDP and SCTP; prefixes apply up to the next prefix', () => {
  const plain = parsePortSpec('22,80,443');
  assert.equal(plain.tcp.toString(), '22,80,443');
  assert.equal(plain.udp.toString(), '22,80,443');
  assert.equal(plain.ip.isEmpty, true);

  const mixed = parsePortSpec('T:1-100,8080,U:53,161,P:6');
  assert.equal(mixed.tcp.toString(), '1-100,8080');
  assert.equal(mixed.udp.toString(), '53,161');
  assert.equal(mixed.ip.toString(), '6');
  assert.equal(mixed.sctp.isEmpty, true);
});

test('open-ended ranges follow nmap: "-" is 1-65535, port 0 only when named', () => {
  assert.equal(parsePortSpec('-').tcp.toString(), '1-65535');
  assert.equal(parsePortSpec('-1024').tcp.toString(), '1-1024');
  assert.equal(parsePortSpec('60000-').tcp.toString(), '60000-65535');
  assert.equal(parsePortSpec('0-').tcp.has(0), true);
  assert.equal(parsePortSpec('P:-').ip.toString(), '1-255');
});

test('a large scaninfo list (nmap top 1000) reads into a compact set', () => {
  const services =
    '1,3-4,6-7,9,13,17,19-26,30,32-33,37,42-43,49,53,70,79-85,88-90,99-100,106,109-111,113,119,125,135,139,143-144';
  const set = parsePortList(services, 'tcp');
  assert.equal(set.has(22), true);
  assert.equal(set.has(2), false);
  assert.equal(set.has(144), true);
  assert.equal(set.has(145), false);
  assert.equal(parsePortList('0-255', 'ip').size, 256);
  assert.equal(parsePortList(undefined).isEmpty, true);
  assert.equal(parsePortList('', 'udp').isEmpty, true);
  assert.equal(parsePortList('22', 'carrier-pigeon').isEmpty, true);
});

test('bad specs are one clear line saying what to write instead', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty; give ports such as 22,80,443/],
    ['22,,80', /"22,,80": it has an empty item/],
    ['http', /"http" is not a port number or range \(service names and wildcards are not supported\)/],
    ['22;80', /"22;80" is not a port number or range; use e.g. 22,80,443/],
    ['70000', /70000 is beyond the highest TCP port \(65535\)/],
    ['100-20', /the range 100-20 runs backwards; write 20-100/],
    ['X:22', /"X:" is not a protocol prefix/],
    ['P:300', /300 is beyond the highest IP port \(255\)/],
  ];
  for (const [spec, message] of cases) {
    const result = checkPortSpec(spec);
    assert.equal(result.ok, false, spec);
    if (!result.ok) {
      assert.match(result.problem, message);
      assert.doesNotMatch(result.problem, /\n/);
    }
  }
});
