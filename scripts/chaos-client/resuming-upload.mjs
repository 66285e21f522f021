// A client that does what a resuming uploader must when the cluster under it loses a process: it uploads FILE over the
// WebSocket protocol (README "The protocol") and, whenever the connection ends without `complete`, reconnects — through
// the next gateway of --gateways, round robin — until the server's `ready` names the offset to continue from. A
// retryable refusal (1013 / NodeUnavailable, BuffersExhausted, …) or a refused connection means: try again shortly.
// It writes one JSON line per event to stdout, with `t` in milliseconds since the epoch, for scripts/chaos to read:
//   {"event":"created","uploadId","node","size","chunkSize","declaredSha256"}
//   {"event":"connected"|"resumed","offset","gateway","attempts"}   (the server's `ready`)
//   {"event":"at","node","state","committedOffset","attempts"}      (the node that committed a connection's first bytes)
//   {"event":"progress","offset","percent"}  (every 5%)
//   {"event":"error","reason","message","retryable","expectedOffset","offset"}  (every refusal the server sends)
//   {"event":"reconnect","reason","offset"}  (the server's `reconnect`: its node or gateway is leaving; close 1012/1001 follows)
//   {"event":"dropped","offset","why","code","reason"}
//   {"event":"complete","fileId","node","sha256","size","attempts","longestStallMs","longestAckGapMs"}  (longestStallMs:
//                                    the longest time from a lost connection to the next `ready`; longestAckGapMs: the
//                                    longest time between two acknowledgements, across reconnects, pacing included)   exit 0 when the server's SHA-256 is the file's
//                                    (the event is written either way, so the stored file can be fetched and compared)
// Any other refusal, a SHA-256 mismatch or the deadline ends it with exit code 1 and {"event":"failed","why"}.
//   node resuming-upload.mjs --gateways URL[,URL…] --file PATH --sha256 HEX [--deadline-seconds 600]
//        [--rate BYTES_PER_SECOND]   send at most this fast (each connection paces itself from its `ready`; the window
//                                    still bounds what is unacknowledged); unlimited by default
//        [--message-bytes N]         binary messages of at most N bytes (default and upper bound: the upload's chunk size)
//        [--declare-sha256 true|false]  whether the create carries --sha256 (default true); either way the `complete`
//                                    SHA-256 must be --sha256
//        [--local-address ADDR]      connect from this local address (e.g. 127.0.1.7): the cluster counts uploads per
//                                    client address, so several clients on one host each have a count of their own
import { open, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: options } = parseArgs({
  options: {
    gateways: { type: 'string' },
    file: { type: 'string' },
    sha256: { type: 'string' },
    'deadline-seconds': { type: 'string', default: '600' },
    rate: { type: 'string', default: '0' },
    'message-bytes': { type: 'string', default: '0' },
    'declare-sha256': { type: 'string', default: 'true' },
    'local-address': { type: 'string' },
  },
});
const gateways = options.gateways.split(',');
const deadline = Date.now() + Number(options['deadline-seconds']) * 1000;
const rate = Number(options.rate);
const messageBytes = Number(options['message-bytes']);
if (!['true', 'false'].includes(options['declare-sha256'])) throw new Error('--declare-sha256 is true or false');
const declareSha256 = options['declare-sha256'] === 'true';
if (!(rate >= 0) || !(messageBytes >= 0)) throw new Error('--rate and --message-bytes are numbers of bytes, 0 for none');
const emit = (event, fields = {}) => process.stdout.write(JSON.stringify({ event, t: Date.now(), ...fields }) + '\n');
const fail = (why) => { emit('failed', { why }); process.exit(1); };
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const localAddress = options['local-address'];

/** An HTTP request from --local-address (fetch cannot choose it): resolves with {status, text}. */
function request(method, url, { headers = {}, body, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, localAddress, timeout: timeoutMs }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (d) => (text += d));
      response.on('end', () => resolve({ status: response.statusCode, text }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

const size = (await stat(options.file)).size;
const file = await open(options.file, 'r');
let gatewayIndex = 0;
// How long the upload stalled at worst: from losing a connection to the `ready` of the next one that works (the time it
// could not send at all), and the longest time between two acknowledgements across reconnects (which also counts the
// pacing of --rate: a whole chunk at the rate between two acknowledgements).
let lastAckAt = null, longestAckGapMs = 0, droppedAt = null, longestStallMs = 0;
const noteAck = () => {
  const now = Date.now();
  if (lastAckAt !== null) longestAckGapMs = Math.max(longestAckGapMs, now - lastAckAt);
  lastAckAt = now;
};
const noteReady = () => {
  if (droppedAt !== null) longestStallMs = Math.max(longestStallMs, Date.now() - droppedAt);
  droppedAt = null;
};
const noteDropped = () => { if (droppedAt === null) droppedAt = Date.now(); };

async function create() {
  while (Date.now() < deadline) {
    const base = gateways[gatewayIndex % gateways.length];
    try {
      const body = { fileName: basename(options.file), size };
      if (declareSha256) body.sha256 = options.sha256;
      const { status, text } = await request('POST', new URL('/api/v1/uploads', base), {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (status === 201) return JSON.parse(text);
      if (status !== 503) fail(`create: ${status} ${text}`);
      emit('error', { reason: 'create', message: `${status} ${text}`, retryable: true });
    } catch {
      // the gateway is down: try the next one
    }
    gatewayIndex++;
    await pause(500);
  }
  fail('create: deadline passed');
}

/** Where the session lives now (a status call through the gateway just used); reported as an `at` event. */
async function reportNode(created, base, attempt) {
  try {
    const response = await request('GET', new URL(`/api/v1/uploads/${created.uploadId}`, base), {
      headers: { 'upload-token': created.resumeToken },
      timeoutMs: 5000,
    });
    const status = JSON.parse(response.text);
    emit('at', { node: status.node ?? null, state: status.state, committedOffset: status.committedOffset, attempts: attempt });
  } catch (e) {
    emit('at', { node: null, why: e.message, attempts: attempt });
  }
}

/** One connection: resolves with {complete} or {dropped, why}; rejects on a refusal the client cannot act on. */
function connect(created, attempt) {
  const base = new URL(gateways[gatewayIndex % gateways.length]);
  const url = `ws://${base.host}/ws/upload/${created.uploadId}?token=${encodeURIComponent(created.resumeToken)}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { maxPayload: 64 * 1024 * 1024, localAddress });
    let sent = 0, acked = 0, window = 0, chunkSize = 0, ready = false, sending = false, settled = false, nextReport = 0;
    let paceStart = 0, paced = 0, lastError = null, reported = false;
    const settle = (result) => { if (!settled) { settled = true; resolve(result); } };
    // With --rate: wait until sending `length` more bytes keeps this connection at or under the rate since its `ready`.
    const paceFor = async (length) => {
      if (rate <= 0) return;
      const due = paceStart + ((paced + length) / rate) * 1000;
      if (due > Date.now()) await pause(due - Date.now());
      paced += length;
    };
    const pump = async () => {
      if (sending) return;
      sending = true;
      try {
        while (socket.readyState === WebSocket.OPEN && sent < size && sent - acked < window) {
          const limit = messageBytes > 0 ? Math.min(messageBytes, chunkSize) : chunkSize;
          const length = Math.min(limit, size - sent, window - (sent - acked));
          await paceFor(length);
          if (socket.readyState !== WebSocket.OPEN) break;
          const buffer = Buffer.allocUnsafe(length);
          await file.read(buffer, 0, length, sent);
          sent += length;
          await new Promise((done, failed) => socket.send(buffer, { binary: true }, (e) => (e ? failed(e) : done())));
        }
      } catch {
        // the socket went away mid-send: the close handler reports it
      } finally {
        sending = false;
      }
    };
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(data.toString());
      if (message.type === 'ready') {
        noteReady();
        ready = true;
        sent = acked = message.offset;
        window = message.window;
        chunkSize = message.chunkSize;
        paceStart = Date.now();
        paced = 0;
        emit(message.offset === 0 && !created.resumed ? 'connected' : 'resumed', { offset: message.offset, gateway: base.origin, attempts: attempt });
        created.resumed = true;
        nextReport = Math.floor((acked / size) * 20) / 20 + 0.05;
        pump();
      } else if (message.type === 'ack') {
        // The first commit of a connection has moved the session's lease to the node that committed: ask where that is.
        if (!reported) { reported = true; reportNode(created, base, attempt); }
        acked = message.offset;
        noteAck();
        if (acked / size >= nextReport) {
          emit('progress', { offset: acked, percent: Math.round((acked / size) * 1000) / 10 });
          nextReport = Math.floor((acked / size) * 20) / 20 + 0.05;
        }
        pump();
      } else if (message.type === 'complete') {
        noteAck();
        settle({ complete: message });
      } else if (message.type === 'reconnect') {
        // The node or gateway is leaving (close 1012 / 1001 follows): reconnect, through the next gateway.
        emit('reconnect', { reason: message.reason, offset: message.offset ?? null });
      } else if (message.type === 'error') {
        lastError = message;
        emit('error', { reason: message.reason, message: message.message, retryable: message.retryable, expectedOffset: message.expectedOffset ?? null, offset: ready ? acked : null });
        if (message.retryable) settle({ dropped: true, offset: acked, why: `${message.reason}: ${message.message}` });
        else { settled = true; reject(new Error(`${message.reason}: ${message.message}`)); }
      }
    });
    socket.on('close', (code, reason) => settle({
      dropped: true, offset: acked, code, reason: reason?.toString() ?? '',
      why: (ready ? `closed ${code}` : `not ready, closed ${code}`) + (lastError ? ` after ${lastError.reason}` : ''),
    }));
    socket.on('error', (e) => settle({ dropped: true, offset: acked, why: e.message }));
  });
}

const created = await create();
emit('created', { uploadId: created.uploadId, node: created.node, size, chunkSize: created.chunkSize, declaredSha256: declareSha256 });
let attempts = 0;
while (Date.now() < deadline) {
  let result;
  try {
    result = await connect(created, attempts);
  } catch (e) {
    fail(e.message);
  }
  if (result.complete) {
    const done = result.complete;
    emit('complete', { fileId: done.fileId, node: done.node, sha256: done.sha256, size: done.size, attempts, longestStallMs, longestAckGapMs });
    if (done.sha256 !== options.sha256) fail(`the server stored sha256 ${done.sha256}, expected ${options.sha256}`);
    await file.close();
    process.exit(0);
  }
  noteDropped();
  if (!result.why.startsWith('not ready')) emit('dropped', { offset: result.offset, why: result.why, code: result.code, reason: result.reason });
  attempts++;
  gatewayIndex++;
  await pause(250);
}
fail('deadline passed');
