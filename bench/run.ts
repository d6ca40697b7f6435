// `npm run bench`: runs every bench/*.bench.ts in name order, each in its own process (so one's memory does
// not weigh on another's figures), shows their output as it comes, and ends with a line per benchmark.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();

const results: string[] = [];
let failures = 0;
for (const file of benches) {
  process.stdout.write(`\n== ${file}\n`);
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [path.join(dir, file)], {
      stdio: 'inherit',
      cwd: path.dirname(dir),
    });
    child.on('error', () => resolve(null));
    child.on('close', (status) => resolve(status));
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (code !== 0) failures++;
  results.push(`  ${file.padEnd(20)} ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds} s`);
}
process.stdout.write(`\n== summary\n${results.join('\n')}\n`);
process.exitCode = failures > 0 ? 1 : 0;
