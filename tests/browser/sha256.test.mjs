// The page's streaming SHA-256 against node's crypto, on the edge lengths of the padding and on split updates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Sha256, sha256OfBlob } from '../../src/DirectDriveX.Gateway/wwwroot/sha256.js';

const reference = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('known vectors', () => {
  assert.equal(new Sha256().digestHex(), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(new Sha256().update(new TextEncoder().encode('abc')).digestHex(),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('every length around the block and padding boundaries', () => {
  const data = randomBytes(200);
  for (let length = 0; length <= 200; length++) {
    const bytes = data.subarray(0, length);
    assert.equal(new Sha256().update(bytes).digestHex(), reference(bytes), `length ${length}`);
  }
});

test('the same digest however the message is split', () => {
  const data = randomBytes(10_000);
  for (const piece of [1, 7, 63, 64, 65, 1000, 4096]) {
    const hash = new Sha256();
    for (let offset = 0; offset < data.length; offset += piece) hash.update(data.subarray(offset, offset + piece));
    assert.equal(hash.digestHex(), reference(data), `pieces of ${piece}`);
  }
});

test('a blob hashed slice by slice, reporting progress', async () => {
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const seen = [];
  const digest = await sha256OfBlob(new Blob([data]), { sliceBytes: 1024 * 1024, onProgress: (n) => seen.push(n) });
  assert.equal(digest, reference(data));
  assert.deepEqual(seen, [1048576, 2097152, 3145728, 3145745]);
});

test('a 32 MiB message in one pass (the rate is printed; CI machines are too busy to assert one)', () => {
  const data = randomBytes(32 * 1024 * 1024);
  const started = performance.now();
  const digest = new Sha256().update(data).digestHex();
  const seconds = (performance.now() - started) / 1000;
  assert.equal(digest, reference(data));
  console.log(`streaming SHA-256: ${(data.length / 1e6 / seconds).toFixed(0)} MB/s`);
});

test('refuses to be used after digest', () => {
  const hash = new Sha256();
  hash.digestHex();
  assert.throws(() => hash.update(new Uint8Array(1)), /after digest/);
});
