// `portwatch diff [-v] [--xml|--text] [--format json] A.xml B.xml`: nmap's ndiff, byte for byte, with its
// exit codes (0 same, 1 different, 2 error). Options are read like ndiff's getopt.gnu_getopt (diff-args.ts).
import { computeChanges, computeChangesLazy } from '../../engine/diff/changes.ts';
import { digestScansInWorkers, lazyRunOfDigest, useDigestedPair } from '../../engine/diff/fast-digest.ts';
import { ndiff } from '../../engine/diff/ndiff/index.ts';
import { ndiffFiles } from '../../engine/diff/ndiff-files.ts';
import { parseNmapXmlFile } from '../../engine/nmap/parse.ts';
import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from '../command.ts';
import { parseDiffArgs } from './diff-args.ts';

const usage = 'portwatch diff [-v] [--text|--xml] [--format ndiff|json] A.xml B.xml';

const help = `Usage: ${usage}

Compares two nmap XML files (nmap -oX) and prints their differences exactly as nmap's ndiff does: host
state changes, port state changes, service and OS detection changes, script output changes.

  -v, --verbose     also show hosts and ports that have not changed
  --text            ndiff's text output (the default)
  --xml             ndiff's XML output
  --format json     the typed change model instead: { "changes": [...] } (no other option with it)
  --format ndiff    ndiff's output (the default)

Exit codes: 0 no differences, 1 differences, 2 error. Unlike ndiff, -v does not turn two identical scans
into exit code 1.
`;

export const diffCommand: Command = {
  name: 'diff',
  summary: "compare two nmap XML files, exactly like nmap's ndiff (or --format json)",
  help,
  async run(args, ctx) {
    const parsed = parseDiffArgs(args, ctx.env);
    if (parsed.help) {
      ctx.stdout.write(help);
      return 0;
    }
    const { verbose, output, files } = parsed;
    // The fast path reads hosts again by their place in the file: regular files only (not a pipe, <(...)).
    if (output !== 'json' && files.every(isRegularFile)) {
      const out = stdoutWriter(ctx.stdout);
      const different = await ndiffFiles(files, { verbose, format: output }, out.write);
      await out.done();
      return different ? 1 : 0;
    }
    if (output === 'json' && files.every(isRegularFile)) return changesDigested(files, ctx);
    // Both files are read before anything is printed: a bad second file leaves no half diff behind.
    const a = parseNmapXmlFile(files[0], { source: files[0] });
    const b = parseNmapXmlFile(files[1], { source: files[1] });
    const out = stdoutWriter(ctx.stdout);
    let different: boolean;
    if (output === 'json') {
      const changes = computeChanges(a, b);
      out.write(JSON.stringify({ changes }, null, 2) + '\n');
      different = changes.length > 0;
    } else {
      different = ndiff(a, b, { verbose, format: output }, out.write);
    }
    await out.done();
    return different ? 1 : 0;
  },
};

/**
 * --format json through digests, as ndiffFiles: only the hosts whose digests differ (and those on one side
 * only) are read in full. The same changes as computeChanges on the whole files.
 */
async function changesDigested(files: [string, string], ctx: Parameters<Command['run']>[1]): Promise<number> {
  const digests = await digestScansInWorkers(files, 'address');
  const changes = useDigestedPair(files, digests, (a, b) =>
    computeChangesLazy(lazyRunOfDigest(digests[0], a), lazyRunOfDigest(digests[1], b)),
  );
  const out = stdoutWriter(ctx.stdout);
  out.write(JSON.stringify({ changes }, null, 2) + '\n');
  await out.done();
  return changes.length > 0 ? 1 : 0;
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false; // the full reader reports why
  }
}

/**
 * Writes to stdout, and stops once stdout failed: a reader that went away (`| head`) or a full disk, which
 * src/cli/main.ts reports (or, for the reader, lets pass).
 */
function stdoutWriter(stdout: Writable) {
  let closed = false;
  stdout.on('error', () => (closed = true));
  return {
    write: (text: string) => {
      if (!closed) stdout.write(text);
    },
    /** Waits until stdout has taken everything (errors of the last writes arrive after them). */
    async done(): Promise<void> {
      await new Promise<void>((resolve) => stdout.write('', () => resolve()));
    },
  };
}
