// Samples the cluster's silos while one timed upload runs, for benchmarks/run's object-store paths:
//   node sampler.mjs --out FILE [--interval-ms 200] [--nodes-url URL/api/v1/cluster/nodes] NAME:PID:SCRATCH_DIR …
// Every --interval-ms: each silo's resident set (VmRSS of /proc/PID/status) and the size of its scratch directory (the
// apparent size of every file under it, what `du -sb` counts less the directories' own entries); every second, the
// gateway's view of each node's leased bytes and sessions (GET /api/v1/cluster/nodes; the snapshot a node last published).
// On SIGTERM or SIGINT it writes one JSON object to --out and exits:
//   {"samples":N,"intervalMs":200,"silos":{"silo-1":{"peakRssKiB","peakScratchBytes","peakScratchFiles","peakLeased",
//    "peakSessions","rssAtStartKiB"}}}
// A process that is gone is skipped, not an error (the benchmark itself checks that its servers stay alive).
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { positionals, values: o } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, 'interval-ms': { type: 'string', default: '200' }, 'nodes-url': { type: 'string' } },
});
if (!o.out || positionals.length === 0) {
  console.error('usage: node sampler.mjs --out FILE [--interval-ms N] [--nodes-url URL] NAME:PID:SCRATCH_DIR …');
  process.exit(2);
}
const interval = Number(o['interval-ms']);
const silos = positionals.map((spec) => {
  const [name, pid, ...dir] = spec.split(':');
  return { name, pid: Number(pid), dir: dir.join(':'), peakRssKiB: 0, peakScratchBytes: 0, peakScratchFiles: 0, peakLeased: 0, peakSessions: 0, rssAtStartKiB: undefined };
});

function rssKiB(pid) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

// Apparent bytes and number of files under dir (recursively), as `du -sb` counts files.
function scratch(dir) {
  let bytes = 0, files = 0;
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return { bytes, files }; }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    try {
      if (entry.isDirectory()) {
        const inner = scratch(path);
        bytes += inner.bytes; files += inner.files;
      } else {
        bytes += statSync(path).size; files += 1;
      }
    } catch { /* removed between readdir and stat */ }
  }
  return { bytes, files };
}

let samples = 0;
function sample() {
  samples += 1;
  for (const silo of silos) {
    const rss = rssKiB(silo.pid);
    if (rss !== undefined) {
      silo.rssAtStartKiB ??= rss;
      silo.peakRssKiB = Math.max(silo.peakRssKiB, rss);
    }
    const { bytes, files } = scratch(silo.dir);
    silo.peakScratchBytes = Math.max(silo.peakScratchBytes, bytes);
    silo.peakScratchFiles = Math.max(silo.peakScratchFiles, files);
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function pollNodes() {
  if (!o['nodes-url']) return;
  const request = http.get(o['nodes-url'], { agent, timeout: 900 }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d) => { text += d; });
    res.on('end', () => {
      try {
        const body = JSON.parse(text);
        for (const node of Array.isArray(body) ? body : body.nodes ?? []) {
          const silo = silos.find((s) => s.name === node.node);
          if (!silo) continue;
          silo.peakLeased = Math.max(silo.peakLeased, node.leased ?? 0);
          silo.peakSessions = Math.max(silo.peakSessions, node.sessions ?? 0);
        }
      } catch { /* a partial answer: the next poll counts */ }
    });
  });
  request.on('timeout', () => request.destroy());
  request.on('error', () => {});
}

sample();
pollNodes();
console.log('ready'); // benchmarks/run waits for this line before it starts the timed upload
const timers = [setInterval(sample, interval), setInterval(pollNodes, 1000)];

function finish() {
  for (const timer of timers) clearInterval(timer);
  sample();
  const result = { samples, intervalMs: interval, silos: {} };
  for (const { name, pid, dir, ...peaks } of silos) result.silos[name] = peaks;
  writeFileSync(o.out, `${JSON.stringify(result)}\n`);
  agent.destroy();
  process.exit(0);
}
process.once('SIGTERM', finish);
process.once('SIGINT', finish);
