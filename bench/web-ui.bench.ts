// The browser UI (`portwatch watch --ui`): how soon the history page's first data arrives over loopback for a
// profile holding a year of scans every 15 minutes (35,040 history entries), and how much memory the process
// keeps while idle, before and after serving that history. Goals: first data < 300 ms, idle RSS < 120 MB.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HistoryEntry } from '../src/shared/history.ts';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'bin', 'portwatch');
const ENTRIES = 365 * 96;
const PROFILE = 'year';
/** What the history window asks for first (src/renderer/history/timeline.tsx pages by 100). */
const FIRST_PAGE = { profile: PROFILE, offset: 0, limit: 100 };

if (!existsSync(path.join(root, 'dist', 'web', 'history.html'))) {
  process.stderr.write("web-ui bench: the browser UI is not built; run 'npm run build' first\n");
  process.exit(1);
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-bench-web-'));
const added = spawnSync(
  cli,
  ['--data-dir', dataDir, 'profile', 'add', PROFILE, '--targets', '127.0.111.2', '--ports', '22,80,443'],
  { encoding: 'utf8' },
);
if (added.status !== 0) throw new Error(`profile add failed: ${added.stderr}`);

// The history log's own format (one JSON record per line), as a year of 15-minute scans leaves it.
const start = Date.now() - ENTRIES * 900_000;
const lines: string[] = [];
for (let i = 0; i < ENTRIES; i++) {
  const changed = i % 200 === 0;
  const entry: HistoryEntry = {
    id: `${new Date(start + i * 900_000).toISOString().replace(/[-:.]/g, '')}-${String(i).padStart(5, '0')}`,
    profile: PROFILE,
    startedAt: new Date(start + i * 900_000).toISOString(),
    durationMs: 1800 + (i % 11) * 37,
    status: i % 331 === 0 ? 'failed' : 'ok',
    nmapArgs: ['-oX', '-', '-sT', '-p', '22,80,443', '--', '127.0.111.2'],
    counts: {
      hostsUp: 1,
      hostsScanned: 1,
      openPorts: 2 + (i % 2),
      changes: changed ? 1 : 0,
      alerted: changed ? 1 : 0,
    },
    changes: changed
      ? [
          {
            kind: 'port-opened',
            host: '127.0.111.2',
            port: 443,
            protocol: 'tcp',
            before: { state: 'closed' },
            after: { state: 'open', service: 'https' },
          } as unknown as HistoryEntry['changes'][number],
        ]
      : [],
    suppressed: [],
    hasXml: false,
    delivery: { state: 'none' },
  };
  lines.push(JSON.stringify(entry));
}
await writeFile(path.join(dataDir, 'profiles', PROFILE, 'history.jsonl'), lines.join('\n') + '\n');

const watch = spawn(cli, ['--data-dir', dataDir, 'watch', '--ui', '--listen', '127.0.0.1:0'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
let stderr = '';
const link = await new Promise<string>((resolve, reject) => {
  watch.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const found = /Portwatch UI: open (http:\/\/\S+)/.exec(stderr)?.[1];
    if (found) resolve(found);
  });
  watch.on('exit', (code) => reject(new Error(`watch --ui exited ${code}: ${stderr}`)));
});
const base = new URL(link).origin;
const rssMb = () => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${watch.pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
};
const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  const login = await fetch(link, { redirect: 'manual' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const ask = async (channel: string, payload: unknown) => {
    const started = performance.now();
    const response = await fetch(`${base}/api/${channel}`, {
      method: 'POST',
      headers: { cookie, origin: base, 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const result = (await response.json()) as { ok: boolean; value?: { total?: number }; error?: string };
    if (!result.ok) throw new Error(`${channel}: ${result.error}`);
    return { ms: performance.now() - started, result };
  };

  await idle(3000);
  const idleBefore = rssMb();
  // The history page's first data: the first page of its timeline, the history not yet read (cold).
  const cold = await ask('listHistory', FIRST_PAGE);
  if (cold.result.value?.total !== ENTRIES)
    throw new Error(`expected ${ENTRIES} entries, got ${cold.result.value?.total}`);
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await ask('listHistory', FIRST_PAGE)).ms);
  const series = await ask('portSeries', { profile: PROFILE });
  await idle(3000);
  const idleAfter = rssMb();

  const goal = (ok: boolean) => (ok ? 'goal met' : 'GOAL NOT MET');
  const median = warm.sort((a, b) => a - b)[2]!;
  process.stdout.write(
    [
      `  history of ${ENTRIES.toLocaleString('en')} entries, over loopback HTTP:`,
      `    first data (listHistory, first page of 100, history not yet read): ${cold.ms.toFixed(0)} ms (< 300 ms: ${goal(cold.ms < 300)})`,
      `    the same again (median of 5): ${median.toFixed(0)} ms; the chart's series (reads the whole history): ${series.ms.toFixed(0)} ms`,
      `  watch --ui idle resident memory: ${idleBefore.toFixed(0)} MB at start, ${idleAfter.toFixed(0)} MB holding that history (< 120 MB: ${goal(Math.max(idleBefore, idleAfter) < 120)})`,
      '',
    ].join('\n'),
  );
} finally {
  const exited = new Promise((resolve) => watch.on('exit', resolve));
  watch.kill('SIGTERM');
  await exited;
  await rm(dataDir, { recursive: true, force: true });
}
