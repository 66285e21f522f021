// The loopback + disk reference: a minimal HTTP server that streams each request body to a file in DIR and fsyncs it
// before answering. Anything else any upload server does costs on top of this.
//   node sink-server.mjs <port> <dir>
// PUT or POST /upload → 201 {"file":"<name in DIR>","bytes":N}. GET /healthz → 200 (readiness).
import { createServer } from 'node:http';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const [portArg, dir] = process.argv.slice(2);
if (!portArg || !dir) {
  console.error('usage: node sink-server.mjs <port> <dir>');
  process.exit(2);
}
let count = 0;

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.end('ok');
    return;
  }
  if ((req.method !== 'PUT' && req.method !== 'POST') || !req.url.startsWith('/upload')) {
    res.writeHead(404).end();
    return;
  }
  const name = `upload-${++count}.bin`;
  let handle;
  try {
    handle = await open(join(dir, name), 'w');
    let bytes = 0;
    req.on('data', (chunk) => { bytes += chunk.length; });
    await pipeline(req, handle.createWriteStream({ autoClose: false, highWaterMark: 1 << 20 }));
    await handle.sync();
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ file: name, bytes }));
  } catch (error) {
    console.error(`sink: ${name}: ${error.message}`);
    if (!res.headersSent) res.writeHead(500).end(error.message);
  } finally {
    await handle?.close();
  }
});
server.requestTimeout = 0; // large bodies: no whole-request deadline (the driver bounds each upload)
server.listen(Number(portArg), '127.0.0.1', () => console.log(`sink listening on 127.0.0.1:${portArg}, writing to ${dir}`));
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
