// `npm start`: the tray app from this checkout. Checks for Electron's binary first, so a machine without it
// gets one line saying what is missing and how to get it, not Electron's stack trace; then builds and runs.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { electronBinary } from './electron-binary.ts';

const root = path.resolve(import.meta.dirname, '..');
const found = electronBinary(root);
if (found.missing !== undefined) {
  console.error(`portwatch: ${found.missing}`);
  process.exit(1);
}
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.ts')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const electron = spawn(found.path, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
electron.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => electron.kill(signal));
