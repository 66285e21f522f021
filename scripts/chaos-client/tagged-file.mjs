// Writes a file of random bytes in which every 4 KiB block starts with a 32-byte ASCII tag naming the file and the block's
// offset ("ddx:LABEL@0000000001234944 …\n"), so that wrong bytes found in a download can be traced to the file and offset
// they came from (diff-ranges.mjs reads the tags). Prints the file's SHA-256.
//   node tagged-file.mjs --bytes N --label LABEL --out PATH
import { createHash, randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import { parseArgs } from 'node:util';

export const TagEvery = 4096;
export const TagBytes = 32;

const { values: options } = parseArgs({
  options: { bytes: { type: 'string' }, label: { type: 'string' }, out: { type: 'string' } },
});
const total = Number(options.bytes);
const label = options.label;
if (!Number.isSafeInteger(total) || total < 0 || !label || !/^[A-Za-z0-9_-]{1,8}$/.test(label) || !options.out)
  throw new Error('usage: node tagged-file.mjs --bytes N --label LABEL (1-8 of [A-Za-z0-9_-]) --out PATH');

const block = 8 * 1024 * 1024;
const buffer = Buffer.alloc(block);
const hash = createHash('sha256');
const out = await open(options.out, 'w');
for (let offset = 0; offset < total; offset += block) {
  const length = Math.min(block, total - offset);
  const view = buffer.subarray(0, length);
  randomFillSync(view);
  for (let at = 0; at < length; at += TagEvery) {
    const tag = `ddx:${label}@${String(offset + at).padStart(16, '0')}`.padEnd(TagBytes - 1, ' ') + '\n';
    view.write(tag.slice(0, Math.min(TagBytes, length - at)), at, 'latin1');
  }
  hash.update(view);
  await out.write(view, 0, length, offset);
}
await out.close();
console.log(hash.digest('hex'));
