// One client floods the gateways with creates while another uploads: what issue 11 asks of fair admission.
// Fires DDX_FLOOD_CREATES creates of DDX_FLOOD_BYTES each (no byte sent), DDX_FLOOD_IN_FLIGHT at a time, spread over the
// gateways given, as one client (this machine's address, no key); samples the cluster's headroom and leases meanwhile;
// aborts what was admitted; prints one JSON line of figures. The other client's upload is run by the caller (scripts/flood).
// Usage: node flood.mjs GATEWAY_URL [GATEWAY_URL...]
const gateways = process.argv.slice(2);
const creates = Number(process.env.DDX_FLOOD_CREATES ?? 1000);
const bytes = Number(process.env.DDX_FLOOD_BYTES ?? 2 * 1024 ** 3);
const inFlight = Number(process.env.DDX_FLOOD_IN_FLIGHT ?? 32);
if (gateways.length === 0) throw new Error('usage: node flood.mjs GATEWAY_URL [GATEWAY_URL...]');

// The node list is an operator's surface: on the gateway's management port when it has one (DDX_NODES_URL, from scripts/flood).
const nodesUrl = process.env.DDX_NODES_URL ?? `${gateways[0]}/api/v1/cluster/nodes`;
const nodes = async () => (await fetch(nodesUrl, { signal: AbortSignal.timeout(5000) })).json();
const sum = (list, field) => list.reduce((total, n) => total + n[field], 0);

const before = sum(await nodes(), 'headroom');
const samples = [];
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    try {
      const list = await nodes();
      samples.push({ headroom: sum(list, 'headroom'), leases: sum(list, 'sessions') });
    } catch { /* a sample lost is not a failure */ }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
})();

const statuses = {};
const reasons = {};
const admitted = [];
let next = 0;
const started = performance.now();
async function worker(w) {
  while (next < creates) {
    const i = next++;
    const gateway = gateways[i % gateways.length];
    const response = await fetch(`${gateway}/api/v1/uploads`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ fileName: `flood-${i}.bin`, size: bytes }),
      signal: AbortSignal.timeout(30000),
    });
    const body = await response.json().catch(() => ({}));
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    if (body.reason) reasons[body.reason] = (reasons[body.reason] ?? 0) + 1;
    if (response.status === 201) admitted.push({ gateway, id: body.uploadId, token: body.resumeToken, reserved: body.reservedBytes });
  }
}
await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
const seconds = (performance.now() - started) / 1000;
await new Promise(resolve => setTimeout(resolve, 1200)); // one more snapshot age, so the samples see the flood's leases
sampling = false;
await sampler;

for (const { gateway, id, token } of admitted)
  await fetch(`${gateway}/api/v1/uploads/${id}`, { method: 'DELETE', headers: { 'Upload-Token': token } });

// Two figures: what the flood's leases take from the headroom there was (exact), and the lowest headroom the nodes
// reported meanwhile (which also moves with the silos' own memory: the flood's 1,000 refused activations among it).
const lowest = Math.min(...samples.map(s => s.headroom));
const leased = admitted.reduce((total, a) => total + a.reserved, 0);
console.log(JSON.stringify({
  creates, bytes, seconds: Number(seconds.toFixed(2)), createsPerSecond: Math.round(creates / seconds), statuses, reasons,
  admitted: admitted.length, floodLeasedBytes: leased, headroomBefore: before,
  keptPercent: Number((100 * (before - leased) / before).toFixed(1)),
  lowestHeadroom: lowest, lowestPercent: Number((100 * lowest / before).toFixed(1)),
  mostLeases: Math.max(...samples.map(s => s.leases)), samples: samples.length,
}));
