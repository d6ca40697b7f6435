// Targets: every bad input refused with a message that says why; every good one accepted with its count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_ADDRESSES_PER_PROFILE,
  splitTargetLines,
  splitTargetList,
  validateTarget,
  validateTargets,
} from '../src/shared/validate/index.ts';

const option = 'which nmap would read as an option';

/** [input, expected message fragment] */
const bad: Array<[string, string]> = [
  // Option injection
  ['-iL /etc/shadow', option],
  ['-iL', option],
  ['--script=http-shellshock', option],
  ['--script', option],
  ['-oN', option],
  ['-oN file', option],
  ['-oX /tmp/x', option],
  ['--', option],
  ['-', option],
  ['-sV', option],
  ['--resume=/etc/passwd', option],
  ['-10.0.0.1', option],
  ['/etc/shadow', 'looks like a file path'],
  ['../targets.txt', 'looks like a file path'],
  // Shell metacharacters
  ['10.0.0.1;id', "';'"],
  ['10.0.0.1|nc', "'|'"],
  ['10.0.0.1&', "'&'"],
  ['$(reboot)', "'$'"],
  ['host$(id)', "'$'"],
  ['`id`', "'`'"],
  ['10.0.0.1>out', "'>'"],
  ['10.0.0.1<in', "'<'"],
  ["host'name", "'''"],
  ['host"name', `'"'`],
  ['host\\name', "'\\'"],
  ['host{a,b}', "'{'"],
  ['host!', "'!'"],
  ['~root', "'~'"],
  ['host#1', "'#'"],
  ['user@host', "'@'"],
  ['a=b', "'='"],
  ['192.168.*.1', "'*'"],
  // Control characters, whitespace, unicode tricks
  ['10.0.0.1\nid', 'a line break'],
  ['10.0.0.1\0', 'a NUL byte'],
  ['host\u0007name', 'a control character (U+0007)'],
  ['host\u007fname', 'a control character (U+007F)'],
  ['10.0.0.1 10.0.0.2', 'a space: put each target in its own entry'],
  ['10.0.0.1\t10.0.0.2', 'a tab'],
  ['exa\u200bmple.com', 'zero-width space'],
  ['example\u202e.com', 'right-to-left override'],
  ['\ufeffexample.com', 'byte-order mark'],
  ['10.0.0.1\u00a010.0.0.2', 'no-break space'],
  ['１２７.0.0.1', 'non-ASCII'],
  ['ex\u0430mple.com', 'U+0430'],
  ['bücher.de', 'xn--'],
  ['10.0.0.1\u2028', 'line separator'],
  // Malformed IPv4, ranges and blocks
  ['256.1.1.1', '256 is not a number from 0 to 255'],
  ['1.2.3.4/33', '/33 is out of range'],
  ['1.2.3.4/-1', 'not a prefix length'],
  ['1.2.3.4/', 'not a prefix length'],
  ['10.0.0.5-1', 'goes backwards: write 1-5'],
  ['10.0.0.1-', 'open-ended'],
  ['10.0.0.-5', 'open-ended'],
  ['10.0.0', '4 numbers'],
  ['10.0.0.0.1', '4 numbers'],
  ['10.1', '4 numbers'],
  ['010.0.0.1', 'leading zero'],
  ['10..0.1', 'empty'],
  ['10.0.0.1,1', 'twice'],
  ['10.0.0.1-5,3', 'twice'],
  ['10.0.0.5/24', 'did you mean 10.0.0.0/24?'],
  ['10.0.0.1-5/24', "a range can't also have a /prefix"],
  [
    '10.0.0.0/8',
    '10.0.0.0/8 is 16,777,216 addresses; Portwatch scans at most 65,536 per profile: split it into /16s',
  ],
  ['0.0.0.0/0', '4,294,967,296 addresses'],
  ['10.0-255.0-255.0-255', 'split it into smaller ranges'],
  ['10.0.0.1/8/8', 'not a prefix length'],
  // Malformed IPv6
  ['2001:db8::1::2', "'::' may appear only once"],
  ['2001:db8:1:2:3:4:5:6:7', '8 groups'],
  ['2001:db8:1', '8 groups'],
  ['2001:db8::g', 'not an IPv6 group'],
  ['12345::1', 'not an IPv6 group'],
  ['2001:db8::/129', 'IPv6 prefixes go from /0 to /128'],
  ['2001:db8::/64', 'split it into /112s'],
  ['::/0', 'per profile'],
  ['2001:db8::1/120', 'bits set after the /120 prefix'],
  ['2001:db8::1-5', 'no ranges for IPv6'],
  ['[::1]', 'remove the brackets'],
  ['fe80::1%', 'zone'],
  ['fe80::1%eth0/64', 'zone'],
  // Malformed names (RFC 1123)
  ['-host.example', option],
  ['host-.example', "may not start or end with '-'"],
  ['ho_st.example', "'_' is not allowed"],
  ['host..example', 'empty label'],
  ['.example.com', 'empty label'],
  [`${'a'.repeat(64)}.example`, 'at most 63'],
  [`${'abcdefgh.'.repeat(29)}com`, 'at most 253'],
  ['host.123', 'looks like an IPv4 address'],
  ['example.com/24', "a host name can't take a /prefix"],
  ['a.example,b.example', 'its own entry'],
  ['host%eth0', "'%' only introduces the zone"],
  // Empty
  ['', 'is empty'],
  ['   ', 'is empty'],
];

test(`refuses ${bad.length} bad targets, each with a message that says why`, () => {
  assert.ok(bad.length >= 50);
  for (const [input, fragment] of bad) {
    const result = validateTarget(input);
    assert.equal(result.ok, false, `accepted ${JSON.stringify(input)}`);
    if (result.ok) continue;
    const message = result.errors[0]!.message;
    assert.ok(message.includes(fragment), `${JSON.stringify(input)}: "${message}" lacks "${fragment}"`);
    assert.ok(!message.includes('\n'), `${JSON.stringify(input)}: message is more than one line`);
    // The list validator says the same, with the entry's position.
    const list = validateTargets(['192.0.2.1', input]);
    assert.equal(list.ok, false);
    if (!list.ok) assert.equal(list.errors.find((e) => e.index === 1)?.message, message);
  }
});

/** [input, kind, count] */
const good: Array<[string, string, number]> = [
  ['10.0.0.1', 'ipv4', 1],
  ['0.0.0.0', 'ipv4', 1],
  ['255.255.255.255', 'ipv4', 1],
  ['192.168.1.0/24', 'ipv4-cidr', 256],
  ['10.0.0.0/16', 'ipv4-cidr', 65536],
  ['10.0.0.7/32', 'ipv4-cidr', 1],
  ['10.0.0.1-20', 'ipv4-range', 20],
  ['10.0.1-3.1-254', 'ipv4-range', 762],
  ['10.0.0.1,3,5-7', 'ipv4-range', 5],
  ['10.0.0-255.0-255', 'ipv4-range', 65536],
  ['::1', 'ipv6', 1],
  ['2001:db8::1', 'ipv6', 1],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', 'ipv6', 1],
  ['::ffff:192.0.2.1', 'ipv6', 1],
  ['fe80::1%eth0', 'ipv6', 1],
  ['2001:db8::/120', 'ipv6-cidr', 256],
  ['2001:db8::/112', 'ipv6-cidr', 65536],
  ['localhost', 'hostname', 1],
  ['scanme.nmap.org', 'hostname', 1],
  ['scanme.nmap.org.', 'hostname', 1],
  ['xn--bcher-kva.example', 'hostname', 1],
  ['a-b.c-d.example', 'hostname', 1],
  ['1host.example', 'hostname', 1],
  [`${'a'.repeat(63)}.example`, 'hostname', 1],
  ['  10.0.0.1  ', 'ipv4', 1],
  ['10.0.0.1\r', 'ipv4', 1],
];

test(`accepts ${good.length} good targets with their kind and address count`, () => {
  for (const [input, kind, count] of good) {
    const result = validateTarget(input);
    assert.ok(result.ok, `refused ${JSON.stringify(input)}: ${result.ok ? '' : result.errors[0]!.message}`);
    assert.equal(result.value.kind, kind, input);
    assert.equal(result.value.count, count, input);
    assert.equal(result.value.text, input.trim());
  }
});

test('a list: counts addresses, trims entries, and names its address family', () => {
  const v4 = validateTargets(['192.168.1.0/24', ' 10.0.0.1-20 ', 'router.lan']);
  assert.ok(v4.ok);
  assert.deepEqual(v4.value, {
    targets: ['192.168.1.0/24', '10.0.0.1-20', 'router.lan'],
    count: 277,
    family: 'ipv4',
  });
  const v6 = validateTargets(['host.example', '2001:db8::/120']);
  assert.ok(v6.ok);
  assert.equal(v6.value.family, 'ipv6');
  assert.equal(v6.value.count, 257);
});

test('a list: empty, duplicates, overlaps, mixed families and too many addresses in all are refused', () => {
  const cases: Array<[string[], number | undefined, string]> = [
    [[], undefined, 'no targets'],
    [['10.0.0.1', '10.0.0.1'], 1, 'listed twice (also target 1)'],
    [['Router.lan', 'router.LAN.'], 1, 'listed twice (also target 1)'],
    [['10.0.0.0/24', '10.0.0.5'], 1, 'overlaps target 1 (10.0.0.0/24)'],
    [['10.0.0.5', '10.0.0.0/24'], 1, 'overlaps target 1 (10.0.0.5)'],
    [['10.0.0.1-10', '10.0.0.10-20'], 1, 'overlaps target 1'],
    [['10.0.1-3.1-254', '10.0.2.7'], 1, 'overlaps target 1'],
    [['2001:db8::/120', '2001:db8::ff'], 1, 'overlaps target 1'],
    [['::1', '0:0:0:0:0:0:0:1'], 1, 'overlaps target 1'],
    [['10.0.0.1', '::1'], 1, 'is IPv6 but target 1 is IPv4'],
    [['host.example', '::1', '10.0.0.1'], 2, 'is IPv4 but target 2 is IPv6'],
    [['10.0.0.0/16', '10.1.0.0/16'], undefined, '131,072 addresses'],
  ];
  for (const [inputs, index, fragment] of cases) {
    const result = validateTargets(inputs);
    assert.equal(result.ok, false, JSON.stringify(inputs));
    if (result.ok) continue;
    const error = result.errors.find((e) => e.message.includes(fragment));
    assert.ok(error, `${JSON.stringify(inputs)}: ${JSON.stringify(result.errors)} lacks "${fragment}"`);
    assert.equal(error.index, index, JSON.stringify(inputs));
  }
  // Not overlapping: neighbours, and IPv4-mapped IPv6 is a different family, not a duplicate of the IPv4 address.
  assert.ok(validateTargets(['10.0.0.1-10', '10.0.0.11-20', '10.0.1.0/24']).ok);
  // Interleaved: inside the range's bounds but not one of its addresses.
  assert.ok(validateTargets(['10.0.0-255.1', '10.0.5.2']).ok);
  assert.equal(validateTargets(['10.0.0-255.1', '10.0.5.1']).ok, false);
  assert.equal(MAX_ADDRESSES_PER_PROFILE, 65536);
  assert.ok(validateTargets(['10.0.0.0/17', '10.0.128.0/17']).ok);
});

test('every entry of a list is checked, so a window can mark each field', () => {
  const result = validateTargets(['10.0.0.1', '-iL x', '10.0.0.2', '256.0.0.1']);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(
    result.errors.map((e) => e.index),
    [1, 3],
  );
  assert.equal(result.errors[1]!.input, '256.0.0.1');
});

test('a text box splits into one entry per line, blank lines dropped', () => {
  assert.deepEqual(splitTargetLines('10.0.0.1\r\n\n  host.example \n10.0.0.2 10.0.0.3\n'), [
    '10.0.0.1',
    'host.example',
    '10.0.0.2 10.0.0.3',
  ]);
});

test("a comma-separated list (--targets) keeps nmap's octet lists whole", () => {
  const cases: Array<[string, string[]]> = [
    ['10.0.0.1,10.0.0.2', ['10.0.0.1', '10.0.0.2']],
    ['10.0.0.1,3,5', ['10.0.0.1,3,5']],
    ['10.0.1-3,7.1', ['10.0.1-3,7.1']],
    ['10.0.1-3,7.1,10.0.0.9', ['10.0.1-3,7.1', '10.0.0.9']],
    [' 192.168.1.0/24 , host.example,, 10.0.0.5-9 ', ['192.168.1.0/24', 'host.example', '10.0.0.5-9']],
    ['host.example,3', ['host.example', '3']],
    ['fe80::1,2', ['fe80::1', '2']],
  ];
  for (const [text, entries] of cases) assert.deepEqual(splitTargetList(text), entries, text);
  // What the split keeps whole, the rules read as one target with its addresses.
  assert.deepEqual(validateTargets(splitTargetList('10.0.1-3,7.1')), {
    ok: true,
    value: { targets: ['10.0.1-3,7.1'], count: 4, family: 'ipv4' },
    warnings: [],
  });
  // A bare number after a host name is still refused, with the rules' reason.
  assert.equal(validateTargets(splitTargetList('host.example,3')).ok, false);
});
