// Electronegativity (Doyensec's Electron security linter) over the app's source: clean, or each remaining
// finding listed with its reason in test/electronegativity-allow.json.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

interface Finding {
  issue: string;
  level: string;
  file: string;
  location: string;
  message: string;
}

interface Sarif {
  runs: {
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
  }[];
}

/**
 * Electronegativity's SARIF report, one finding per result. (Its CSV report is written by two unawaited writes,
 * the header truncating the file while the rows are appended: under load the header can land over the rows.)
 */
function readSarif(text: string): Finding[] {
  return (JSON.parse(text) as Sarif).runs[0]!.results.map((r) => {
    const where = r.locations[0]!.physicalLocation;
    return {
      issue: r.ruleId,
      level: r.level,
      file: where.artifactLocation.uri,
      location: String(where.region.startLine),
      message: r.message.text,
    };
  });
}

test('electronegativity finds nothing beyond the explained allow-list', { timeout: 240_000 }, async () => {
  const dist = path.join(path.dirname(require.resolve('@doyensec/electronegativity/package.json')), 'dist');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-eng-'));
  try {
    const out = path.join(dir, 'findings.sarif');
    // It first downloads translations (and crashes doing so on Node 24 without network), so this replaces that
    // step and calls its runner with the bundled English messages. -e: the Electron we ship; the check that downloads Electron's
    // release list is left out (no network in tests).
    const script = `
      const Module = require('node:module');
      const i18nFile = require.resolve(${JSON.stringify(path.join(dist, 'locales', 'i18n.js'))});
      const stub = new Module(i18nFile);
      Object.assign(stub, { filename: i18nFile, loaded: true, exports: async () => {} });
      require.cache[i18nFile] = stub;
      require('i18n').configure({ locales: ['en-US'], defaultLocale: 'en-US', directory: ${JSON.stringify(path.join(dist, 'locales'))}, updateFiles: false, objectNotation: true, register: global });
      require(${JSON.stringify(path.join(dist, 'runner.js'))})({
        input: ${JSON.stringify(path.join(root, 'src'))}, output: ${JSON.stringify(out)}, isSarif: true,
        customScan: [], excludeFromScan: ['availablesecurityfixesglobalcheck'], isRelative: true, isVerbose: false,
        electronVersionOverride: '45.4.1', parserPlugins: [],
      }, false).catch((e) => { console.error(e.stack); process.exit(1); });`;
    await run(process.execPath, ['--input-type=commonjs', '-e', script], {
      cwd: dist,
      timeout: 200_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const findings = readSarif(await readFile(out, 'utf8'));
    const allow = JSON.parse(
      await readFile(path.join(root, 'test', 'electronegativity-allow.json'), 'utf8'),
    ) as {
      allow: { issue: string; file: string; reason: string }[];
    };
    const allowed = (f: Finding) => allow.allow.some((a) => a.issue === f.issue && a.file === f.file);
    const unexplained = findings.filter((f) => !allowed(f));
    assert.deepEqual(
      unexplained.map((f) => `${f.issue} (${f.level}) ${f.file}:${f.location} ${f.message}`),
      [],
      'new findings: fix them, or explain them in test/electronegativity-allow.json',
    );
    const stale = allow.allow.filter((a) => !findings.some((f) => f.issue === a.issue && f.file === a.file));
    assert.deepEqual(stale, [], 'allow-list entries that no longer match a finding: remove them');
    for (const a of allow.allow) assert.ok(a.reason.length > 40, `${a.issue} needs a real reason`);
    // The checks that matter most ran and stayed silent.
    for (const check of [
      'CONTEXT_ISOLATION_JS_CHECK',
      'SANDBOX_JS_CHECK',
      'NODE_INTEGRATION_JS_CHECK',
      'OPEN_EXTERNAL_JS_CHECK',
    ])
      assert.ok(!findings.some((f) => f.issue === check), check);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
