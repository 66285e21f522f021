// A client that does what a resuming uploader must when the cluster under it loses a process: it uploads FILE over the
// WebSocket protocol (README "The protocol") and, whenever the connection ends without `complete`, reconnects — through
// the next gateway of --gateways, round robin — until the server's `ready` names the offset to continue from. A
// retryable refusal (1013 / NodeUnavailable, BuffersExhausted, …) or a refused connection means: try again shortly.
// It writes one JSON line per event to stdout, with `t` in milliseconds since the epoch, for scripts/chaos to read:
//   {"event":"created","uploadId","node","size"}     {"event":"progress","offset","percent"}  (every 5%)
//   {"event":"dropped","offset","why"}               {"event":"resumed","offset","gateway","attempts"}
//   {"event":"complete","fileId","node","sha256"}    exit 0 when the server's SHA-256 is the file's
// Any other refusal, a SHA-256 mismatch or the deadline ends it with exit code 1 and {"event":"failed","why"}.
//   node resuming-upload.mjs --gateways URL[,URL…] --file PATH --sha256 HEX [--deadline-seconds 600]
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: options } = parseArgs({
  options: {
    gateways: { type: 'string' },
    file: { type: 'string' },
    sha256: { type: 'string' },
    'deadline-seconds': { type: 'string', default: '600' },
  },
});
const gateways = options.gateways.split(',');
const deadline = Date.now() + Number(options['deadline-seconds']) * 1000;
const emit = (event, fields = {}) => process.stdout.write(JSON.stringify({ event, t: Date.now(), ...fields }) + '\n');
const fail = (why) => { emit('failed', { why }); process.exit(1); };
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const size = (await stat(options.file)).size;
const file = await open(options.file, 'r');
let gatewayIndex = 0;

async function create() {
  while (Date.now() < deadline) {
    const base = gateways[gatewayIndex % gateways.length];
    try {
      const response = await fetch(new URL('/api/v1/uploads', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fileName: basename(options.file), size, sha256: options.sha256 }),
      });
      if (response.status === 201) return response.json();
      if (response.status !== 503) fail(`create: ${response.status} ${await response.text()}`);
    } catch {
      // the gateway is down: try the next one
    }
    gatewayIndex++;
    await pause(500);
  }
  fail('create: deadline passed');
}

/** One connection: resolves with {complete} or {dropped, why}; rejects on a refusal the client cannot act on. */
function connect(created) {
  const base = new URL(gateways[gatewayIndex % gateways.length]);
  const url = `ws://${base.host}/ws/upload/${created.uploadId}?token=${encodeURIComponent(created.resumeToken)}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
    let sent = 0, acked = 0, window = 0, chunkSize = 0, ready = false, sending = false, settled = false, nextReport = 0;
    const settle = (result) => { if (!settled) { settled = true; resolve(result); } };
    const pump = async () => {
      if (sending) return;
      sending = true;
      try {
        while (socket.readyState === WebSocket.OPEN && sent < size && sent - acked < window) {
          const length = Math.min(chunkSize, size - sent);
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
        ready = true;
        sent = acked = message.offset;
        window = message.window;
        chunkSize = message.chunkSize;
        emit(message.offset === 0 && !created.resumed ? 'connected' : 'resumed', { offset: message.offset, gateway: base.origin });
        created.resumed = true;
        nextReport = Math.floor((acked / size) * 20) / 20 + 0.05;
        pump();
      } else if (message.type === 'ack') {
        acked = message.offset;
        if (acked / size >= nextReport) {
          emit('progress', { offset: acked, percent: Math.round((acked / size) * 1000) / 10 });
          nextReport = Math.floor((acked / size) * 20) / 20 + 0.05;
        }
        pump();
      } else if (message.type === 'complete') {
        settle({ complete: message });
      } else if (message.type === 'error') {
        if (message.retryable) settle({ dropped: true, offset: acked, why: message.reason });
        else { settled = true; reject(new Error(`${message.reason}: ${message.message}`)); }
      }
    });
    socket.on('close', (code) => settle({ dropped: true, offset: acked, why: ready ? `closed ${code}` : `not ready, closed ${code}` }));
    socket.on('error', (e) => settle({ dropped: true, offset: acked, why: e.message }));
  });
}

const created = await create();
emit('created', { uploadId: created.uploadId, node: created.node, size });
let attempts = 0;
while (Date.now() < deadline) {
  let result;
  try {
    result = await connect(created);
  } catch (e) {
    fail(e.message);
  }
  if (result.complete) {
    const done = result.complete;
    if (done.sha256 !== options.sha256) fail(`sha256 ${done.sha256}, expected ${options.sha256}`);
    emit('complete', { fileId: done.fileId, node: done.node, sha256: done.sha256, attempts });
    await file.close();
    process.exit(0);
  }
  if (!result.why.startsWith('not ready')) emit('dropped', { offset: result.offset, why: result.why });
  attempts++;
  gatewayIndex++;
  await pause(250);
}
fail('deadline passed');
