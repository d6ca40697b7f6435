// The reader on real nmap output: nmap 7.93 scanning listeners on loopback (127.0.10.0/24), read whole, read
// in small random chunks, and read from nmap's stdout as it arrives (with its progress lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { NmapXmlParser, parseNmapXml, type TaskProgress } from '../src/engine/nmap/parse.ts';
import { closedPort } from './support/listeners.ts';

const run = promisify(execFile);

async function listen(host: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => {}); // nmap's connect scan resets the connection
    socket.end('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u1\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return { server, port: (server.address() as { port: number }).port };
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('a real nmap -sT scan of loopback listeners, whole and in random chunks', async () => {
  const host = '127.0.10.1';
  const a = await listen(host);
  const b = await listen(host);
  const closed = await closedPort(host);
  try {
    const ports = [a.port, b.port, closed].sort((x, y) => x - y);
    const { stdout } = await run('nmap', ['-sT', '-Pn', '-n', '-p', ports.join(','), '-oX', '-', host], {
      encoding: 'buffer',
      maxBuffer: 1 << 24,
    });
    const model = parseNmapXml(stdout, { source: 'nmap' });
    assert.equal(model.scanner, 'nmap');
    assert.match(model.version!, /^7\./);
    assert.match(model.args!, /-sT -Pn -n -p/);
    assert.deepEqual(
      model.scanInfo.map((s) => [s.type, s.protocol, s.numservices]),
      [['connect', 'tcp', 3]],
    );
    assert.equal(model.hosts.length, 1);
    const h = model.hosts[0]!;
    assert.equal(h.status?.state, 'up');
    assert.deepEqual(h.addresses, [{ addr: host, addrtype: 'ipv4', vendor: undefined }]);
    assert.deepEqual(
      h.ports.map((p) => [p.portid, p.protocol, p.state?.state, p.state?.reason]),
      ports.map((p) => [
        p,
        'tcp',
        p === closed ? 'closed' : 'open',
        p === closed ? 'conn-refused' : 'syn-ack',
      ]),
    );
    assert.ok(h.ports.every((p) => p.service?.method === 'table' || p.service === undefined));
    assert.equal(model.finished?.exit, 'success');
    assert.deepEqual(model.hostCounts, { up: 1, down: 0, total: 1 });
    assert.deepEqual(model.completeness, { status: 'complete' });

    // Streamed in small random pieces (bytes, so pieces split wherever they fall) and as text.
    const random = seeded(7);
    for (let round = 0; round < 20; round++) {
      const parser = new NmapXmlParser({ source: 'nmap' });
      for (let at = 0; at < stdout.length;) {
        const size = 1 + Math.floor(random() * 40);
        parser.write(stdout.subarray(at, at + size));
        at += size;
      }
      assert.deepEqual(parser.end(), model);
    }
    const text = stdout.toString('utf8');
    const parser = new NmapXmlParser({ source: 'nmap' });
    for (let at = 0; at < text.length; at += 17) parser.write(text.slice(at, at + 17));
    assert.deepEqual(parser.end(), model);
  } finally {
    a.server.close();
    b.server.close();
  }
});

test("nmap's stdout read as it arrives, with --stats-every progress, gives the same model as the whole", async () => {
  const host = '127.0.10.2';
  const a = await listen(host);
  try {
    const progress: TaskProgress[] = [];
    const parser = new NmapXmlParser({ source: 'nmap stdout', onTaskProgress: (p) => progress.push(p) });
    const chunks: Buffer[] = [];
    // Many ports on a host that answers slowly enough for nmap to report progress once in a while.
    const child = spawn('nmap', [
      '-sT',
      '-Pn',
      '-n',
      '-p',
      `1-2000,${a.port}`,
      '--stats-every',
      '10ms',
      '-oX',
      '-',
      host,
    ]);
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      parser.write(chunk);
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    const streamed = parser.end();
    assert.deepEqual(streamed, parseNmapXml(Buffer.concat(chunks)));
    assert.equal(streamed.completeness.status, 'complete');
    const open = streamed.hosts[0]!.ports.filter((p) => p.state?.state === 'open').map((p) => p.portid);
    assert.ok(open.includes(a.port), `port ${a.port} open in ${open.join(',')}`);
    assert.ok(streamed.hosts[0]!.extraPorts.some((e) => e.state === 'closed' && e.count > 1000));
    // Progress lines, when nmap wrote any, are well-formed (nmap decides whether a loopback scan is long enough).
    for (const p of progress) {
      assert.equal(typeof p.task, 'string');
      assert.ok(p.percent >= 0 && p.percent <= 100);
    }
  } finally {
    a.server.close();
  }
});

test('nmap stopping with an error gives a failed run with its message', async () => {
  // An illegal port specification: nmap writes a complete document with exit="error" and its message.
  const { stdout } = await run('nmap', ['-sT', '-p', '70000', '-oX', '-', '127.0.10.3']).catch(
    (error: { stdout: string }) => error,
  );
  const model = parseNmapXml(stdout);
  assert.equal(model.completeness.status, 'failed');
  assert.match((model.completeness as { reason: string }).reason, /^nmap failed: .*port/i);
});
