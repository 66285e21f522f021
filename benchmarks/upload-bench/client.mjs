// The benchmark's upload and download clients, one process per measured transfer, written only against the wire
// protocols (the sink's plain PUT, tus via tus-js-client, and the gateway's public HTTP/WebSocket API as README.md
// "The protocol" describes it), never against DirectDriveX internals.
//
//   node client.mjs <mode> --url BASE [--file PATH --sha256 HEX] [--concurrency N] [--chunk-size BYTES|Infinity]
//                   [--mask zero|random] [--ids ID,ID,…] [--size BYTES] [--window-chunks N]
//
// Modes (upload modes send --file, --concurrency times at once):
//   sink       PUT BASE/upload, the file streamed as the body (benchmarks/upload-bench/sink-server.mjs)
//   s3put      PUT BASE/KEY, the file streamed as the body of one plain (unsigned) S3 PutObject (BASE: .../BUCKET/)
//   tus        tus-js-client 4 to BASE/files with --chunk-size (Infinity: one PATCH for the whole file)
//   ws         POST BASE/api/v1/uploads, then the WebSocket protocol: binary messages of ≤ chunkSize while
//              sent − acknowledged < window, until {"type":"complete"} (--window-chunks N: at most N chunks of the
//              server's window, to see what a smaller window costs; 0, the default, uses the server's)
//   multipart  POST BASE/api/v1/upload, multipart/form-data (a sha256 field, then the file), streamed from disk
//   put        POST BASE/api/v1/uploads, then PUT /api/v1/uploads/{id}/chunks?offset=0 with the whole file as the body
//   download   GET BASE/api/v1/files/{id} for each of --ids, streamed through SHA-256 and compared with --sha256
//
// Prints one JSON line: {"mode","bytes","seconds","transfers":[{"id"|"file","seconds"}],"cpuSeconds","maxRssKiB"}
// (ws transfers also name the node, the session's chunkSize, window and reservedBytes, and the seconds from the last
// acknowledgement to `complete`).
// "seconds" runs from the first request to the server's confirmation of the last transfer (node's start-up is not
// in it); "cpuSeconds" is this process's user+system CPU over the same span; "maxRssKiB" its peak RSS (getrusage).
// Any refusal, mismatch or unexpected answer ends the process with exit code 1 and the reason on stderr.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import http from 'node:http';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import tus from 'tus-js-client';
import WebSocket from 'ws';

const { positionals, values: options } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    file: { type: 'string' },
    sha256: { type: 'string' },
    size: { type: 'string' },
    concurrency: { type: 'string', default: '1' },
    'chunk-size': { type: 'string', default: 'Infinity' },
    mask: { type: 'string', default: 'zero' },
    ids: { type: 'string' },
    'window-chunks': { type: 'string', default: '0' },
  },
});
const mode = positionals[0];
const base = options.url;
const concurrency = Number(options.concurrency);
const expectedSha256 = options.sha256?.toLowerCase();
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function fail(message) {
  throw new Error(message);
}

/** One small HTTP request with an optional JSON body; resolves { status, headers, text, json }. */
function request(method, url, { json, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    const req = http.request(url, {
      method, agent,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}) },
    }, (res) => collect(res).then(resolve, reject));
    req.on('error', reject);
    req.end(body);
  });
}

async function collect(res) {
  const parts = [];
  for await (const part of res) parts.push(part);
  const text = Buffer.concat(parts).toString('utf8');
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** A request whose body is `prefix`, the whole file streamed from disk, then `suffix`; resolves like request(). */
function sendFile(method, url, headers, file, size, prefix = Buffer.alloc(0), suffix = Buffer.alloc(0)) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method, agent, headers: { ...headers, 'content-length': prefix.length + size + suffix.length },
    }, (res) => collect(res).then(resolve, reject));
    req.on('error', reject);
    req.write(prefix);
    const source = createReadStream(file, { highWaterMark: 1 << 20 });
    source.on('error', (error) => req.destroy(error));
    source.on('end', () => req.end(suffix));
    source.pipe(req, { end: false });
  });
}

function expectStatus(response, expected, what) {
  if (!expected.includes(response.status)) fail(`${what}: HTTP ${response.status}: ${response.text.slice(0, 500)}`);
}

function expectSha256(actual, what) {
  if (expectedSha256 && actual?.toLowerCase() !== expectedSha256) {
    fail(`${what}: SHA-256 MISMATCH: server says ${actual}, the file is ${expectedSha256}`);
  }
}

async function createUpload(size, fileName) {
  const created = await request('POST', new URL('/api/v1/uploads', base), {
    json: { fileName, size, contentType: 'application/octet-stream', ...(expectedSha256 ? { sha256: expectedSha256 } : {}) },
  });
  expectStatus(created, [201], 'POST /api/v1/uploads');
  return created.json;
}

async function readExactly(handle, buffer, position) {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) fail(`the file ended at ${position + done}`);
    done += bytesRead;
  }
}

const uploaders = {
  async sink(file, size) {
    const response = await sendFile('PUT', new URL('/upload', base), { 'content-type': 'application/octet-stream' }, file, size);
    expectStatus(response, [201], 'PUT /upload');
    if (response.json.bytes !== size) fail(`the sink stored ${response.json.bytes} bytes of ${size}`);
    return { file: response.json.file };
  },

  // A plain unsigned PUT of the whole file as one object to an S3 server (s3rver), BASE = http://HOST:PORT/BUCKET/:
  // the server's own ceiling for one object, without an SDK, signing or multipart.
  async s3put(file, size, index) {
    const key = `bench-${process.pid}-${index}-${Date.now()}`;
    const response = await sendFile('PUT', new URL(key, base), { 'content-type': 'application/octet-stream' }, file, size);
    expectStatus(response, [200], `PUT ${key}`);
    return { id: key };
  },

  tus(file, size, index) {
    const chunkSize = Number(options['chunk-size']);
    return new Promise((resolve, reject) => {
      const upload = new tus.Upload(createReadStream(file), {
        endpoint: new URL('/files', base).href,
        chunkSize,
        uploadSize: size,
        metadata: { filename: `bench-${index}.bin`, filetype: 'application/octet-stream' },
        retryDelays: [], // a failure is a failure, not a silent retry inside the timing
        onError: reject,
        // @tus/server's ids are plain; ours are {uploadId}.{resume token}: the file id is the part before the dot.
        onSuccess: () => resolve({ id: new URL(upload.url).pathname.split('/').pop().split('.')[0] }),
      });
      upload.start();
    });
  },

  async ws(file, size, index) {
    const created = await createUpload(size, `bench-${index}.bin`);
    const handle = await open(file, 'r');
    try {
      return await new Promise((resolve, reject) => {
        const socket = new WebSocket(created.webSocketUrl, {
          perMessageDeflate: false,
          // A zero masking key (valid per RFC 6455) lets ws skip masking: its pure-JS mask runs at ~400 MB/s here and
          // would measure this client rather than the server. --mask random restores ws's default random keys.
          ...(options.mask === 'zero' ? { generateMask: (mask) => mask.fill(0) } : {}),
        });
        let sent = 0, acked = 0, window = 0, chunkSize = 0, pumping = false, finished = false, complete, lastAckAt;
        const spare = [];
        const stop = (error) => {
          if (finished) return;
          finished = true;
          socket.terminate();
          reject(error);
        };
        const pump = async () => {
          if (pumping) return;
          pumping = true;
          try {
            while (!finished && sent < size && sent - acked < window) {
              const length = Math.min(chunkSize, size - sent);
              let buffer = spare.pop();
              if (!buffer || buffer.length < chunkSize) buffer = Buffer.allocUnsafe(chunkSize);
              const message = buffer.subarray(0, length);
              await readExactly(handle, message, sent);
              sent += length;
              socket.send(message, { binary: true }, (error) => (error ? stop(error) : spare.push(buffer)));
            }
          } catch (error) {
            stop(error);
          } finally {
            pumping = false;
          }
        };
        socket.on('message', (raw, isBinary) => {
          if (isBinary) return stop(new Error('the server sent a binary message'));
          const message = JSON.parse(raw.toString('utf8'));
          switch (message.type) {
            case 'ready':
              if (message.offset !== 0) return stop(new Error(`ready at offset ${message.offset} for a new upload`));
              chunkSize = message.chunkSize;
              window = message.window ?? created.reservedBytes;
              if (Number(options['window-chunks']) > 0) window = Math.min(window, Number(options['window-chunks']) * chunkSize);
              return pump();
            case 'ack':
              if (message.offset <= acked || message.offset > sent) {
                return stop(new Error(`ack ${message.offset} after ${acked} with ${sent} sent`));
              }
              acked = message.offset;
              lastAckAt = performance.now();
              return pump();
            case 'complete':
              complete = { message, at: performance.now() };
              return undefined;
            case 'error':
              return stop(new Error(`server error ${message.reason}: ${message.message}`));
            default:
              return undefined;
          }
        });
        socket.on('error', stop);
        socket.on('close', (code, reason) => {
          if (finished) return;
          finished = true;
          if (!complete) return reject(new Error(`closed ${code} ${reason} before complete (acked ${acked} of ${size})`));
          try {
            if (complete.message.size !== size) fail(`complete says size ${complete.message.size}, sent ${size}`);
            expectSha256(complete.message.sha256, 'complete');
            resolve({ id: complete.message.fileId ?? created.uploadId, node: complete.message.node, completedAt: complete.at,
              chunkSize, window, reservedBytes: created.reservedBytes,
              // From the last acknowledgement (normally of the whole file) to `complete`: the store's assembly and the
              // file's record.
              lastAckOffset: acked, lastAckToCompleteSeconds: lastAckAt === undefined ? undefined : (complete.at - lastAckAt) / 1000 });
          } catch (error) {
            reject(error);
          }
        });
      });
    } finally {
      await handle.close();
    }
  },

  async multipart(file, size, index) {
    const boundary = `----ddx-bench-${randomBytes(12).toString('hex')}`;
    const prefix = Buffer.from(
      (expectedSha256 ? `--${boundary}\r\nContent-Disposition: form-data; name="sha256"\r\n\r\n${expectedSha256}\r\n` : '')
      + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench-${index}.bin"\r\n`
      + 'Content-Type: application/octet-stream\r\n\r\n');
    const suffix = Buffer.from(`\r\n--${boundary}--\r\n`);
    const response = await sendFile('POST', new URL('/api/v1/upload', base),
      { 'content-type': `multipart/form-data; boundary=${boundary}` }, file, size, prefix, suffix);
    expectStatus(response, [200, 201], 'POST /api/v1/upload');
    expectSha256(response.json.sha256, 'multipart answer');
    return { id: response.json.fileId, node: response.json.node };
  },

  async put(file, size, index) {
    const created = await createUpload(size, `bench-${index}.bin`);
    const response = await sendFile('PUT', new URL(`/api/v1/uploads/${created.uploadId}/chunks?offset=0`, base),
      { 'content-type': 'application/octet-stream', 'upload-token': created.resumeToken }, file, size);
    expectStatus(response, [200, 201], 'PUT /api/v1/uploads/{id}/chunks');
    if (response.json.sha256) expectSha256(response.json.sha256, 'PUT answer');
    return { id: response.json.fileId ?? created.uploadId, node: response.json.node ?? created.node };
  },
};

async function download(id, size) {
  const hash = createHash('sha256');
  let bytes = 0;
  const status = await new Promise((resolve, reject) => {
    http.get(new URL(`/api/v1/files/${id}`, base), { agent }, (res) => {
      res.on('data', (chunk) => { bytes += chunk.length; hash.update(chunk); });
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    }).on('error', reject);
  });
  if (status !== 200) fail(`GET /api/v1/files/${id}: HTTP ${status}`);
  const sha256 = hash.digest('hex');
  if (size !== undefined && bytes !== size) fail(`GET /api/v1/files/${id}: ${bytes} bytes, expected ${size}`);
  if (sha256 !== expectedSha256) fail(`GET /api/v1/files/${id}: SHA-256 MISMATCH: got ${sha256}, uploaded ${expectedSha256}`);
  return { id, bytes };
}

async function main() {
  if (!base) fail('--url is required');
  const started = performance.now();
  const cpu = process.cpuUsage();
  let transfers;
  let bytes;
  if (mode === 'download') {
    if (!options.ids || !expectedSha256) fail('download needs --ids and --sha256');
    const size = options.size === undefined ? undefined : Number(options.size);
    transfers = [];
    for (const id of options.ids.split(',')) {
      const t0 = performance.now();
      const result = await download(id, size);
      transfers.push({ ...result, seconds: (performance.now() - t0) / 1000 });
    }
    bytes = transfers.reduce((sum, t) => sum + t.bytes, 0);
  } else {
    const upload = uploaders[mode] ?? fail(`unknown mode '${mode}'`);
    if (!options.file) fail('--file is required');
    const size = (await stat(options.file)).size;
    transfers = await Promise.all(Array.from({ length: concurrency }, async (_, index) => {
      const t0 = performance.now();
      const result = await upload(options.file, size, index);
      const end = result.completedAt ?? performance.now();
      delete result.completedAt;
      return { ...result, seconds: (end - t0) / 1000, end };
    }));
    bytes = size * concurrency;
  }
  const ended = Math.max(...transfers.map((t) => t.end ?? 0), 0) || performance.now();
  const used = process.cpuUsage(cpu);
  for (const t of transfers) delete t.end;
  console.log(JSON.stringify({
    mode, file: options.file ? basename(options.file) : undefined, bytes,
    seconds: (ended - started) / 1000,
    transfers,
    cpuSeconds: (used.user + used.system) / 1e6,
    maxRssKiB: process.resourceUsage().maxRSS,
  }));
}

main().then(
  () => { agent.destroy(); },
  (error) => {
    console.error(`${mode ?? 'client'}: FAILED: ${error?.message ?? error}`);
    process.exit(1);
  });
