// Many small files (issue 19): N uploads of one size, C at once, each file ONE request, written only against the wire
// protocols. The file's bytes are in memory (the client's disk is not measured).
//
//   node small-files.mjs <tus|multipart> --url BASE --count N --size BYTES [--concurrency C]
//
//   tus        POST BASE/files with the whole file as the body (tus creation-with-upload: Upload-Length, Content-Type
//              application/offset+octet-stream); a 201 whose Upload-Offset is the size counts as done
//   multipart  POST BASE/api/v1/upload, multipart/form-data (a sha256 field, then the file); a 200/201 whose sha256 is
//              the file's counts as done
//
// Prints one JSON line: {"mode","size","count","seconds","filesPerSecond","p50Ms","p99Ms","clientCpuSeconds"}.
// "seconds" runs from the first request to the last answer. Any refusal or mismatch ends with exit code 1.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

const { positionals, values: options } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    count: { type: 'string', default: '600' },
    size: { type: 'string', default: '262144' },
    concurrency: { type: 'string', default: '16' },
  },
});
const mode = positionals[0];
const base = options.url;
const count = Number(options.count);
const size = Number(options.size);
const concurrency = Number(options.concurrency);
if (!['tus', 'multipart'].includes(mode) || !base || !(count > 0) || !(size > 0) || !(concurrency > 0)) {
  console.error('usage: node small-files.mjs <tus|multipart> --url BASE --count N --size BYTES [--concurrency C]');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const body = randomBytes(size);
const sha256 = createHash('sha256').update(body).digest('hex');

function send(method, url, headers, parts) {
  return new Promise((resolve, reject) => {
    const length = parts.reduce((n, p) => n + p.length, 0);
    const req = http.request(url, { method, agent, headers: { ...headers, 'content-length': length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const p of parts) req.write(p);
    req.end();
  });
}

const uploads = {
  async tus(index) {
    const r = await send('POST', new URL('/files', base), {
      'tus-resumable': '1.0.0',
      'upload-length': String(size),
      'upload-metadata': `filename ${Buffer.from(`small-${index}.bin`).toString('base64')}`,
      'content-type': 'application/offset+octet-stream',
    }, [body]);
    if (r.status !== 201) throw new Error(`POST /files: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    if (Number(r.headers['upload-offset']) !== size) throw new Error(`POST /files: Upload-Offset ${r.headers['upload-offset']}, sent ${size}`);
  },
  async multipart(index) {
    const boundary = `----ddx-small-${randomBytes(12).toString('hex')}`;
    const prefix = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="sha256"\r\n\r\n${sha256}\r\n`
      + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="small-${index}.bin"\r\n`
      + 'Content-Type: application/octet-stream\r\n\r\n');
    const suffix = Buffer.from(`\r\n--${boundary}--\r\n`);
    const r = await send('POST', new URL('/api/v1/upload', base),
      { 'content-type': `multipart/form-data; boundary=${boundary}` }, [prefix, body, suffix]);
    if (r.status !== 200 && r.status !== 201) throw new Error(`POST /api/v1/upload: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    const answer = JSON.parse(r.text);
    if (answer.sha256 !== sha256) throw new Error(`POST /api/v1/upload: sha256 ${answer.sha256}, sent ${sha256}`);
  },
};

const latencies = [];
let next = 0;
const cpuStart = process.cpuUsage();
const start = process.hrtime.bigint();
async function worker() {
  while (next < count) {
    const index = next++;
    const t0 = process.hrtime.bigint();
    await uploads[mode](index);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
try {
  await Promise.all(Array.from({ length: concurrency }, worker));
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuStart);
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
console.log(JSON.stringify({
  mode, size, count, seconds: +seconds.toFixed(3), filesPerSecond: +(count / seconds).toFixed(1),
  p50Ms: +pct(50).toFixed(1), p99Ms: +pct(99).toFixed(1), clientCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(3),
}));
agent.destroy();
