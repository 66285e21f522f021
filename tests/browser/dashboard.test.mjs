// The Orleans dashboard in Debian's headless Chromium against a running gateway (GATEWAY_URL): an operator finds a node's
// budget grain in Grain Details and reads its headroom and leases, finds an upload session's offset, reservation, node
// and state the same way, and sees the budget among the silo's counters. The screenshot path is printed as "artifact: ...".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const gatewayUrl = process.env.GATEWAY_URL;
const artifactDir = path.resolve(process.env.BROWSER_ARTIFACTS ?? path.join(here, '..', '..', 'artifacts', 'browser'));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MiB = 1024 * 1024;

let workDir;
let context;

before(async () => {
  assert.ok(gatewayUrl, 'set GATEWAY_URL to the running gateway, e.g. GATEWAY_URL=http://127.0.0.1:5000');
  workDir = await mkdtemp(path.join(tmpdir(), 'ddx-dashboard-'));
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

const nodesNow = async () => (await fetch(new URL('/api/v1/cluster/nodes', gatewayUrl))).json();

/** Grain Details: picks the grain type, types the id, asks, and returns the state the dashboard shows (parsed). */
async function inspect(page, grainType, grainId, expectedText) {
  await page.goto(new URL('/dashboard/#/grainDetails', gatewayUrl).href, { waitUntil: 'domcontentloaded' });
  const select = page.locator('select.form-control');
  await page.waitForFunction((type) => [...document.querySelectorAll('select.form-control option')].some((o) => o.value === type),
    grainType, { timeout: 15_000 });
  await select.selectOption(grainType);
  await page.locator('input[placeholder="Grain Id"]').fill(grainId);
  await page.locator('input[value="Show Details"]').click();
  const state = page.locator('pre', { hasText: expectedText });
  await state.waitFor({ timeout: 15_000 });
  return JSON.parse(await state.textContent()).GetState;
}

test('Grain Details shows a node budget grain with its headroom and leases, and a session with its terms', async () => {
  const [node] = await nodesNow();
  const createdResponse = await fetch(new URL('/api/v1/uploads', gatewayUrl), {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ fileName: 'dashboard.bin', size: 10 * MiB }),
  });
  assert.equal(createdResponse.status, 201);
  const created = await createdResponse.json();
  const page = await context.newPage();
  try {
    const before = await nodesNow();
    const budget = await inspect(page, 'DirectDriveX.Grains.Budget.MemoryBudgetGrain', node.nodeId, 'HeadroomBytes');
    const after = await nodesNow();

    // The figures are the node's: its name and fixed figures exactly; its headroom moves with the host's memory between
    // the reads, so it must lie within what the cluster API reported around it (give or take 256 MiB).
    const figures = budget.Figures;
    const around = [...before, ...after].filter((n) => n.nodeId === node.nodeId);
    assert.deepEqual([figures.NodeName, figures.ReserveBytes, figures.TotalBytes], [node.node, node.reserve, node.total]);
    const low = Math.min(...around.map((n) => n.headroom)) - 256 * MiB;
    const high = Math.max(...around.map((n) => n.headroom)) + 256 * MiB;
    assert.ok(figures.HeadroomBytes > 0 && figures.HeadroomBytes >= low && figures.HeadroomBytes <= high,
      `dashboard headroom ${figures.HeadroomBytes} outside [${low}, ${high}]`);
    console.log(`dashboard: node ${figures.NodeName} headroom ${figures.HeadroomBytes} bytes, ${budget.Leases.length} lease(s)`);
    const lease = budget.Leases.find((l) => l.SessionId === created.uploadId);
    assert.ok(lease, `the upload's lease is listed: ${JSON.stringify(budget.Leases)}`);
    assert.equal(lease.Bytes, created.reservedBytes);
    assert.ok(Date.parse(lease.ExpiresAt) > Date.now(), 'the lease expires in the future');

    const session = await inspect(page, 'DirectDriveX.Grains.Sessions.UploadSessionGrain', created.uploadId, 'ReservedBytes');
    assert.deepEqual([session.State, session.CommittedOffset, session.ReservedBytes, session.LeaseNodeName, session.Size],
      ['Reserved', 0, created.reservedBytes, created.node, 10 * MiB]);
    await mkdir(artifactDir, { recursive: true });
    const file = path.join(artifactDir, 'dashboard-grain-details.png');
    await page.screenshot({ path: file, fullPage: true });
    console.log(`artifact: ${file}`);
  } finally {
    await page.close();
    await fetch(new URL(`/api/v1/uploads/${created.uploadId}`, gatewayUrl), { method: 'DELETE', headers: { 'Upload-Token': created.resumeToken } });
  }
});

test('the silo counters carry the budget figures', async () => {
  const [node] = await nodesNow();
  const page = await context.newPage();
  try {
    await page.goto(new URL(`/dashboard/#/host/${node.nodeId}/counters`, gatewayUrl).href, { waitUntil: 'domcontentloaded' });
    for (const name of ['directdrivex.budget.headroom', 'directdrivex.budget.leased', 'directdrivex.budget.reserve'])
      await page.getByText(name, { exact: true }).first().waitFor({ timeout: 20_000 });
  } finally {
    await page.close();
  }
});
