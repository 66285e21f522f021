// An independent client of the gateway's WebSocket upload protocol, written against PROTOCOL.md with the npm `ws`
// package (not the .NET client the other tests use). Run by NpmWebSocketClientTests:
//   node ws-upload.mjs <gateway base url, e.g. http://127.0.0.1:8080> <size in bytes>
// It creates an upload over HTTP, sends random data over the WebSocket with at most the reservation unacknowledged,
// checks the acks, the completion, the normal close and the downloaded bytes, then checks that a wrong token is refused
// with an error message and close code 1008. Prints one JSON line with what it saw; exits non-zero on any mismatch.
import { createHash, randomBytes } from 'node:crypto';
import { strict as assert } from 'node:assert';
import WebSocket from 'ws';

const [base, sizeArg] = process.argv.slice(2);
const size = Number(sizeArg ?? 5 * 1024 * 1024 + 123);
const data = randomBytes(size);
const sha256 = createHash('sha256').update(data).digest('hex');

async function createUpload() {
  const response = await fetch(new URL('/api/v1/uploads', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fileName: 'from-node-ws.bin', size, sha256 }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return response.json();
}

/** Opens a socket and collects its messages; resolves { messages, code, reason } when the server closes. */
function run(url, onMessage) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages = [];
    socket.on('message', (raw, isBinary) => {
      assert.equal(isBinary, false, 'the server sends text messages only');
      const message = JSON.parse(raw.toString('utf8'));
      messages.push(message);
      onMessage?.(socket, message);
    });
    socket.on('close', (code, reason) => resolve({ messages, code, reason: reason.toString() }));
    socket.on('error', reject);
  });
}

const upload = await createUpload();
let sent = 0;
let acked = 0;
let maxUnacked = 0;
const pump = (socket) => {
  while (sent < size && sent - acked < upload.reservedBytes) {
    const end = Math.min(sent + upload.chunkSize, size);
    socket.send(data.subarray(sent, end), { binary: true });
    sent = end;
    maxUnacked = Math.max(maxUnacked, sent - acked);
  }
};
const session = await run(upload.webSocketUrl, (socket, message) => {
  if (message.type === 'ready') {
    assert.equal(message.offset, 0);
    assert.equal(message.chunkSize, upload.chunkSize);
    pump(socket);
  } else if (message.type === 'ack') {
    assert.ok(message.offset > acked, `acks increase: ${message.offset} after ${acked}`);
    acked = message.offset;
    pump(socket);
  }
});

const types = session.messages.map((m) => m.type);
const complete = session.messages.find((m) => m.type === 'complete');
assert.equal(types[0], 'ready');
assert.ok(complete, `a complete message: ${JSON.stringify(session.messages.slice(-3))}`);
assert.equal(complete.sha256, sha256);
assert.equal(complete.size, size);
assert.equal(session.code, 1000, `normal close, got ${session.code} ${session.reason}`);
assert.equal(acked, size);

const download = Buffer.from(await (await fetch(new URL(complete.downloadUrl, base))).arrayBuffer());
assert.ok(download.equals(data), 'downloaded bytes are the uploaded bytes');

const wrong = new URL(upload.webSocketUrl);
wrong.searchParams.set('token', 'not-the-token');
const refused = await run(wrong.toString());
assert.equal(refused.code, 1008, `a wrong token closes with 1008, got ${refused.code}`);
assert.equal(refused.messages.length, 1);
assert.equal(refused.messages[0].type, 'error');
assert.equal(refused.messages[0].reason, 'Unauthorized');

console.log(JSON.stringify({
  uploadId: upload.uploadId, node: complete.node, size, chunkSize: upload.chunkSize, reservedBytes: upload.reservedBytes,
  acks: types.filter((t) => t === 'ack').length, maxUnacked, closeCode: session.code,
  refusal: { code: refused.code, reason: refused.messages[0].reason },
}));
