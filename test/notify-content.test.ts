import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanNotice, watchdogNotice } from '../src/engine/notify/notification.ts';
import { mayNotifyFailure } from '../src/engine/notify/rate-limit.ts';
import { portClosed, portOpened, testReport } from './support/smtp.ts';

test('a few changes are listed; a new open port is critical; a click opens the entry', () => {
  const report = testReport({
    changes: [portClosed('127.0.40.10', 22), portOpened('127.0.40.10', 443, 'https')],
  });
  const notice = scanNotice(report)!;
  assert.equal(notice.title, 'Home LAN: 2 changes');
  assert.equal(
    notice.body,
    '127.0.40.10 443/tcp open: https\n127.0.40.10 22/tcp no longer open (now closed)',
  );
  assert.equal(notice.urgency, 'critical');
  assert.equal(notice.entryId, report.entry.id);
});

test('many changes are summarised, not listed, and the body stays short', () => {
  const changes = [
    ...Array.from({ length: 40 }, (_, i) => portOpened(`127.0.40.${10 + (i % 4)}`, 2000 + i)),
    ...Array.from({ length: 7 }, (_, i) => portClosed('127.0.40.30', 3000 + i)),
  ];
  const notice = scanNotice(testReport({ changes }))!;
  assert.equal(notice.title, 'Home LAN: 47 changes on 5 hosts');
  assert.match(
    notice.body,
    /^40 new open ports \(127\.0\.40\.10 2000, 127\.0\.40\.11 2001, 127\.0\.40\.12 2002, …\), 7 other changes\. Click to see them\.$/,
  );
  assert.ok(notice.body.length <= 200);
});

test('closed ports only: normal urgency; no change: no notice', () => {
  assert.equal(scanNotice(testReport({ changes: [portClosed('127.0.40.10', 22)] }))!.urgency, 'normal');
  assert.equal(scanNotice(testReport({})), null);
});

test('failed scans: a notice with the reason', () => {
  const failed = testReport({ status: 'failed', reason: 'nmap exited with code 1' });
  assert.deepEqual(
    { ...scanNotice(failed)! },
    {
      title: 'Scan failed: Home LAN',
      body: 'nmap exited with code 1',
      urgency: 'normal',
      entryId: failed.entry.id,
      profile: 'Home LAN',
      kind: 'failed',
    },
  );
});

test('the failed-scan rate limit is a pure function of the previous notice time', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  assert.equal(mayNotifyFailure(null, now, 6), true);
  assert.equal(mayNotifyFailure(new Date('2026-11-24T06:00:00Z'), now, 6), true, 'exactly N hours later');
  assert.equal(mayNotifyFailure(new Date('2026-11-24T06:00:01Z'), now, 6), false);
  assert.equal(
    mayNotifyFailure('2026-11-25T00:00:00Z', now, 6),
    true,
    'a clock set back does not silence notices',
  );
  assert.equal(mayNotifyFailure(null, now, 0), false, '0 = never');
});

test('the watchdog notice says how long it has been', () => {
  const n = watchdogNotice('Home LAN', '2026-11-23T10:00:00Z', new Date('2026-11-24T12:00:00Z'));
  assert.equal(n.title, 'No successful scan: Home LAN');
  assert.equal(n.body, 'The last successful scan was 26 hours ago.');
  assert.equal(watchdogNotice('Home LAN', null).body, 'This profile has never been scanned successfully.');
});
