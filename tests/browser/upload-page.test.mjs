// The upload page in Debian's headless Chromium against a running gateway (GATEWAY_URL, e.g. http://127.0.0.1:5000):
// a generated file goes through the page, the download link gives back the same bytes, a dropped connection resumes,
// and the cluster panel shows a bar per node. The screenshot path is printed as "artifact: ...".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const gatewayUrl = process.env.GATEWAY_URL;
const artifactDir = path.resolve(process.env.BROWSER_ARTIFACTS ?? path.join(here, '..', '..', 'artifacts', 'browser'));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MiB = 1024 * 1024;
const uploadDeadlineMs = Number(process.env.UPLOAD_DEADLINE_MS ?? 180_000);
// Where the upload counters are scraped: the gateway (which hosts the silo in the embedded default), or every silo.
const metricsUrls = (process.env.METRICS_URLS ?? (gatewayUrl ? new URL('/metrics', gatewayUrl).href : ''))
  .split(',').map((url) => url.trim()).filter(Boolean);

let workDir;
let context;

/** Writes `bytes` pseudo-random bytes to a new file, 1 MiB at a time; returns its path and SHA-256. */
async function generateFile(name, bytes) {
  const file = path.join(workDir, name);
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < bytes; written += MiB) {
      const piece = randomBytes(Math.min(MiB, bytes - written));
      hash.update(piece);
      await handle.write(piece);
    }
  } finally {
    await handle.close();
  }
  return { file, size: bytes, sha256: hash.digest('hex') };
}

/** Downloads `href` from the gateway, streaming: its length and SHA-256. */
async function download(href) {
  const response = await fetch(new URL(href, gatewayUrl));
  assert.equal(response.status, 200, `GET ${href}`);
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of response.body) {
    hash.update(piece);
    size += piece.length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Sums each named counter over every metrics endpoint (all label sets). */
async function scrapeCounters(names) {
  const sums = Object.fromEntries(names.map((name) => [name, 0]));
  for (const url of metricsUrls) {
    const response = await fetch(url);
    assert.equal(response.status, 200, `GET ${url}`);
    for (const line of (await response.text()).split('\n')) {
      const sample = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/);
      if (sample && sample[1] in sums) sums[sample[1]] += Number(sample[2]);
    }
  }
  return sums;
}

const UPLOAD_COUNTERS = ['directdrivex_upload_started_total', 'directdrivex_upload_completed_total',
  'directdrivex_upload_received_bytes_total'];

/** Opens the page with its console and errors echoed into the test output. */
async function openPage() {
  const page = await context.newPage();
  page.on('console', (message) => { if (message.type() === 'error') console.log(`[page console] ${message.text()}`); });
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  page.on('requestfailed', (request) => {
    if (!request.url().includes('/ws/upload/')) console.log(`[request failed] ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  await page.goto(gatewayUrl, { waitUntil: 'domcontentloaded' });
  return page;
}

/** Waits until the upload item for `fileName` is done or failed; fails with the page's own words. */
async function waitForUpload(page, fileName) {
  const item = page.locator('#upload-list li.upload', { hasText: fileName });
  await item.waitFor({ state: 'attached', timeout: 10_000 });
  await page.waitForFunction(
    (name) => [...document.querySelectorAll('#upload-list li.upload')]
      .some((li) => li.querySelector('.file-name').textContent === name && ['done', 'failed'].includes(li.dataset.state)),
    fileName, { timeout: uploadDeadlineMs, polling: 250 });
  const state = await item.getAttribute('data-state');
  const status = await item.locator('.upload-status').textContent();
  assert.equal(state, 'done', `upload of ${fileName} ended ${state}: ${status}`);
  return item;
}

async function screenshot(page, name) {
  await mkdir(artifactDir, { recursive: true });
  const file = path.join(artifactDir, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`artifact: ${file}`);
}

before(async () => {
  assert.ok(gatewayUrl, 'set GATEWAY_URL to the running gateway, e.g. GATEWAY_URL=http://127.0.0.1:5000');
  workDir = await mkdtemp(path.join(tmpdir(), 'ddx-browser-'));
  context = await chromium.launchPersistentContext(path.join(workDir, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await context?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

test('the cluster panel shows a headroom bar for every node', async () => {
  const page = await openPage();
  try {
    const bars = page.locator('#node-list .node .node-bar');
    await bars.first().waitFor({ timeout: 15_000 });
    const nodes = await (await fetch(new URL('/api/v1/cluster/nodes', gatewayUrl))).json();
    const expected = (Array.isArray(nodes) ? nodes : nodes.nodes).length;
    await page.waitForFunction((n) => document.querySelectorAll('#node-list .node-bar').length === n, expected, { timeout: 10_000 });
    const label = await bars.first().getAttribute('aria-label');
    assert.match(label, /headroom .+ leased .+ reserve/);
    console.log(`cluster panel: ${expected} node bar(s); first: ${label}`);
  } finally {
    await page.close();
  }
});

test('files chosen together and a file dropped on the page upload and download byte-identical', async () => {
  const mib = Number(process.env.UPLOAD_TEST_MIB ?? 40);
  const original = await generateFile(`page-upload-${mib}MiB.bin`, mib * MiB);
  const second = await generateFile('page-upload-3MiB.bin', 3 * MiB + 12345);
  // The dropped file is made inside the page (a drop carries no path); its bytes follow a formula node can repeat.
  const droppedSize = 2 * MiB + 7;
  const droppedBytes = Buffer.alloc(droppedSize);
  for (let i = 0; i < droppedSize; i++) droppedBytes[i] = (i * 31 + 7) & 0xff;
  const dropped = { name: 'page-dropped.bin', size: droppedSize, sha256: createHash('sha256').update(droppedBytes).digest('hex') };

  const countersBefore = await scrapeCounters(UPLOAD_COUNTERS);
  const page = await openPage();
  try {
    const started = performance.now();
    await page.setInputFiles('#file-input', [original.file, second.file]);
    const dataTransfer = await page.evaluateHandle(({ name, size }) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
      return transfer;
    }, dropped);
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });

    const uploads = [
      { ...original, name: path.basename(original.file) },
      { ...second, name: path.basename(second.file) },
      dropped,
    ];
    for (const upload of uploads) {
      const item = await waitForUpload(page, upload.name);
      const hashLine = await item.locator('.upload-hash').textContent();
      assert.match(hashLine, new RegExp(`SHA-256 verified ✓ ${upload.sha256}`), hashLine);
      upload.href = await item.locator('a.download').getAttribute('href');
      upload.node = await item.locator('.node-name').textContent();
      upload.figures = await item.locator('.upload-figures').textContent();
    }
    const seconds = (performance.now() - started) / 1000;
    await page.locator('#node-list .node-bar').first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'upload-page.png');

    for (const upload of uploads) {
      const downloaded = await download(upload.href);
      assert.equal(downloaded.size, upload.size, upload.name);
      assert.equal(downloaded.sha256, upload.sha256, upload.name);
      console.log(`${upload.name}: ${upload.size} bytes ${upload.node}, ${upload.figures}; download sha256 ${downloaded.sha256} matches`);
    }
    const total = uploads.reduce((sum, upload) => sum + upload.size, 0);
    console.log(`${uploads.length} files, ${total} bytes through the page in ${seconds.toFixed(1)} s`);

    // The uploads moved the counters (other uploads may run at the same time, so "at least").
    const countersAfter = await scrapeCounters(UPLOAD_COUNTERS);
    const moved = Object.fromEntries(UPLOAD_COUNTERS.map((name) => [name, countersAfter[name] - countersBefore[name]]));
    console.log(`metrics moved (${metricsUrls.join(', ')}): ${JSON.stringify(moved)}`);
    assert.ok(moved.directdrivex_upload_started_total >= uploads.length, JSON.stringify(moved));
    assert.ok(moved.directdrivex_upload_completed_total >= uploads.length, JSON.stringify(moved));
    assert.ok(moved.directdrivex_upload_received_bytes_total >= total, JSON.stringify(moved));
  } finally {
    await page.close();
  }
});

test('an upload whose connection drops resumes by itself and completes', async () => {
  const original = await generateFile('page-resume-8MiB.bin', 8 * MiB);
  const page = await openPage();
  // Every state the item goes through, with its status line, as the page shows them.
  const states = [];
  await page.exposeFunction('reportUploadState', (state, status) => states.push(`${state}: ${status}`));
  await page.evaluate(() => new MutationObserver((records) => {
    for (const { target } of records) window.reportUploadState(target.dataset.state, target.querySelector('.upload-status').textContent);
  }).observe(document.getElementById('upload-list'), { subtree: true, attributes: true, attributeFilter: ['data-state'] }));
  let connections = 0;
  let dropped = false;
  // Sit between the page and the gateway: forward everything, and cut the first connection after its second ack.
  await page.routeWebSocket(/\/ws\/upload\//, (socket) => {
    connections++;
    const server = socket.connectToServer();
    let acks = 0;
    socket.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      socket.send(message);
      if (!dropped && typeof message === 'string' && JSON.parse(message).type === 'ack' && ++acks === 2) {
        dropped = true;
        server.close({ code: 1000, reason: 'test drops the connection' });
        socket.close({ code: 1006, reason: 'connection dropped by the test' });
      }
    });
  });
  try {
    await page.setInputFiles('#file-input', original.file);
    const item = await waitForUpload(page, path.basename(original.file));
    assert.ok(dropped, 'the test dropped a connection');
    assert.equal(connections, 2, 'one reconnection');
    assert.ok(states.some((s) => /^reconnecting: Connection lost/.test(s)), `states: ${states.join(' | ')}`);
    assert.ok(states.some((s) => /^uploading: Resuming at [1-9]/.test(s)), `states: ${states.join(' | ')}`);
    await screenshot(page, 'upload-page-resumed.png');

    const downloaded = await download(await item.locator('a.download').getAttribute('href'));
    assert.equal(downloaded.size, original.size);
    assert.equal(downloaded.sha256, original.sha256);
    console.log(`resumed after a drop: ${states.filter((s) => /^(reconnecting|uploading: Resuming)/.test(s)).join(' → ')}; download sha256 matches`);
  } finally {
    await page.close();
  }
});

test('refusals are shown in words with what to do (503 no headroom, 413 too large)', async () => {
  // The gateway's refusals need a full cluster or a 10 GiB file; here the create call is answered with the
  // gateway's problem+json shapes so that the page's wording is what is under test.
  const small = await generateFile('page-refused.bin', 64 * 1024);
  const page = await openPage();
  const answers = [
    { status: 503, headers: { 'Retry-After': '20' }, body: { type: 'about:blank', title: 'No headroom', status: 503,
      detail: 'No node has 13107 bytes of headroom right now.', reason: 'InsufficientHeadroom' } },
    { status: 413, body: { type: 'about:blank', title: 'File too large', status: 413,
      detail: 'size: 65536 bytes is over the maximum of 32768 bytes.', reason: 'FileTooLarge' } },
  ];
  await page.route('**/api/v1/uploads', (route) => {
    const answer = answers.shift();
    return route.fulfill({ status: answer.status, headers: answer.headers,
      contentType: 'application/problem+json', body: JSON.stringify(answer.body) });
  });
  try {
    await page.setInputFiles('#file-input', small.file);
    const busy = page.locator('#upload-list li.upload[data-state="failed"]').first();
    await busy.waitFor({ timeout: 20_000 });
    const busyText = await busy.locator('.upload-status').textContent();
    assert.match(busyText, /No node in the cluster has enough free memory/);
    assert.match(busyText, /retry in about 20 s/);
    assert.equal(await busy.locator('button.retry').isVisible(), true);

    await busy.locator('button.retry').click(); // the second answer: too large
    await page.waitForFunction(() => /too large/.test(document.querySelector('#upload-list li.upload')?.textContent ?? ''),
      null, { timeout: 20_000 });
    const tooLarge = await page.locator('#upload-list li.upload .upload-status').first().textContent();
    assert.match(tooLarge, /This file \(64\.0 KiB\) is too large for this cluster\. The limit is 32\.0 KiB\./);
    assert.equal(await page.locator("#upload-list li.upload button.retry").first().isVisible(), false, "no retry for a file over the limit");
    await screenshot(page, 'upload-page-refused.png');
  } finally {
    await page.close();
  }
});

test('an API key entered on the page goes with the upload start; one the gateway does not know is refused in words', async () => {
  const original = await generateFile('page-api-key.bin', 256 * 1024);
  const page = await openPage();
  const sent = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/v1/uploads')) sent.push(request.headers().authorization ?? null);
  });
  try {
    await page.locator('details.api-key summary').click();
    await page.locator('#api-key-input').fill('not-a-key-of-this-gateway');
    await page.setInputFiles('#file-input', original.file);
    const refused = page.locator('#upload-list li.upload[data-state="failed"]').first();
    await refused.waitFor({ timeout: 20_000 });
    assert.match(await refused.locator('.upload-status').textContent(), /did not accept the API key[\s\S]*Enter your API key/);
    assert.deepEqual(sent, ['Bearer not-a-key-of-this-gateway']);

    await page.locator('#api-key-input').fill(''); // this gateway needs none (Auth:Mode None)
    await refused.locator('button.retry').click();
    const item = await waitForUpload(page, path.basename(original.file));
    assert.equal(sent.at(-1), null);
    assert.equal((await download(await item.locator('a.download').getAttribute('href'))).sha256, original.sha256);
  } finally {
    await page.close();
  }
});

test('a browser that cannot hash without reading whole files says so, and the upload still completes', async () => {
  const original = await generateFile('page-no-hash.bin', MiB + 1);
  const page = await context.newPage();
  await page.addInitScript(() => { delete window.Worker; }); // a browser without Web Workers
  await page.goto(gatewayUrl, { waitUntil: 'domcontentloaded' });
  try {
    assert.match(await page.locator('#hash-support').textContent(), /This browser cannot compute SHA-256 without reading whole files into memory/);
    await page.setInputFiles('#file-input', original.file);
    const item = await waitForUpload(page, path.basename(original.file));
    const hashLine = await item.locator('.upload-hash').textContent();
    assert.match(hashLine, new RegExp(`SHA-256 not checked in this browser: this browser has no Web Workers\\. The cluster stored ${original.sha256}\\.`));
    const downloaded = await download(await item.locator('a.download').getAttribute('href'));
    assert.equal(downloaded.sha256, original.sha256);
  } finally {
    await page.close();
  }
});

test('cancelling an upload aborts its session on the cluster', async () => {
  const original = await generateFile('page-cancel-40MiB.bin', 40 * MiB);
  const page = await openPage();
  // Hold back the gateway's acks so that the upload is surely still under way when Cancel is pressed.
  let held = 0;
  await page.routeWebSocket(/\/ws\/upload\//, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (typeof message === 'string' && JSON.parse(message).type === 'ack') held++;
      else socket.send(message);
    });
  });
  try {
    const created = page.waitForResponse((response) => response.url().endsWith('/api/v1/uploads') && response.request().method() === 'POST');
    await page.setInputFiles('#file-input', original.file);
    const session = await (await created).json();
    const item = page.locator('#upload-list li.upload', { hasText: path.basename(original.file) });
    await item.locator('.node-name', { hasText: 'on ' }).waitFor({ timeout: 30_000 }); // the session is open
    await page.waitForFunction(() => /Uploading in/.test(document.querySelector('#upload-list li.upload .upload-status')?.textContent ?? ''));
    await item.locator('button.cancel').click();

    await page.waitForFunction(() => document.querySelector('#upload-list li.upload')?.dataset.state === 'failed', null, { timeout: 20_000 });
    assert.equal(await item.locator('.upload-status').textContent(), 'Upload cancelled.');
    assert.equal(await item.locator('button.retry').isVisible(), false);
    // The page asked the gateway to abort: the session ends Aborted (its lease released), not left to expire.
    const deadline = Date.now() + 10_000;
    let state;
    do {
      const response = await fetch(new URL(`/api/v1/uploads/${session.uploadId}`, gatewayUrl), { headers: { 'Upload-Token': session.resumeToken } });
      state = (await response.json()).state;
    } while (state !== 'Aborted' && Date.now() < deadline && (await new Promise((resolve) => setTimeout(resolve, 200, true))));
    assert.equal(state, 'Aborted');
    console.log(`cancelled with ${held} ack(s) held back; the session is ${state}`);
  } finally {
    await page.close();
  }
});
