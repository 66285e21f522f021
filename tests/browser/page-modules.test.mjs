// The page's pure modules under node: refusal wording, node figures, formatting, rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRefusal } from '../../src/DirectDriveX.Gateway/wwwroot/api.js';
import { readNode } from '../../src/DirectDriveX.Gateway/wwwroot/cluster-panel.js';
import { RateMeter, formatBytes, formatDuration, formatRate } from '../../src/DirectDriveX.Gateway/wwwroot/format.js';

test('no headroom (503) says to retry later, with the Retry-After delay', () => {
  const refusal = describeRefusal({ status: 503, reason: 'InsufficientHeadroom', detail: 'No node has 100 MiB of headroom.', retryAfterSeconds: 30 });
  assert.equal(refusal.retryable, true);
  assert.match(refusal.message, /No node in the cluster has enough free memory/);
  assert.match(refusal.message, /No node has 100 MiB of headroom/);
  assert.match(refusal.advice, /retry in about 30 s/);
});

test('too large (413) names the limit taken from the problem or from its sentence', () => {
  const fromField = describeRefusal({ status: 413, limit: 10 * 1024 ** 3, size: 12 * 1024 ** 3 });
  assert.equal(fromField.retryable, false);
  assert.match(fromField.message, /This file \(12\.0 GiB\) is too large for this cluster\. The limit is 10\.0 GiB\./);
  const fromSentence = describeRefusal({ status: 413, detail: 'size: 20000000000 bytes is over the maximum of 10737418240 bytes.' });
  assert.match(fromSentence.message, /The limit is 10\.0 GiB/);
});

test('WebSocket refusals map by reason and close code', () => {
  assert.equal(describeRefusal({ closeCode: 1008, reason: 'Unauthorized' }).retryable, false);
  assert.match(describeRefusal({ closeCode: 1008, reason: 'unauthorized' }).message, /resume token/);
  assert.equal(describeRefusal({ closeCode: 1013, reason: 'buffers_exhausted' }).retryable, true);
  assert.equal(describeRefusal({ closeCode: 1013, reason: 'InsufficientHeadroom' }).retryable, true);
  assert.equal(describeRefusal({ closeCode: 1009, reason: 'ChunkTooLarge' }).retryable, false);
  assert.match(describeRefusal({ reason: 'HashMismatch' }).message, /do not match the file’s SHA-256/);
  assert.match(describeRefusal({ reason: 'Expired' }).message, /idle too long/);
  assert.equal(describeRefusal({ closeCode: 1011 }).retryable, true);
});

test('client limits: too many uploads is retryable, a day quota says when it resets, a missing key says so', () => {
  const busy = describeRefusal({ status: 429, reason: 'TooManyUploads', quota: { quota: 'concurrentUploads', used: 5, limit: 5 }, retryAfterSeconds: 5 });
  assert.equal(busy.retryable, true);
  assert.match(busy.message, /as many uploads running as this service allows at once \(5\)/);
  const day = describeRefusal({ status: 429, reason: 'QuotaExceeded',
    quota: { quota: 'bytesPerDay', used: 3 * 1024 ** 3, limit: 4 * 1024 ** 3, resetsAt: '2026-11-24T00:00:00+00:00' } });
  assert.equal(day.retryable, false);
  assert.match(day.message, /You have sent 3\.00 GiB of 4\.00 GiB today/);
  assert.match(day.advice, /Retry after 2026-11-24 00:00 UTC/);
  const key = describeRefusal({ status: 401, reason: 'Unauthenticated', detail: 'Creating an upload needs an API key.' });
  assert.equal(key.retryable, false);
  assert.match(key.message, /API key/);
  assert.match(key.advice, /Enter your API key/);
});

test('node entries are read whatever the spelling of their figures', () => {
  assert.deepEqual(readNode({ node: 'silo-1', available: 6e9, reserve: 536870912, leased: 1048576, headroom: 5e9, sessions: 2 }),
    { name: 'silo-1', id: 'silo-1', available: 6e9, reserve: 536870912, leased: 1048576, headroom: 5e9, sessions: 2 });
  assert.deepEqual(readNode({ nodeId: 'S127.0.0.1:11111:1', nodeName: 'silo-2', availableBytes: 10, reserveBytes: 2, leasedBytes: 3, headroomBytes: -1, leaseCount: 1 }),
    { name: 'silo-2', id: 'S127.0.0.1:11111:1', available: 10, reserve: 2, leased: 3, headroom: -1, sessions: 1 });
});

test('figures for people', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(40 * 1024 * 1024), '40.0 MiB');
  assert.equal(formatBytes(2.5 * 1024 ** 3), '2.50 GiB');
  assert.equal(formatBytes(-512 * 1024 * 1024), '−512 MiB');
  assert.equal(formatRate(35_200_000), '35.2 MB/s');
  assert.equal(formatRate(NaN), '– MB/s');
  assert.equal(formatDuration(0.5), '0.5 s');
  assert.equal(formatDuration(42), '42 s');
  assert.equal(formatDuration(125), '2 min 05 s');
  assert.equal(formatDuration(7260), '2 h 01 min');
});

test('the rate is measured over the sliding window', () => {
  const meter = new RateMeter(5000);
  assert.ok(Number.isNaN(meter.bytesPerSecond));
  meter.add(0, 0);
  meter.add(10_000_000, 1000);
  assert.equal(meter.bytesPerSecond, 10_000_000);
  meter.add(10_000_000, 7000); // a stall: older samples leave the window
  meter.add(10_000_000, 8000);
  assert.equal(meter.bytesPerSecond, 0);
  assert.equal(meter.lastBytes, 10_000_000);
});
