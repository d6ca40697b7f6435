import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { Listeners, nmapXml } from './listeners.ts';

const HOST = '127.0.12.250';

function readBanner(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setEncoding('utf8');
    socket.once('data', (data: string) => {
      socket.destroy();
      resolve(data);
    });
    socket.once('error', reject);
  });
}

test('tcp listener sends its banner, and close() frees the port', async () => {
  const net1 = new Listeners();
  const ssh = await net1.tcp({ host: HOST, banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' });
  assert.ok(ssh.port > 0);
  assert.equal(await readBanner(HOST, ssh.port), 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
  // A connection left open must not keep close() waiting.
  const idle = net.connect({ host: HOST, port: ssh.port });
  idle.on('error', () => {});
  await new Promise((resolve) => idle.once('connect', resolve));
  await net1.close();
  await net1.close(); // twice is fine
  await assert.rejects(readBanner(HOST, ssh.port), /ECONNREFUSED/);
});

test('http listener answers with its Server header and title, without a Date', async (t) => {
  const group = new Listeners();
  t.after(() => group.close());
  const web = await group.http({ host: HOST, server: 'nginx/1.22.1', title: 'Welcome to nginx!' });
  const response = await fetch(`http://${HOST}:${web.port}/`);
  assert.equal(response.headers.get('server'), 'nginx/1.22.1');
  assert.equal(response.headers.get('date'), null);
  assert.match(await response.text(), /<title>Welcome to nginx!<\/title>/);
});

test('udp responder answers any datagram', async (t) => {
  const group = new Listeners();
  t.after(() => group.close());
  const udp = await group.udp({ host: HOST, reply: 'pong' });
  const client = dgram.createSocket('udp4');
  t.after(() => client.close());
  const answer = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
  client.send('ping', udp.port, HOST);
  assert.equal(await answer, 'pong');
});

test('a port already taken is a clear error', async (t) => {
  const group = new Listeners();
  t.after(() => group.close());
  const first = await group.tcp({ host: HOST });
  await assert.rejects(
    group.tcp({ host: HOST, port: first.port }),
    /cannot listen on tcp 127\.0\.12\.250:\d+: EADDRINUSE/,
  );
});

test('nmapXml scans the listeners: open while listening, closed once one is stopped', async (t) => {
  const group = new Listeners();
  t.after(() => group.close());
  const a = await group.tcp({ host: HOST });
  const b = await group.tcp({ host: HOST });
  const args = ['-n', '-Pn', '-sT', '-p', `${a.port},${b.port}`, HOST];
  const before = await nmapXml(args);
  assert.match(before, new RegExp(`portid="${a.port}"><state state="open"`));
  assert.match(before, new RegExp(`portid="${b.port}"><state state="open"`));
  await b.close();
  const after = await nmapXml(args);
  assert.match(after, new RegExp(`portid="${a.port}"><state state="open"`));
  assert.match(after, new RegExp(`portid="${b.port}"><state state="closed"`));
});

test('nmapXml rejects with nmap’s complaint', async () => {
  await assert.rejects(nmapXml(['--no-such-option']), /nmap .* failed: .*unrecognized option/);
});
