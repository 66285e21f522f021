// tus-js-client (npm) against the gateway's tus endpoint; run by Interop/TusJsClientTests.cs.
//   node tus-upload.mjs MODE BASE_URL SIZE
// MODE: upload | empty (SIZE 0) | deferred (a stream of unknown length, uploadLengthDeferred) | drop (abort mid-body, resume from the stored upload URL) | parallel (parallelUploads: 4)
//       | checksum (every PATCH carries a wrong Upload-Checksum) | retry (prints {"event":"retrying",...} on each refusal
//       it retries, and succeeds once room appears).
// The last stdout line is a JSON report: {url, size, sha256, ...}; the test downloads the file and compares.
import tus from 'tus-js-client';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const [mode, base, sizeText] = process.argv.slice(2);
const size = Number(sizeText);
const endpoint = new URL('/files/', base).toString();
const data = randomBytes(size);
const sha256 = createHash('sha256').update(data).digest('hex');
const report = (extra) => console.log(JSON.stringify({ mode, size, sha256, ...extra }));

function upload(options) {
  return new Promise((resolve, reject) => {
    const u = new tus.Upload(options.source ?? data, {
      endpoint,
      metadata: { filename: `tus-${mode}.bin`, filetype: 'application/x-tus-test' },
      retryDelays: [0, 200, 500, 1000, 1000, 2000, 2000, 5000],
      ...options,
      onSuccess: () => resolve(u),
      onError: (error) => reject(Object.assign(error, { upload: u })),
    });
    if (options.start !== false) u.start();
    if (options.onCreated) options.onCreated(u);
  });
}

async function head(url) {
  const response = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
  return Number(response.headers.get('upload-offset'));
}

switch (mode) {
  case 'upload':
  case 'empty': { // empty: SIZE 0; tus-js-client creates the upload and, having no byte to send, reports success at once
    const u = await upload({});
    report({ url: u.url });
    break;
  }
  case 'drop': {
    // A TCP proxy in front of the gateway cuts the first PATCH's connection after a third of the file: a real drop, at a
    // known point. tus-js-client (no retries) reports the error; a new Upload resumes from the stored upload URL alone.
    const target = new URL(base);
    let cut = false;
    const proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port), target.hostname);
      let patchBytes = -1;
      client.on('data', (chunk) => {
        if (!cut && patchBytes < 0 && chunk.toString('latin1', 0, 6) === 'PATCH ') patchBytes = 0;
        if (!cut && patchBytes >= 0) {
          patchBytes += chunk.length;
          if (patchBytes > size / 3) { cut = true; server.write(chunk); client.destroy(); server.destroy(); return; }
        }
        server.write(chunk);
      });
      server.on('data', (chunk) => client.write(chunk));
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
    });
    await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const viaProxy = `http://127.0.0.1:${proxy.address().port}/files/`;
    let storedUrl = null;
    try {
      await upload({ endpoint: viaProxy, retryDelays: null, onUploadUrlAvailable: function () { storedUrl = this.url; } });
      console.error('finished although the connection was cut');
      process.exit(3);
    } catch (error) {
      storedUrl = error.upload.url;
    }
    proxy.close();
    const direct = new URL(new URL(storedUrl).pathname, base).toString();
    // The node commits what arrived before the cut once it sees the connection end; wait for that (up to 10 s).
    let offset = 0;
    for (let attempt = 0; attempt < 500 && offset === 0; attempt++) {
      offset = await head(direct);
      if (offset === 0) await new Promise((r) => setTimeout(r, 20));
    }
    let resumedFrom = -1;
    const u = await upload({ uploadUrl: direct, onProgress: (sent) => { if (resumedFrom < 0) resumedFrom = sent; } });
    report({ url: u.url, storedUrl: direct, offsetAfterDrop: offset, resumedFrom, cut });
    break;
  }
  case 'deferred': {
    // A pipe of unknown length (a recorder): POST with Upload-Defer-Length: 1, PATCHes of 4 MiB, and the length sent with
    // the PATCH that ends the stream.
    const { Readable } = await import('node:stream');
    const pieces = [];
    for (let at = 0; at < size; at += 1000003) pieces.push(data.subarray(at, Math.min(size, at + 1000003)));
    const u = await upload({ source: Readable.from(pieces), uploadLengthDeferred: true, chunkSize: 4 * 1024 * 1024 });
    report({ url: u.url });
    break;
  }
  case 'parallel': {
    const u = await upload({ parallelUploads: 4 });
    report({ url: u.url, partials: u._parallelUploadUrls ?? null });
    break;
  }
  case 'checksum': {
    const wrong = createHash('sha1').update('not these bytes').digest('base64');
    try {
      await upload({ headers: { 'Upload-Checksum': `sha1 ${wrong}` }, retryDelays: null });
      report({ error: null });
    } catch (error) {
      const status = error.originalResponse ? error.originalResponse.getStatus() : null;
      const url = error.upload.url;
      report({ url, status, offsetAfter: url ? await head(url) : null });
    }
    break;
  }
  case 'retry': {
    let refusals = 0;
    const u = await upload({
      onShouldRetry: (error, attempt, options) => {
        const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        const retryAfter = error.originalResponse ? error.originalResponse.getHeader('Retry-After') : null;
        refusals++;
        console.log(JSON.stringify({ event: 'retrying', status, retryAfter, attempt }));
        return status === 503;
      },
    });
    report({ url: u.url, refusals });
    break;
  }
  default:
    console.error(`unknown mode ${mode}`);
    process.exit(64);
}
