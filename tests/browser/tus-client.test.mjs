// tus-js-client's browser build, in Debian's headless Chromium, uploads a file to the gateway's tus endpoint (/files/)
// from a page of the gateway's own origin; the stored file downloads back with the same bytes and SHA-256.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const gatewayUrl = process.env.GATEWAY_URL;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const tusBuild = path.join(here, 'node_modules', 'tus-js-client', 'dist', 'tus.min.js');
let browser;

before(async () => {
  assert.ok(gatewayUrl, 'GATEWAY_URL is required (tests/browser/run sets it)');
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
});

test('tus-js-client in the browser uploads a file to /files/ and it downloads byte-identical', async () => {
  const page = await browser.newPage();
  await page.goto(gatewayUrl);
  await page.addScriptTag({ path: tusBuild });
  const size = 6 * 1024 * 1024 + 321;
  // The page makes the bytes (a fixed pattern), uploads them with tus-js-client in 1 MiB PATCHes, and reports the URL.
  const result = await page.evaluate(async (size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 10)) & 0xff;
    const file = new File([bytes], 'from-the-browser.bin', { type: 'application/octet-stream' });
    return await new Promise((resolve, reject) => {
      const upload = new window.tus.Upload(file, {
        endpoint: '/files/',
        chunkSize: 1024 * 1024,
        metadata: { filename: file.name, filetype: file.type },
        retryDelays: [0, 500, 1000],
        onError: (e) => reject(String(e)),
        onSuccess: () => resolve({ url: upload.url }),
      });
      upload.start();
    });
  }, size);

  const fileId = new URL(result.url, gatewayUrl).pathname.split('/').pop().split('.')[0]; // Location may be relative
  const expected = new Uint8Array(size);
  for (let i = 0; i < size; i++) expected[i] = (i * 31 + (i >> 10)) & 0xff;
  const sha256 = createHash('sha256').update(expected).digest('hex');

  const meta = await (await fetch(new URL(`/api/v1/files/${fileId}/meta`, gatewayUrl))).json();
  assert.deepEqual([meta.fileName, meta.size, meta.sha256], ['from-the-browser.bin', size, sha256]);
  const body = Buffer.from(await (await fetch(new URL(`/api/v1/files/${fileId}`, gatewayUrl))).arrayBuffer());
  assert.equal(createHash('sha256').update(body).digest('hex'), sha256);
  await page.close();
});
