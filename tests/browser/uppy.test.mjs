// Uppy (@uppy/core + @uppy/tus from npm, bundled for the browser with esbuild here) in Debian's headless Chromium uploads a
// file to the gateway's tus endpoint (/files/) from a page of the gateway's own origin; the stored file downloads back with
// the same bytes and SHA-256.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const gatewayUrl = process.env.GATEWAY_URL;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser;
let work;
let bundle;

before(async () => {
  assert.ok(gatewayUrl, 'GATEWAY_URL is required (tests/browser/run sets it)');
  work = await mkdtemp(path.join(os.tmpdir(), 'ddx-uppy-'));
  const entry = path.join(work, 'entry.mjs');
  await writeFile(entry, "import Uppy from '@uppy/core';\nimport Tus from '@uppy/tus';\nwindow.Uppy = Uppy;\nwindow.UppyTus = Tus;\n");
  bundle = path.join(work, 'uppy.js');
  await build({ entryPoints: [entry], bundle: true, format: 'iife', outfile: bundle, nodePaths: [path.join(here, 'node_modules')], logLevel: 'error' });
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test('Uppy with @uppy/tus in the browser uploads a file to /files/ and it downloads byte-identical', async () => {
  const page = await browser.newPage();
  await page.goto(gatewayUrl);
  await page.addScriptTag({ path: bundle });
  const size = 5 * 1024 * 1024 + 77;
  // The page makes the bytes (a fixed pattern), adds them to Uppy as a file and uploads it with the tus plugin in 1 MiB PATCHes.
  const result = await page.evaluate(async (size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 17 + (i >> 12)) & 0xff;
    const uppy = new window.Uppy({ autoProceed: false }).use(window.UppyTus, { endpoint: '/files/', chunkSize: 1024 * 1024, retryDelays: [0, 500, 1000] });
    uppy.addFile({ name: 'from-uppy.bin', type: 'application/octet-stream', data: new Blob([bytes], { type: 'application/octet-stream' }) });
    const outcome = await uppy.upload();
    return { successful: outcome.successful.map((f) => f.uploadURL ?? f.tus?.uploadUrl), failed: outcome.failed.map((f) => String(f.error)) };
  }, size);

  assert.deepEqual(result.failed, []);
  assert.equal(result.successful.length, 1);
  const fileId = new URL(result.successful[0], gatewayUrl).pathname.split('/').pop().split('.')[0];
  const expected = new Uint8Array(size);
  for (let i = 0; i < size; i++) expected[i] = (i * 17 + (i >> 12)) & 0xff;
  const sha256 = createHash('sha256').update(expected).digest('hex');

  const meta = await (await fetch(new URL(`/api/v1/files/${fileId}/meta`, gatewayUrl))).json();
  assert.deepEqual([meta.fileName, meta.size, meta.sha256], ['from-uppy.bin', size, sha256]);
  const body = Buffer.from(await (await fetch(new URL(`/api/v1/files/${fileId}`, gatewayUrl))).arrayBuffer());
  assert.equal(createHash('sha256').update(body).digest('hex'), sha256);
  await page.close();
});
