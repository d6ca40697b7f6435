// Reads one nmap XML file with one reader and prints what it took, as JSON on one line. Run as a child
// process by diff.bench.ts, so that its peak memory (from /usr/bin/time -v) is the reader's alone.
//
//   node bench/read-file.ts portwatch|fast-xml-parser FILE
import { readFileSync, statSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { parseNmapXmlFile } from '../src/engine/nmap/parse.ts';

const [reader, file] = process.argv.slice(2);
if (!file || (reader !== 'portwatch' && reader !== 'fast-xml-parser')) {
  process.stderr.write('usage: node bench/read-file.ts portwatch|fast-xml-parser FILE\n');
  process.exit(2);
}
const started = performance.now();
let hosts: number;
if (reader === 'portwatch') {
  hosts = parseNmapXmlFile(file).hosts.length;
} else {
  // fast-xml-parser as it is usually used: the whole text in, a DOM-like object out.
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'host',
  });
  const dom = parser.parse(readFileSync(file, 'utf8')) as { nmaprun: { host?: unknown[] } };
  hosts = dom.nmaprun.host?.length ?? 0;
}
const ms = performance.now() - started;
const bytes = statSync(file).size;
process.stdout.write(
  JSON.stringify({ reader, hosts, ms, bytes, mbPerSecond: bytes / 1e6 / (ms / 1000) }) + '\n',
);
