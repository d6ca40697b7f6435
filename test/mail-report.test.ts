import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeKey, type Change } from '../src/shared/changes.ts';
import { renderReport, reportForScan, scanItem, subjectFor } from '../src/engine/mail/report.ts';
import { portClosed, portOpened, testReport } from './support/smtp.ts';

test('subjects say it at a glance', () => {
  const changes = [
    portOpened('127.0.40.10', 80),
    portOpened('127.0.40.10', 443, 'https'),
    portClosed('127.0.40.11', 22),
  ];
  assert.equal(reportForScan(testReport({ changes })).subject, 'Portwatch: 3 changes on Home LAN (2 hosts)');
  assert.equal(
    reportForScan(testReport({ changes: changes.slice(0, 1) })).subject,
    'Portwatch: 1 change on Home LAN (1 host)',
  );
  assert.equal(
    reportForScan(testReport({ status: 'failed', reason: 'nmap was killed' })).subject,
    'Portwatch: scan failed on Home LAN',
  );
  assert.equal(reportForScan(testReport({})).subject, 'Portwatch: no change on Home LAN');
  const digest = [
    scanItem(testReport({ changes }), 'changes'),
    scanItem(testReport({ profile: 'Office', changes: [portOpened('127.0.40.20', 8080)] }), 'changes'),
    scanItem(testReport({ profile: 'Office', status: 'failed', reason: 'timeout' }), 'failed'),
  ];
  assert.equal(
    subjectFor(digest, 'digest'),
    'Portwatch digest: 4 changes on Home LAN, Office (3 hosts); scan failed on Office',
  );
  assert.equal(
    subjectFor([scanItem(testReport({}), 'heartbeat'), scanItem(testReport({}), 'heartbeat')], 'digest'),
    'Portwatch digest: no change on Home LAN (2 scans)',
  );
  assert.equal(
    subjectFor(digest.slice(0, 1), 'held'),
    'Portwatch: 3 changes on Home LAN (2 hosts) (held during quiet hours)',
  );
});

test('the text part lists new open ports first, then the rest, then the ndiff block', () => {
  const changes: Change[] = [
    portClosed('127.0.40.10', 22),
    portOpened('127.0.40.10', 8443, 'https', 'nginx'),
  ];
  const { text } = reportForScan(
    testReport({ changes, ndiffText: ' 127.0.40.10:\n-22/tcp open ssh\n+8443/tcp open https\n' }),
  );
  const newAt = text.indexOf('+ NEW 8443/tcp open: https nginx');
  const closedAt = text.indexOf('22/tcp no longer open (now closed)');
  const ndiffAt = text.indexOf('-22/tcp open ssh');
  assert.ok(newAt > 0 && closedAt > newAt && ndiffAt > closedAt, text);
  assert.match(text, /Changes:\s+2 changes on 1 host, 1 new open port/);
});

test('HTML: inline styles, new open ports highlighted, everything escaped, no scripts or remote images', () => {
  const evil = portOpened('127.0.40.10', 80, '<script>alert(1)</script>', '"><img src=http://x/y.png>');
  const { html } = reportForScan(
    testReport({
      changes: [portClosed('127.0.40.10', 22), evil],
      ndiffText: '+80/tcp open <b>http</b> & more\n',
    }),
  );
  assert.ok(!/<script/i.test(html), 'no script element');
  assert.ok(!/<img/i.test(html), 'no image element');
  assert.ok(!/<link|<style|class=/i.test(html), 'inline styles only');
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /\+80\/tcp open &lt;b&gt;http&lt;\/b&gt; &amp; more/);
  const newRow = html.indexOf('>NEW</span>');
  assert.ok(
    newRow > 0 && newRow < html.indexOf('22/tcp no longer open'),
    'the new open port comes first, badged',
  );
  assert.match(html, /<tr style="background:#ffebe9/);
});

test('suppressed (expected) changes are not reported', () => {
  const expected = portOpened('127.0.40.10', 80);
  const report = testReport({
    changes: [expected, portOpened('127.0.40.10', 81)],
    suppressed: [changeKey(expected)],
  });
  const mail = reportForScan(report);
  assert.equal(mail.subject, 'Portwatch: 1 change on Home LAN (1 host)');
  assert.ok(!mail.text.includes(' 80/tcp open'));
});

test('the ndiff block says when it shows more than the listed changes (dropped by confirmation, expected)', () => {
  const expected = portOpened('127.0.40.10', 80);
  const kept = portOpened('127.0.40.10', 81);
  const report = testReport({ changes: [expected, kept], suppressed: [changeKey(expected)] });
  report.entry.confirmation = { args: ['-p', '80-82'], dropped: 1 };
  const { text, html } = reportForScan(report);
  const note =
    'It compares the reference with the scan as nmap wrote it, so it also shows 1 change that did not show ' +
    'again when rescanned and 1 expected or snoozed change, not listed above.';
  assert.ok(text.includes(`ndiff:\n${note}\n`), text);
  assert.ok(html.includes(`ndiff: ${note}</p>`), html);
  const plain = reportForScan(testReport({ changes: [kept] }));
  assert.ok(!plain.text.includes('It compares'), 'no note when ndiff shows just what is listed');
});

test('long reports are capped with "and N more" and carry the full report as an attachment', () => {
  const changes = Array.from({ length: 250 }, (_, i) => portOpened(`127.0.40.${10 + (i % 5)}`, 1000 + i));
  const ndiffText = Array.from({ length: 1000 }, (_, i) => `+${1000 + i}/tcp open unknown`).join('\n') + '\n';
  const mail = renderReport([scanItem(testReport({ changes, ndiffText }), 'changes')], 'single', {
    maxChanges: 100,
    maxNdiffLines: 300,
  });
  assert.match(
    mail.text,
    /\.\.\. and 150 more changes: the full report is attached \(portwatch-report\.txt\)\./,
  );
  assert.match(mail.html, /and 150 more changes/);
  assert.match(mail.text, /\.\.\. and 700 more lines \(the full diff is attached\)/);
  assert.equal(mail.text.split('\n').filter((l) => l.includes('+ NEW')).length, 100);
  assert.equal(mail.attachments?.length, 1);
  const full = mail.attachments![0]!.content;
  assert.equal(full.split('\n').filter((l) => l.includes('+ NEW')).length, 250);
  assert.ok(full.includes('+1999/tcp open unknown'), 'the attachment has the whole diff');
  assert.ok(
    !reportForScan(testReport({ changes: changes.slice(0, 3) })).attachments,
    'short reports have no attachment',
  );
});
