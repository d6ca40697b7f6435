// Our ndiff against nmap's ndiff on the project's own real-nmap fixtures (test/fixtures/scans, made by
// scripts/make-fixtures.ts): every ordered pair, plain, -v, --xml and -v --xml, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { sweep } from './support/ndiff-oracle.ts';

const fixtures = path.resolve(import.meta.dirname, 'fixtures', 'scans');

test('every ordered pair of the real-nmap fixtures x 4 modes matches ndiff byte for byte', async () => {
  const files = readdirSync(fixtures)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => path.join(fixtures, f));
  // An empty fixture directory must fail here, not pass with nothing compared.
  assert.ok(files.length >= 2, `expected real-nmap fixtures in ${fixtures}; run npm run fixtures`);
  assert.equal(await sweep(files, 'Pacific/Auckland'), files.length * files.length * 4);
});
