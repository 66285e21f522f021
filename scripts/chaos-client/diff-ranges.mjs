// Compares an original file with a downloaded one and prints every range where they differ (gaps shorter than 64 bytes
// are merged): its offset and length, where it lies in the upload's chunks (--chunk-size, default 8 MiB) and 256 KiB
// slices, how much of it is zero, and — read from the tags tagged-file.mjs writes every 4 KiB — which file and offset the
// wrong bytes came from. One JSON line per range, then a summary line; exit 0 when the files are equal, 1 otherwise.
//   node diff-ranges.mjs --original PATH --downloaded PATH [--chunk-size 8388608] [--label LABEL (the original's)]
import { open, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: { original: { type: 'string' }, downloaded: { type: 'string' }, 'chunk-size': { type: 'string', default: '8388608' }, label: { type: 'string' } },
});
const chunk = Number(options['chunk-size']);
const slice = 256 * 1024;
const [a, b] = [await open(options.original, 'r'), await open(options.downloaded, 'r')];
const [sizeA, sizeB] = [(await stat(options.original)).size, (await stat(options.downloaded)).size];
const block = 4 * 1024 * 1024;
const [bufA, bufB] = [Buffer.alloc(block), Buffer.alloc(block)];

const ranges = [];
let current = null;
for (let offset = 0; offset < Math.min(sizeA, sizeB); offset += block) {
  const length = Math.min(block, Math.min(sizeA, sizeB) - offset);
  await a.read(bufA, 0, length, offset);
  await b.read(bufB, 0, length, offset);
  if (bufA.subarray(0, length).equals(bufB.subarray(0, length))) continue;
  for (let i = 0; i < length; i++) {
    if (bufA[i] === bufB[i]) continue;
    const at = offset + i;
    if (current && at - current.end <= 64) current.end = at + 1;
    else { current = { start: at, end: at + 1 }; ranges.push(current); }
  }
}

// Chunks counted from 0 (a resume at an offset that is not a chunk boundary shifts the writer's chunks from there on);
// the writer's 256 KiB slices are counted from its chunk's start.
const describe = (n) => {
  const inChunk = n % chunk;
  return `chunk ${Math.floor(n / chunk)} + ${inChunk}` + (inChunk % slice === 0 ? ' (slice boundary)' : ` (slice + ${inChunk % slice})`);
};
for (const range of ranges) {
  const length = range.end - range.start;
  const wrong = Buffer.alloc(length);
  await b.read(wrong, 0, length, range.start);
  let zeros = 0;
  for (const byte of wrong) if (byte === 0) zeros++;
  // Tags inside the wrong bytes: where they came from (file label and offset), as "shift" from where they now are.
  // Read from the 4 KiB boundary at or before the range: a wrong tag may begin with the bytes the right one has.
  const sources = new Map();
  const tagged = Math.floor(range.start / 4096) * 4096;
  const around = Buffer.alloc(range.end - tagged);
  await b.read(around, 0, around.length, tagged);
  const text = around.toString('latin1');
  for (const match of text.matchAll(/ddx:([A-Za-z0-9_-]{1,8})@(\d{16})/g)) {
    const from = Number(match[2]);
    const here = tagged + match.index;
    if (here === from && options.label === match[1]) continue; // the right tag, before the wrong bytes
    const key = `${match[1]} shifted ${here - from}`;
    const source = sources.get(key) ?? { label: match[1], shift: here - from, tags: 0, firstFrom: from };
    source.tags++;
    sources.set(key, source);
  }
  console.log(JSON.stringify({
    offset: range.start, end: range.end, length, start: describe(range.start), endsAt: describe(range.end),
    zeroBytes: zeros, allZero: zeros === length, sources: [...sources.values()],
  }));
}
const differing = ranges.reduce((s, r) => s + r.end - r.start, 0);
console.log(JSON.stringify({ summary: true, originalSize: sizeA, downloadedSize: sizeB, ranges: ranges.length, differingBytes: differing }));
await a.close();
await b.close();
process.exit(ranges.length === 0 && sizeA === sizeB ? 0 : 1);
