// Many uploads at once from one process (issue 22's scenario): N concurrent WebSocket uploads (README "The protocol"),
// each from a client address of its own (127.0.1.1 … 127.0.1.254, then 127.0.2.1 …: the cluster allows 5 live uploads
// per client, counted by address), each throttled to --rate bytes/s by a token bucket that lets out one fragment of a
// binary message at a time (so a chunk-size message goes out smoothly, not in one burst), each resuming like
// scripts/chaos-client after a drop or a retryable refusal (reconnect; `ready` gives the offset) until `complete`.
// Content is generated on the fly, never stored: AES-128-CTR of zeros under a key derived from --seed and the upload's
// number, so the bytes at any offset can be made again on a resume. Half of the uploads (the even ones) declare their
// SHA-256 at creation (computed beforehand by running the generator once); the others hash while sending. Each completed
// file is downloaded (GET /api/v1/files/{id}) and its SHA-256 compared, streaming.
//   node load.mjs --gateways URL[,URL…] [--uploads 60] [--bytes 67108864] [--rate 2000000] [--deadline-seconds 600]
//        [--seed load] [--fragment-bytes 65536] [--first-ack-max-seconds 5] [--results FILE] [--download-parallel 4]
// Writes one JSON line per upload to --results (when given), progress to stderr every 10 s, then a table and, as the last
// line of stdout, one JSON summary. Exit 0 when every upload completed and both SHA-256s (server's, downloaded) match.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: options } = parseArgs({
  options: {
    gateways: { type: 'string' },
    uploads: { type: 'string', default: '60' },
    bytes: { type: 'string', default: '67108864' },
    rate: { type: 'string', default: '2000000' },
    'deadline-seconds': { type: 'string', default: '600' },
    seed: { type: 'string', default: 'load' },
    'fragment-bytes': { type: 'string', default: '65536' },
    'first-ack-max-seconds': { type: 'string', default: '5' },
    results: { type: 'string' },
    'download-parallel': { type: 'string', default: '4' },
  },
});
if (!options.gateways) throw new Error('usage: node load.mjs --gateways URL[,URL…] [--uploads N] [--bytes B] [--rate B/s] …');
const gateways = options.gateways.split(',');
const count = Number(options.uploads);
const size = Number(options.bytes);
const rate = Number(options.rate);
const fragmentBytes = Number(options['fragment-bytes']);
const firstAckMaxMs = Number(options['first-ack-max-seconds']) * 1000;
const downloadParallel = Number(options['download-parallel']);
const startedAt = Date.now();
const deadline = startedAt + Number(options['deadline-seconds']) * 1000;
for (const [name, value] of Object.entries({ uploads: count, bytes: size, 'fragment-bytes': fragmentBytes }))
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
if (!(rate >= 0)) throw new Error('--rate is bytes per second per upload, 0 for unlimited');
if (count > 254 * 254) throw new Error('at most 64516 uploads: one client address each, 127.0.1.1 … 127.0.254.254');

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const zeros = Buffer.alloc(fragmentBytes + 16);

/** Upload i's bytes: AES-128-CTR keystream (encrypting zeros) under a key from the seed and i, from any offset on. */
class Content {
  constructor(index) { this.key = createHash('sha256').update(`${options.seed}:${index}`).digest().subarray(0, 16); }
  /** A generator positioned at `offset`: next(n) returns the following n bytes (n ≤ fragment size). */
  at(offset) {
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64BE(BigInt(Math.floor(offset / 16)), 8); // the CTR counter: the 16-byte block number
    const cipher = createCipheriv('aes-128-ctr', this.key, iv);
    const skip = offset % 16;
    if (skip > 0) cipher.update(zeros.subarray(0, skip));
    return { next: (n) => cipher.update(zeros.subarray(0, n)) };
  }
  sha256() {
    const hash = createHash('sha256');
    const generator = this.at(0);
    for (let offset = 0; offset < size; offset += fragmentBytes) hash.update(generator.next(Math.min(fragmentBytes, size - offset)));
    return hash.digest('hex');
  }
}

/** Smooth pacing: `rate` tokens a second, at most one fragment's worth stored, so no burst is larger than a fragment. */
class TokenBucket {
  constructor(perSecond, capacity) { this.perSecond = perSecond; this.capacity = capacity; this.tokens = capacity; this.at = performance.now(); }
  async take(n) {
    if (this.perSecond <= 0) return;
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
      this.at = now;
      if (this.tokens >= n) { this.tokens -= n; return; }
      await pause(Math.max(1, ((n - this.tokens) / this.perSecond) * 1000));
    }
  }
}

/** The client address of upload i: 127.0.1.1 … 127.0.1.254, 127.0.2.1 …. */
const addressOf = (i) => `127.0.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`;

/** An HTTP request from `localAddress` (fetch cannot choose it); resolves with {status, headers, text} or streams the body
 * into `sink(chunk)` when given. */
function request(method, url, { localAddress, headers = {}, body, timeoutMs = 30000, sink } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, localAddress, timeout: timeoutMs, agent: noKeepAlive }, (response) => {
      let text = '';
      if (!sink || response.statusCode !== 200) response.setEncoding('utf8');
      response.on('data', (d) => { if (sink && response.statusCode === 200) sink(d); else text += d; });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
const noKeepAlive = new Agent({ keepAlive: false, maxSockets: Infinity });

class Upload {
  constructor(index) {
    this.index = index;
    this.address = addressOf(index);
    this.gateway = gateways[index % gateways.length];
    this.declared = index % 2 === 0;
    this.content = new Content(index);
    this.bucket = new TokenBucket(rate, Math.max(fragmentBytes, 1));
    this.refusals = {}; // reason -> count, creates and sockets alike
    this.reconnects = 0;
    this.acked = 0;
    this.hashedTo = 0; // for an undeclared upload: bytes fed to this.hash, in order
    this.hash = this.declared ? null : createHash('sha256');
    this.result = { index, address: this.address, declaredSha256: this.declared, size };
  }

  refused(reason) { this.refusals[reason] = (this.refusals[reason] ?? 0) + 1; }

  async create() {
    let delay = 500;
    while (Date.now() < deadline) {
      const body = { fileName: `load-${this.index}.bin`, size };
      if (this.declared) body.sha256 = this.expectedSha256;
      let answer;
      try {
        answer = await request('POST', new URL('/api/v1/uploads', this.gateway), {
          localAddress: this.address, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
        });
      } catch (e) {
        this.refused(`create: ${e.code ?? e.message}`);
        await pause(delay);
        continue;
      }
      if (answer.status === 201) return JSON.parse(answer.text);
      let problem = {};
      try { problem = JSON.parse(answer.text); } catch { /* not JSON */ }
      const reason = problem.reason ?? `HTTP ${answer.status}`;
      this.refused(`create ${reason}`);
      if (answer.status !== 503 && answer.status !== 429 && answer.status !== 507) throw new Error(`create refused: ${answer.status} ${reason}: ${problem.detail ?? answer.text}`);
      const retryAfter = Number(answer.headers['retry-after']) * 1000;
      await pause(Math.min(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : delay, 5000));
      delay = Math.min(delay * 2, 4000);
    }
    throw new Error('deadline passed before the upload was created');
  }

  /** Bytes [offset, offset+n) were generated: feed the part not hashed yet to the running hash. */
  hashSent(offset, bytes) {
    if (!this.hash) return;
    if (offset > this.hashedTo) throw new Error(`resumed at ${offset}, past the ${this.hashedTo} bytes ever sent`);
    const end = offset + bytes.length;
    if (end > this.hashedTo) { this.hash.update(bytes.subarray(this.hashedTo - offset)); this.hashedTo = end; }
  }

  /** One connection: resolves {complete} or {retry, why}; rejects on a refusal that cannot be retried. */
  connect() {
    const base = new URL(this.gateway);
    const url = `ws://${base.host}/ws/upload/${this.created.uploadId}?token=${encodeURIComponent(this.created.resumeToken)}`;
    return new Promise((resolve, reject) => {
      // An all-zero mask: ws then skips masking (legal on the wire, and saves this one process a copy and an XOR of
      // every byte it sends; the mask protects browsers' proxies, not a load client).
      const socket = new WebSocket(url, { localAddress: this.address, maxPayload: 1 << 20, generateMask: (mask) => mask.fill(0) });
      let ready = false, settled = false, sending = false, sent = 0, window = 0, chunkSize = 0, lastError = null;
      const settle = (outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome.complete) socket.close(1000);
        else if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
        outcome instanceof Error ? reject(outcome) : resolve(outcome);
      };
      const timer = setTimeout(() => settle(new Error(`deadline passed at ${this.acked} of ${size} bytes`)), Math.max(0, deadline - Date.now()));
      const send = (data, fin) => new Promise((done, failed) => socket.send(data, { binary: true, fin }, (e) => (e ? failed(e) : done())));
      const pump = async () => {
        if (sending) return;
        sending = true;
        try {
          while (!settled && socket.readyState === WebSocket.OPEN && sent < size && sent - this.acked < window) {
            // One binary message of at most a chunk, within the window, sent as fragments paced by the bucket.
            let left = Math.min(chunkSize, size - sent, window - (sent - this.acked));
            while (left > 0) {
              const n = Math.min(fragmentBytes, left);
              await this.bucket.take(n);
              if (settled || socket.readyState !== WebSocket.OPEN) return;
              const bytes = this.generator.next(n);
              this.hashSent(sent, bytes);
              sent += n;
              left -= n;
              await send(bytes, left === 0);
              if (left === 0 && this.result.firstChunkSentMs === undefined) this.result.firstChunkSentMs = Date.now() - this.createStarted;
            }
          }
        } catch (e) {
          if (e.message.startsWith('resumed at')) settle(e); // else the socket went away mid-send: its close says why
        } finally {
          sending = false;
        }
      };
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        const message = JSON.parse(data.toString());
        if (message.type === 'ready') {
          ready = true;
          sent = this.acked = message.offset;
          window = message.window;
          chunkSize = message.chunkSize;
          this.generator = this.content.at(sent);
          if (this.result.readyMs === undefined) this.result.readyMs = Date.now() - this.createStarted;
          pump();
        } else if (message.type === 'ack') {
          if (this.result.firstAckMs === undefined) this.result.firstAckMs = Date.now() - this.createStarted;
          this.acked = message.offset;
          this.backoff = 250;
          pump();
        } else if (message.type === 'complete') {
          settle({ complete: message });
        } else if (message.type === 'error') {
          lastError = message;
          this.refused(message.reason);
          if (message.reason === 'HashMismatch') this.result.differed = true;
          if (message.retryable) settle({ retry: true, counted: true, why: `${message.reason} at ${ready ? this.acked : 'connect'}` });
          else settle(new Error(`${message.reason}: ${message.message}`));
        }
      });
      socket.on('close', (code) => settle({ retry: true, why: `${ready ? 'dropped: closed' : 'dropped before ready: closed'} ${code}` }));
      socket.on('error', (e) => settle({ retry: true, why: `dropped: ${e.code ?? e.message}` }));
    });
  }

  async run() {
    this.createStarted = Date.now();
    this.created = await this.create();
    this.result.createMs = Date.now() - this.createStarted;
    Object.assign(this.result, { uploadId: this.created.uploadId, node: this.created.node, chunkSize: this.created.chunkSize,
      window: this.created.chunkSize * this.created.maxChunksInFlight, reservedBytes: this.created.reservedBytes });
    this.backoff = 250;
    while (Date.now() < deadline) {
      const outcome = await this.connect();
      if (outcome.complete) return outcome.complete;
      this.reconnects++;
      this.result.lastDrop = outcome.why;
      if (!outcome.counted) this.refused(outcome.why); // a refusal message was counted when it came
      await pause(this.backoff * (0.5 + Math.random()));
      this.backoff = Math.min(this.backoff * 2, 2000);
    }
    throw new Error(`deadline passed at ${this.acked} of ${size} bytes`);
  }

  /** Runs the upload; records the outcome in this.result (never throws). */
  async settle() {
    try {
      const complete = await this.run();
      if (!this.declared && this.hashedTo !== size) throw new Error(`complete after only ${this.hashedTo} of ${size} bytes were sent`);
      const expected = this.declared ? this.expectedSha256 : this.hash.digest('hex');
      Object.assign(this.result, { totalMs: Date.now() - this.createStarted, fileId: complete.fileId, completeNode: complete.node,
        sha256: expected, serverSha256: complete.sha256 });
      if (complete.sha256 !== expected) this.differ(`the server stored sha256 ${complete.sha256}, ${expected} was sent`);
      else if (complete.size !== size) this.differ(`the server stored ${complete.size} bytes, ${size} were sent`);
      else this.result.result = 'uploaded';
    } catch (e) {
      this.fail(e.message);
      if (e.message.startsWith('deadline')) await this.abort(); // give its lease back rather than leave it to time out
    }
    Object.assign(this.result, { reconnects: this.reconnects, refusals: this.refusals, ackedBytes: this.acked });
  }

  /** Aborts the session (DELETE), when one was created; errors are ignored (it may be gone already). */
  async abort() {
    if (!this.created) return;
    await request('DELETE', new URL(`/api/v1/uploads/${this.created.uploadId}`, this.gateway), {
      localAddress: this.address, headers: { 'upload-token': this.created.resumeToken }, timeoutMs: 3000,
    }).catch(() => {});
  }

  fail(why) { this.result.result = 'failed'; this.result.why = why; }
  differ(why) { this.fail(why); this.result.differed = true; }

  /** Downloads the stored file and compares its SHA-256 with what was sent. */
  async verify() {
    const hash = createHash('sha256');
    let bytes = 0;
    const started = Date.now();
    try {
      const answer = await request('GET', new URL(`/api/v1/files/${this.result.fileId}`, this.gateway), {
        localAddress: this.address, timeoutMs: 60000, sink: (chunk) => { bytes += chunk.length; hash.update(chunk); },
      });
      if (answer.status !== 200) return this.fail(`download: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
      this.result.downloadedSha256 = hash.digest('hex');
      this.result.downloadMs = Date.now() - started;
      if (bytes !== size) this.differ(`download: ${bytes} bytes, ${size} expected`);
      else if (this.result.downloadedSha256 !== this.result.sha256) this.differ(`download: sha256 ${this.result.downloadedSha256} differs from the ${this.result.sha256} sent`);
      else this.result.result = 'ok';
    } catch (e) {
      this.fail(`download: ${e.message}`);
    }
  }
}

const uploads = Array.from({ length: count }, (_, i) => new Upload(i));

// The declared uploads' SHA-256, before the clock starts (the generator run once over each).
const hashingStarted = Date.now();
for (const upload of uploads.filter((u) => u.declared)) upload.expectedSha256 = upload.content.sha256();
log(`${count} uploads of ${size} bytes at ${rate || 'unlimited'} bytes/s each through ${gateways.join(', ')}, from ${addressOf(0)} … ${addressOf(count - 1)}` +
  ` (SHA-256 of the ${uploads.filter((u) => u.declared).length} declared ones computed in ${((Date.now() - hashingStarted) / 1000).toFixed(1)} s)`);

// Stopped from outside (scripts/load's deadline or ^C): abort every upload not ended, so no lease waits for its timeout.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    log(`${signal}: aborting the uploads not ended`);
    await Promise.race([Promise.all(uploads.filter((u) => !u.result.result).map((u) => u.abort())), pause(5000)]);
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  });
}
const t0 = Date.now();
// How late this process's timers ran: large delays would mean the client, not the cluster, held the bytes back.
const loopResolutionMs = 10;
const loopDelay = monitorEventLoopDelay({ resolution: loopResolutionMs });
loopDelay.enable();
const progress = setInterval(() => {
  const done = uploads.filter((u) => u.result.result).length;
  const acked = uploads.reduce((s, u) => s + u.acked, 0);
  const firstAcks = uploads.filter((u) => u.result.firstAckMs !== undefined).length;
  const refusals = {};
  for (const u of uploads) for (const [r, n] of Object.entries(u.refusals)) refusals[r] = (refusals[r] ?? 0) + n;
  log(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${done} ended, ${firstAcks} acknowledged, ${(acked / 2 ** 20).toFixed(0)} MiB committed of ` +
    `${((count * size) / 2 ** 20).toFixed(0)}; refusals ${JSON.stringify(refusals)}`);
}, 10000);
await Promise.all(uploads.map((u) => u.settle()));
const uploadSeconds = (Date.now() - t0) / 1000;
loopDelay.disable();
clearInterval(progress);
log(`uploads ended after ${uploadSeconds.toFixed(1)} s; downloading ${uploads.filter((u) => u.result.result === 'uploaded').length} files to compare`);

// Downloads after every upload ended (so they do not weigh on the uploads measured), a few at a time.
const toVerify = uploads.filter((u) => u.result.result === 'uploaded');
await Promise.all(Array.from({ length: Math.max(1, downloadParallel) }, async () => {
  for (let u = toVerify.shift(); u; u = toVerify.shift()) {
    if (Date.now() < deadline) await u.verify();
    else u.fail('download: deadline passed');
  }
}));

// Figures.
const results = uploads.map((u) => u.result);
if (options.results) {
  const out = createWriteStream(options.results);
  for (const r of results) out.write(JSON.stringify(r) + '\n');
  await new Promise((resolve) => out.end(resolve));
}
const percentile = (values, p) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const seconds = (ms) => (ms === null ? null : Math.round(ms) / 1000);
const spread = (list) => {
  const values = list.filter((v) => v !== undefined);
  return { p50: seconds(percentile(values, 50)), max: seconds(percentile(values, 100)) };
};
const tally = (list) => list.reduce((t, k) => ((t[k] = (t[k] ?? 0) + 1), t), {});
const ok = results.filter((r) => r.result === 'ok');
const firstAcks = results.filter((r) => r.firstAckMs !== undefined).map((r) => r.firstAckMs);
const totals = ok.map((r) => r.totalMs);
const refusals = {};
for (const r of results) for (const [reason, n] of Object.entries(r.refusals ?? {})) refusals[reason] = (refusals[reason] ?? 0) + n;
const summary = {
  uploads: count, bytes: size, rate, gateways, ok: ok.length, failed: count - ok.length,
  differed: results.filter((r) => r.differed).length,
  firstAckSeconds: { p50: seconds(percentile(firstAcks, 50)), p95: seconds(percentile(firstAcks, 95)), max: seconds(percentile(firstAcks, 100)),
    never: count - firstAcks.length, overLimit: firstAcks.filter((ms) => ms > firstAckMaxMs).length + (count - firstAcks.length), limit: firstAckMaxMs / 1000 },
  completionSeconds: { p50: seconds(percentile(totals, 50)), max: seconds(percentile(totals, 100)) },
  // Where the first ack's time goes: the create (POST) and the first `ready` after it, both from the create's start.
  createSeconds: spread(results.map((r) => r.createMs)), readySeconds: spread(results.map((r) => r.readyMs)),
  // … the first message written to the socket (its pace is the rate), and what the server took from there to the ack.
  firstChunkSentSeconds: spread(results.map((r) => r.firstChunkSentMs)),
  firstAckAfterSentSeconds: spread(results.filter((r) => r.firstAckMs !== undefined && r.firstChunkSentMs !== undefined)
    .map((r) => r.firstAckMs - r.firstChunkSentMs)),
  refusals, reconnects: results.reduce((s, r) => s + (r.reconnects ?? 0), 0),
  // Why each failed, without what differs between uploads (ids, hashes, offsets), so that alike failures count together.
  failures: tally(results.filter((r) => r.result !== 'ok').map((r) => (r.why ?? 'unknown').replace(/ at \d+ of \d+ bytes$/, '')
    .replace(/[0-9a-f]{64}/g, '…').replace(/(?<![\w-])[\w-]{22}(?![\w-])/g, '…'))),
  placedOn: tally(results.map((r) => r.node ?? 'not created')),
  completedOn: tally(ok.map((r) => r.completeNode)),
  uploadSeconds: Math.round(uploadSeconds * 10) / 10, seconds: Math.round((Date.now() - t0) / 100) / 10,
  // While the uploads ran, beyond the sampling interval (which the histogram includes).
  clientLoopDelayMs: Object.fromEntries([['p50', loopDelay.percentile(50)], ['p99', loopDelay.percentile(99)], ['max', loopDelay.max]]
    .map(([k, ns]) => [k, Math.max(0, Math.round((ns / 1e6 - loopResolutionMs) * 10) / 10)])),
  clientCpuSeconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e5) / 10, // this process, hashing included
};

const row = (...cells) => console.log(cells.map((c, i) => String(c ?? '-').padEnd(i === 0 ? 36 : 12)).join(' ').trimEnd());
console.log();
row('uploads', 'ok', 'failed', 'differed', 'reconnects');
row(`${count} × ${size} B at ${rate} B/s`, summary.ok, summary.failed, summary.differed, summary.reconnects);
row('first ack (s)', 'p50', 'p95', 'max', `> ${firstAckMaxMs / 1000} s`, 'never');
row('', summary.firstAckSeconds.p50, summary.firstAckSeconds.p95, summary.firstAckSeconds.max, summary.firstAckSeconds.overLimit, summary.firstAckSeconds.never);
row('(s)', 'p50', 'max');
row('create to complete', summary.completionSeconds.p50, summary.completionSeconds.max);
row('create answered', summary.createSeconds.p50, summary.createSeconds.max);
row('create to first ready', summary.readySeconds.p50, summary.readySeconds.max);
row('create to first chunk sent', summary.firstChunkSentSeconds.p50, summary.firstChunkSentSeconds.max);
row('first chunk sent to its ack', summary.firstAckAfterSentSeconds.p50, summary.firstAckAfterSentSeconds.max);
row('placed on', ...Object.entries(summary.placedOn).map(([k, v]) => `${k}: ${v}`));
for (const [reason, n] of Object.entries(refusals).sort((a, b) => b[1] - a[1])) row(`refused / dropped: ${reason}`, n);
for (const [why, n] of Object.entries(summary.failures).sort((a, b) => b[1] - a[1])) row(`failed: ${why}`, n);
console.log(JSON.stringify(summary));
process.exit(summary.failed === 0 ? 0 : 1);
