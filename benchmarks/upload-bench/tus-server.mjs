// A stock tus server: @tus/server 2.x with @tus/file-store, as its README sets it up, on 127.0.0.1.
//   node tus-server.mjs <port> <dir>
// Uploads go to /files; @tus/file-store keeps each upload's bytes in DIR/<id> (and its metadata in DIR/<id>.json).
// GET /healthz → 200 (readiness). @tus/file-store does not fsync and the server computes no checksum.
import { createServer } from 'node:http';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

const [portArg, dir] = process.argv.slice(2);
if (!portArg || !dir) {
  console.error('usage: node tus-server.mjs <port> <dir>');
  process.exit(2);
}
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.end('ok');
    return;
  }
  tus.handle(req, res);
});
server.requestTimeout = 0; // one PATCH may carry the whole file (the driver bounds each upload)
server.listen(Number(portArg), '127.0.0.1', () => console.log(`tus listening on 127.0.0.1:${portArg}/files, storing in ${dir}`));
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
