// Bad input: always one NmapXmlError (a UserError) naming the source, line and column, with a message that
// says what is wrong and what to do; missing files are a plain one-line UserError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { NmapXmlError, NmapXmlParser, parseNmapXml, parseNmapXmlFile } from '../src/engine/nmap/parse.ts';
import { UserError } from '../src/engine/errors.ts';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<nmaprun scanner="nmap">\n';
const END = '<runstats><finished time="1"/></runstats></nmaprun>\n';

function rejects(input: string | Uint8Array, message: RegExp, where?: [number, number]) {
  let error: unknown;
  try {
    parseNmapXml(input, { source: 'in.xml' });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof NmapXmlError, `expected an NmapXmlError, got ${String(error)}`);
  assert.ok(error instanceof UserError);
  assert.match(error.message, message);
  assert.match(error.message, /^in\.xml:\d+:\d+: /);
  assert.doesNotMatch(error.message, /\n/);
  if (where) assert.deepEqual([error.line, error.column], where);
}

test('empty input, whitespace only, and no root element', () => {
  rejects('', /the file is empty: nmap wrote nothing/, [1, 1]);
  rejects(new Uint8Array(0), /the file is empty/);
  rejects('  \n', /no <nmaprun> element: this is not an nmap XML file/);
  rejects('<?xml version="1.0"?>\n<!-- nothing -->\n', /no <nmaprun> element/);
  rejects('<?xml version="1.0"?>\n<!-- cut', /ends before its root element <nmaprun> starts/);
});

test('binary data: NUL bytes, bytes that are not UTF-8, a gzip file', () => {
  rejects(HEAD + '<host>\u0000</host>' + END, /binary data \(a NUL byte\)/, [3, 7]);
  const bytes = Buffer.concat([
    Buffer.from(HEAD + '<host name="'),
    Buffer.from([0xff, 0xfe, 0x41]),
    Buffer.from('"/>'),
  ]);
  rejects(bytes, /binary data or text that is not UTF-8 \(at byte 76\)/, [3, 13]);
  rejects(gzipSync(HEAD + END), /gzip-compressed file: decompress it first/);
  rejects(HEAD + '<x a="\u0007"/>' + END, /control character U\+0007 is not allowed in XML/);
});

test('not XML, and XML that is not nmap', () => {
  rejects(
    'Starting Nmap 7.93 ( https://nmap.org )\n',
    /this is not XML \(it starts with "Starting Nmap.*-oX/,
  );
  rejects('# Nmap 7.93 scan initiated\nHost: 127.0.0.1 ()\tStatus: Up\n', /this is not XML.*grepable/);
  rejects(
    '<?xml version="1.0"?>\n<nmapdiff/>',
    /XML but not nmap output: the root element is <nmapdiff>, not <nmaprun>/,
    [2, 1],
  );
  rejects('<html><body>hi</body></html>', /root element is <html>/);
});

test('malformed XML: mismatched tags, junk after the root, bad attributes, bad references', () => {
  rejects(
    HEAD + '<host>\n</ports>' + END,
    /mismatched tag: <\/ports> closes <host> opened at line 3/,
    [4, 1],
  );
  rejects(HEAD + END + '<nmaprun/>', /junk after the root element: a second element follows <\/nmaprun>/);
  rejects(HEAD + END + 'trailing words', /junk after the root element: text follows <\/nmaprun>/);
  rejects(HEAD + '<host a="1" a="2"/>' + END, /duplicate attribute 'a'/);
  rejects(HEAD + '<host a=1/>' + END, /attribute value must be in quotes/);
  rejects(HEAD + '<host a="<"/>' + END, /'<' is not allowed in an attribute value/);
  rejects(HEAD + '<host a="&bogus;"/>' + END, /undefined entity &bogus;/);
  rejects(HEAD + '<host a="a & b"/>' + END, /'&' must start a reference/);
  rejects(HEAD + '<host a="&#0;"/>' + END, /&#0; is not a character XML allows/);
  rejects(HEAD + '<host>a < b</host>' + END, /cannot start a tag name/);
  rejects(HEAD + '</host>' + END, /mismatched tag: <\/host> closes <nmaprun>/);
  rejects(HEAD + '<!-- a -- b -->' + END, /'--' is not allowed inside a comment/);
  rejects(
    HEAD + '<?xml version="1.0"?>' + END,
    /XML declaration <\?xml \.\.\.\?> is only allowed at the very start/,
  );
  rejects(
    '<?xml version="1.0" encoding="ISO-8859-1"?><nmaprun/>',
    /declares encoding "ISO-8859-1"; nmap writes UTF-8/,
  );
  rejects(HEAD + '<host><address addr="1.2.3.4" addrtype="ipx"/></host>' + END, /unknown address type "ipx"/);
});

test('entity declarations are refused (no entity expansion), the plain DOCTYPE nmap writes is not', () => {
  const bomb =
    '<?xml version="1.0"?>\n<!DOCTYPE nmaprun [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<nmaprun>&b;</nmaprun>';
  rejects(bomb, /the DOCTYPE declares entities: entity declarations are refused/, [2, 19]);
  rejects('<!DOCTYPE nmaprun [<!ATTLIST port state CDATA "open">]><nmaprun/>', /internal subset.*refused/);
  rejects('<!DOCTYPE nmaprun SYSTEM "http://example.com/x.dtd" [ ]><nmaprun/>', /internal subset/);
  assert.equal(
    parseNmapXml('<!DOCTYPE nmaprun>\n<nmaprun>' + END.slice(0, -11) + '</nmaprun>').hosts.length,
    0,
  );
});

test('deep nesting and huge tokens are capped, with the cap in the message', () => {
  rejects(HEAD + '<a>'.repeat(1000) + '</a>'.repeat(1000) + END, /elements nested deeper than 1000 levels/);
  const fine = HEAD + '<a>'.repeat(900) + '</a>'.repeat(900) + END;
  assert.equal(parseNmapXml(fine).completeness.status, 'complete');
  // The default cap, 64 MiB, on one attribute value (streamed in 1 MiB pieces, as from a pipe).
  const parser = new NmapXmlParser({ source: 'in.xml' });
  parser.write(HEAD + '<host note="');
  const mib = 'x'.repeat(1 << 20);
  assert.throws(
    () => {
      for (let i = 0; i < 70; i++) parser.write(mib);
    },
    {
      name: 'NmapXmlError',
      message: /^in\.xml:3:1: a single XML token .* is larger than 64 MiB: this is not nmap output/,
    },
  );
  // The same error again on any further call: the parser does not go on after bad input.
  assert.throws(() => parser.write('"/>'), /larger than 64 MiB/);
  assert.throws(() => parser.end(), /larger than 64 MiB/);
  // A smaller cap, as an option; also on a comment.
  assert.throws(() => parseNmapXml(HEAD + `<!-- ${'y'.repeat(5000)} -->` + END, { maxTokenLength: 4096 }), {
    message: /^nmap XML:3:1: a single XML token \(tag, text or comment\) is larger than 0 MiB/,
  });
});

test("files: a missing file, a directory, and the file's name and position in errors", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-parse-'));
  try {
    const missing = path.join(dir, 'nope.xml');
    assert.throws(() => parseNmapXmlFile(missing), {
      name: 'UserError',
      message: `can't read ${missing}: no such file`,
    });
    assert.throws(() => parseNmapXmlFile(dir), {
      name: 'UserError',
      message: `can't read ${dir}: it is a directory, not a file`,
    });
    const bad = path.join(dir, 'bad.xml');
    writeFileSync(bad, HEAD + '<host>\n  <ports>\n</host>' + END);
    assert.throws(() => parseNmapXmlFile(bad), {
      name: 'NmapXmlError',
      message: `${bad}:5:1: mismatched tag: </host> closes <ports> opened at line 4`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('positions are right when the error is far into a big file read in chunks', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'portwatch-parse-'));
  try {
    const hosts = Array.from(
      { length: 40000 },
      (_, i) =>
        `<host><address addr="127.0.10.${i % 250}"/><hostnames><hostname name="h${i}.example"/></hostnames></host>\n`,
    ).join('');
    const big = path.join(dir, 'big.xml');
    writeFileSync(big, HEAD + hosts + '<host>\n   <oops a="1" a="2"/></host>' + END);
    assert.throws(() => parseNmapXmlFile(big), {
      message: `${big}:40004:16: duplicate attribute 'a' in one tag`,
    });
    // Cut in the middle of the last host: the host is named by its line.
    writeFileSync(big, HEAD + hosts + '<host>\n   <address addr="127.0.10.7"');
    assert.throws(() => parseNmapXmlFile(big), {
      message: `${big}:40004:30: the XML ends inside <host> at line 40003: the scan was interrupted; rerun nmap`,
    });
    const partial = parseNmapXmlFile(big, { allowIncomplete: true });
    assert.equal(partial.hosts.length, 40000);
    assert.equal(partial.completeness.status, 'incomplete');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
