// tus-js-client (npm) against the gateway's tus endpoint; run by Interop/TusJsClientTests.cs.
//   node tus-upload.mjs MODE BASE_URL SIZE
// MODE: upload | empty (SIZE 0) | deferred (a stream of unknown length, uploadLengthDeferred) | drop (abort mid-body, resume from the stored upload URL) | parallel (parallelUploads: 4)
//       | fingerprint (resume from the URL storage by fingerprint) | checksum-hook (Upload-Checksum added by onBeforeRequest)
//       | unfinished (partial uploads by tus-js-client, the final upload created before they finish)
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
  case 'fingerprint': {
    // Resume by fingerprint: the first Upload stores its URL in a URL storage and stops after its first 1 MiB chunk; a new
    // Upload of the same file finds it there (findPreviousUploads) and resumes from the server's offset.
    const stored = [];
    const urlStorage = {
      findAllUploads: async () => stored.slice(),
      findUploadsByFingerprint: async (fingerprint) => stored.filter((u) => u.fingerprint === fingerprint),
      removeUpload: async (key) => { const at = stored.findIndex((u) => u.urlStorageKey === key); if (at >= 0) stored.splice(at, 1); },
      addUpload: async (fingerprint, upload) => { const key = `tus::${fingerprint}::${stored.length}`; stored.push({ ...upload, fingerprint, urlStorageKey: key }); return key; },
    };
    const fingerprint = async () => `ddx-${sha256}`;
    let firstUrl = null;
    await new Promise((resolve, reject) => {
      const first = new tus.Upload(data, {
        endpoint, urlStorage, fingerprint, chunkSize: 1024 * 1024, storeFingerprintForResuming: true, removeFingerprintOnSuccess: true,
        onChunkComplete: () => { firstUrl = first.url; first.abort().then(resolve, reject); },
        onError: reject, onSuccess: () => reject(new Error('finished although it was stopped')),
      });
      first.start();
    });
    const second = new tus.Upload(data, { endpoint, urlStorage, fingerprint, chunkSize: 4 * 1024 * 1024, removeFingerprintOnSuccess: true });
    const previous = await second.findPreviousUploads();
    if (previous.length !== 1) { console.error(`found ${previous.length} previous uploads`); process.exit(3); }
    second.resumeFromPreviousUpload(previous[0]);
    let resumedFrom = -1;
    await new Promise((resolve, reject) => {
      second.options.onProgress = (sent) => { if (resumedFrom < 0) resumedFrom = sent; };
      second.options.onSuccess = resolve;
      second.options.onError = reject;
      second.start();
    });
    report({ url: second.url, firstUrl, resumedFrom, storedAfter: stored.length });
    break;
  }
  case 'checksum-hook': {
    // Checksums through a custom header hook: onBeforeRequest adds Upload-Checksum (sha1 of the chunk the PATCH carries,
    // found from its Upload-Offset and the chunk size) to every PATCH.
    const chunkSize = 1024 * 1024;
    let checksummedPatches = 0;
    const u = await upload({
      chunkSize,
      onBeforeRequest: (req) => {
        if (req.getMethod() !== 'PATCH') return;
        const offset = Number(req.getHeader('Upload-Offset'));
        const chunk = data.subarray(offset, Math.min(size, offset + chunkSize));
        req.setHeader('Upload-Checksum', `sha1 ${createHash('sha1').update(chunk).digest('base64')}`);
        checksummedPatches++;
      },
    });
    report({ url: u.url, checksummedPatches });
    break;
  }
  case 'unfinished': {
    // concatenation-unfinished: four partial uploads by tus-js-client (Upload-Concat: partial), whose PATCHes wait in
    // onBeforeRequest until the final upload has been created (and its HEAD shows no Upload-Offset); then they upload, and
    // the final upload completes on its own once the last one is done.
    const parts = 4;
    const bounds = Array.from({ length: parts }, (_, i) => [Math.floor((size * i) / parts), Math.floor((size * (i + 1)) / parts)]);
    let release;
    const released = new Promise((resolve) => { release = resolve; });
    const urls = new Array(parts);
    let created = 0;
    let allCreated;
    const allUrls = new Promise((resolve) => { allCreated = resolve; });
    const uploads = new Array(parts);
    const partials = bounds.map(([start, end], i) => upload({
      source: data.subarray(start, end),
      headers: { 'Upload-Concat': 'partial' },
      metadata: {},
      onCreated: (u) => { uploads[i] = u; },
      onUploadUrlAvailable: () => { urls[i] = uploads[i].url; if (++created === parts) allCreated(); },
      onBeforeRequest: (req) => (req.getMethod() === 'PATCH' ? released : undefined),
    }));
    await allUrls;
    const response = await fetch(endpoint, { method: 'POST', headers: { 'Tus-Resumable': '1.0.0', 'Upload-Concat': `final;${urls.join(' ')}` } });
    if (response.status !== 201) { console.error(`final: ${response.status} ${await response.text()}`); process.exit(4); }
    const final = new URL(response.headers.get('location'), endpoint).toString();
    const before = await fetch(final, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    release();
    await Promise.all(partials);
    let offset = null;
    for (let attempt = 0; attempt < 600 && offset === null; attempt++) {
      const head = await fetch(final, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
      offset = head.headers.get('upload-offset');
      if (offset === null) await new Promise((r) => setTimeout(r, 50));
    }
    if (Number(offset) !== size) { console.error(`final upload offset ${offset}`); process.exit(5); }
    report({ url: final, partials: urls, offsetBefore: before.headers.get('upload-offset'), lengthBefore: before.headers.get('upload-length') });
    break;
  }
  default:
    console.error(`unknown mode ${mode}`);
    process.exit(64);
}
