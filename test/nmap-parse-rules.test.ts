// What the reader makes of each construct nmap (or a damaged file) can contain: ndiff's reading rules,
// XML's rules as expat applies them, and how complete a run is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNmapXml, type TaskProgress } from '../src/engine/nmap/parse.ts';

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner="nmap" start="1700000000">\n';
const TAIL =
  '<runstats><finished time="1700000100" exit="success"/><hosts up="1" down="0" total="1"/></runstats>\n</nmaprun>\n';
/** A whole nmap document around `body`. */
const doc = (body: string) => HEAD + body + TAIL;
/** One host with `inner` inside. */
const host = (inner: string, attrs = '') =>
  doc(`<host${attrs}><status state="up"/><address addr="127.0.10.1" addrtype="ipv4"/>\n${inner}</host>\n`);
const firstHost = (xml: string) => parseNmapXml(xml).hosts[0]!;

test('attribute values are normalized as expat does; references are decoded and kept', () => {
  const h = firstHost(
    host(
      '<ports><port protocol="tcp" portid="1"><state state="open"/>' +
        '<script id="a" output="x&#xa;y&#9;z&#13;w"/>' +
        '<script id="b" output="x\ny\tz\r\nw\rv"/>' +
        `<script id="c" output="&lt;&gt;&amp;&quot;&apos;&#x1F600;&#233;'"/>` +
        `<script id='d' output='single "quoted"'/>` +
        '</port></ports>',
    ),
  );
  assert.deepEqual(
    h.ports[0]!.scripts.map((s) => s.output),
    ['x\ny\tz\rw', 'x y z w v', `<>&"'\u{1F600}\u00e9'`, 'single "quoted"'],
  );
});

test('comments, processing instructions, CDATA and the DOCTYPE nmap writes are accepted', () => {
  const xml =
    '\ufeff<?xml version="1.0"?>\n<?xml-stylesheet href="file:///usr/share/nmap/nmap.xsl" type="text/xsl"?>\n' +
    '<!DOCTYPE nmaprun>\n<!-- a comment -->\n<nmaprun><!-- inside -->' +
    '<host><address addr="127.0.10.2"/><ports><port protocol="tcp" portid="80"><state state="open"/>' +
    '<service name="http"><cpe><![CDATA[cpe:/a:x:y]]></cpe><cpe>cpe:/a:&amp;b</cpe></service></port></ports></host>' +
    '<runstats><finished time="1"/></runstats></nmaprun>';
  const run = parseNmapXml(xml);
  assert.deepEqual(run.hosts[0]!.ports[0]!.service!.cpe, ['cpe:/a:x:y', 'cpe:/a:&b']);
  assert.equal(run.completeness.status, 'complete');
});

test('numbers read as Python int() reads them where ndiff uses int(): portid, count, start', () => {
  const run = parseNmapXml(
    doc(
      '<host><address addr="127.0.10.3"/><ports>' +
        '<extraports state="closed" count=" 12 "/><extraports state="filtered" count="many"/><extraports count="+3"/>' +
        '<port protocol="tcp" portid=" 22 "><state state="open"/></port>' +
        '<port protocol="tcp" portid="1_000"><state state="open"/></port>' +
        '<port protocol="tcp" portid="\u0661\u0662"><state state="open"/></port>' +
        '<port protocol="tcp" portid="2__2"><state state="open"/></port>' +
        '<port protocol="tcp" portid="http"><state state="open"/></port>' +
        '<port portid="25"><state state="open"/></port>' +
        '</ports></host>',
    ).replace('start="1700000000"', 'start=" 1700000000\t"'),
  );
  assert.equal(run.start, 1700000000);
  const h = run.hosts[0]!;
  assert.deepEqual(
    h.extraPorts.map((e) => [e.state, e.count]),
    [
      ['closed', 12],
      ['filtered', 0],
      [undefined, 3],
    ],
  );
  // ' 22 ', '1_000' and Arabic-Indic '١٢' are ints to Python; '2__2', 'http' and a port without protocol are
  // skipped, as ndiff skips them.
  assert.deepEqual(
    h.ports.map((p) => p.portid),
    [22, 1000, 12],
  );
});

test("ndiff's rules: state without a state, scripts without id/output, address types, hostnames, osmatch", () => {
  const h = firstHost(
    host(
      '<hostname name="not-in-hostnames"/>' +
        '<hostnames><hostname name="a.example" type="user"/><hostname type="PTR"/><hostname name="b.example"/></hostnames>' +
        '<address addr="00:11:22:33:44:55" addrtype="mac" vendor="Acme"/><address addr="::1" addrtype="ipv6"/>' +
        '<address addr="10.0.0.1"/><address addrtype="ipv4"/>' +
        '<ports><port protocol="tcp" portid="1"><state reason="syn-ack"/><service name="x"/></port>' +
        '<port protocol="udp" portid="2"><state state="open|filtered" reason="no-response" reason_ttl="0"/>' +
        '<script id="only-id"/><script output="only output"/><script id="ok" output=""/></port></ports>' +
        '<script id="loose" output="not in hostscript"/>' +
        '<os><osmatch accuracy="90"/><osmatch name="Linux 5.X" accuracy="95" line="100">' +
        '<osclass type="general purpose" vendor="Linux" osfamily="Linux" osgen="5.X" accuracy="95"><cpe>cpe:/o:linux:linux_kernel:5</cpe></osclass>' +
        '</osmatch></os>' +
        '<hostscript><script id="smb" output="hi"/></hostscript>',
    ),
  );
  assert.deepEqual(
    h.addresses.map((a) => [a.addr, a.addrtype, a.vendor]),
    [
      ['127.0.10.1', 'ipv4', undefined],
      ['00:11:22:33:44:55', 'mac', 'Acme'],
      ['::1', 'ipv6', undefined],
      ['10.0.0.1', 'ipv4', undefined],
    ],
  );
  assert.deepEqual(h.hostnames, [
    { name: 'a.example', type: 'user' },
    { name: 'b.example', type: undefined },
  ]);
  assert.equal(h.ports[0]!.state, undefined);
  assert.equal(h.ports[0]!.service?.name, 'x');
  assert.deepEqual(h.ports[1]!.state, { state: 'open|filtered', reason: 'no-response', reasonTtl: 0 });
  assert.deepEqual(h.ports[1]!.scripts, [{ id: 'ok', output: '' }]);
  assert.deepEqual(h.hostScripts, [{ id: 'smb', output: 'hi' }]);
  assert.equal(h.os.length, 1);
  assert.deepEqual(h.os[0]!.classes, [
    {
      type: 'general purpose',
      vendor: 'Linux',
      osfamily: 'Linux',
      osgen: '5.X',
      accuracy: 95,
      cpe: ['cpe:/o:linux:linux_kernel:5'],
    },
  ]);
});

test('pre- and post-scripts, hosthints and task progress between hosts', () => {
  const seen: TaskProgress[] = [];
  const run = parseNmapXml(
    doc(
      '<prescript><script id="broadcast" output="pre"/></prescript>\n' +
        '<taskbegin task="Ping Scan" time="1"/>\n<taskprogress task="Ping Scan" time="2" percent="12.50" remaining="30" etc="1700000030"/>\n' +
        '<hosthint><status state="up"/><address addr="127.0.10.9"/><hostnames/><script id="x" output="y"/></hosthint>\n' +
        '<taskend task="Ping Scan" time="3"/>\n<taskprogress task="Connect Scan" time="4" percent="99.00"/>\n' +
        '<host><status state="down" reason="no-response"/><address addr="127.0.10.5"/></host>\n' +
        '<postscript><script id="summary" output="post"/></postscript>\n',
    ),
    { onTaskProgress: (p) => seen.push(p) },
  );
  assert.deepEqual(run.preScripts, [{ id: 'broadcast', output: 'pre' }]);
  assert.deepEqual(run.postScripts, [{ id: 'summary', output: 'post' }]);
  assert.deepEqual(
    run.hosts.map((h) => [h.addresses[0]!.addr, h.status?.state]),
    [['127.0.10.5', 'down']],
  );
  assert.deepEqual(seen, [
    { task: 'Ping Scan', percent: 12.5, remaining: 30, etc: 1700000030 },
    { task: 'Connect Scan', percent: 99 },
  ]);
});

test('completeness: exit="error" is failed, a timed-out host or no <runstats> is incomplete', () => {
  const failed = parseNmapXml(
    HEAD +
      '<runstats><finished time="5" exit="error" errormsg="Failed to resolve target"/></runstats></nmaprun>',
  );
  assert.deepEqual(failed.completeness, {
    status: 'failed',
    reason: 'nmap failed: Failed to resolve target',
  });
  const timedOut = parseNmapXml(host('', ' timedout="true"'));
  assert.equal(timedOut.hosts[0]!.timedOut, true);
  assert.equal(timedOut.completeness.status, 'incomplete');
  assert.match((timedOut.completeness as { reason: string }).reason, /host 127\.0\.10\.1 timed out/);
  const noStats = parseNmapXml(HEAD + '<host><address addr="127.0.10.1"/></host></nmaprun>');
  assert.equal(noStats.hosts.length, 1);
  assert.deepEqual(noStats.completeness, {
    status: 'incomplete',
    reason: 'the XML has no <runstats>: nmap did not finish the scan',
  });
});

test('truncated XML: an error by default; with allowIncomplete, the hosts whose </host> was read', () => {
  const full = doc(
    '<host><address addr="127.0.10.1"/></host>\n<host><address addr="127.0.10.2"/>\n<ports><port protocol="tcp" portid="22">',
  );
  const cut = full.slice(0, full.indexOf('<port ') + 10);
  assert.throws(() => parseNmapXml(cut, { source: 'scan.xml' }), {
    name: 'NmapXmlError',
    message: 'scan.xml:6:18: the XML ends inside <host> at line 5: the scan was interrupted; rerun nmap',
  });
  const run = parseNmapXml(cut, { allowIncomplete: true });
  assert.deepEqual(
    run.hosts.map((h) => h.addresses[0]!.addr),
    ['127.0.10.1'],
  );
  assert.equal(run.completeness.status, 'incomplete');
  assert.match((run.completeness as { reason: string }).reason, /ends inside <host> at line 5/);
});

test('the model is read-only where it is shared: a shared service cannot be changed by accident', () => {
  const run = parseNmapXml(
    doc(
      '<host><address addr="127.0.10.1"/><ports><port protocol="tcp" portid="22"><state state="open"/><service name="ssh"/></port></ports></host>' +
        '<host><address addr="127.0.10.2"/><ports><port protocol="tcp" portid="22"><state state="open"/><service name="ssh"/></port></ports></host>',
    ),
  );
  const [a, b] = run.hosts;
  assert.equal(a!.ports[0]!.service, b!.ports[0]!.service);
  assert.throws(() => {
    (a!.ports[0]!.service as { name?: string }).name = 'changed';
  }, TypeError);
  assert.equal(b!.ports[0]!.service!.name, 'ssh');
  // The host's own lists are its own.
  a!.ports.push({ protocol: 'tcp', portid: 1, scripts: [] });
  assert.equal(b!.ports.length, 1);
});
