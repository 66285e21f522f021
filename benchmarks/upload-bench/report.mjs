// Turns the benchmark's results (one JSON line per measured run, written by benchmarks/run) into the markdown table.
//   node report.mjs RESULTS.jsonl --bytes N --concurrent-bytes N --concurrency N --warmup-bytes N --runs N
//                   --clk-tck N --ws-mask zero|random --root REPO
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';

const { positionals, values: o } = parseArgs({
  allowPositionals: true,
  options: Object.fromEntries(['bytes', 'concurrent-bytes', 'concurrency', 'warmup-bytes', 'runs', 'clk-tck', 'ws-mask', 'root']
    .map((name) => [name, { type: 'string' }])),
});
const records = readFileSync(positionals[0], 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const clkTck = Number(o['clk-tck']);

const LABELS = {
  sink: 'sink: node http PUT → file, fsync at end',
  'tus-1req': 'tus: 1 request (chunkSize ∞)',
  'tus-8m': 'tus: 8 MiB chunks',
  ws: 'ours embedded: ws',
  multipart: 'ours embedded: multipart',
  put: 'ours embedded: PUT …/chunks',
  cli: 'ours embedded: cli (.NET, wall time)',
  'ours-tus': 'ours embedded: tus-js-client to /files/ (1 request)',
  'cluster-ws': 'ours cluster: ws',
  'tus-1req-x4': 'tus: 1 request each',
  'tus-8m-x4': 'tus: 8 MiB chunks',
  'ws-x4': 'ours embedded: ws',
  'cluster-ws-x4': 'ours cluster: ws',
  'tus-azure-8m': 'peer: @tus/azure-store on Azurite, 8 MiB chunks',
  'tus-azure-64m': 'peer: @tus/azure-store on Azurite, 64 MiB chunks',
  'cluster-azure-ws': 'ours cluster on Azurite: ws',
  'cluster-azure-tus-1req': 'ours cluster on Azurite: tus-js-client (1 request)',
  'cluster-azure-tus-8m': 'ours cluster on Azurite: tus-js-client (8 MiB chunks)',
  'cluster-s3-ws': 'ours cluster on s3rver: ws',
  'cluster-s3-tus-1req': 'ours cluster on s3rver: tus-js-client (1 request)',
  'cluster-azure-ws-w2': 'ours cluster on Azurite: ws, client window 2 chunks',
  'cluster-s3-ws-w2': 'ours cluster on s3rver: ws, client window 2 chunks',
  's3rver-put': 's3rver alone: one plain PUT of the file (its ceiling)',
};
const SHORT = { gateway: 'gw', 'silo-1': 's1', 'silo-2': 's2', 'silo-3': 's3', redis: 'redis', sink: 'sink', tus: 'tus', client: 'client',
  azurite: 'azurite', s3rver: 's3rver' };
// Issue 16's rows: the object stores, their peer, and the file-system cluster as the reference.
const OBJECT_ROWS = ['cluster-ws', 'tus-azure-8m', 'tus-azure-64m', 'cluster-azure-ws', 'cluster-azure-ws-w2', 'cluster-azure-tus-1req',
  'cluster-azure-tus-8m', 'cluster-s3-ws', 'cluster-s3-ws-w2', 'cluster-s3-tus-1req', 's3rver-put'];
// A baseline row (DDX_BENCH_BASELINE: the same path on another build of the cluster, in the same run) follows its own row.
const BASELINE = 'base-';
for (const row of [...OBJECT_ROWS].reverse()) {
  if (row === 'cluster-ws' || !row.startsWith('cluster-')) continue;
  LABELS[BASELINE + row] = `${LABELS[row]} (baseline build)`;
  OBJECT_ROWS.splice(OBJECT_ROWS.indexOf(row), 0, BASELINE + row);
}
const isObjectRow = (row) => OBJECT_ROWS.includes(row) && row !== 'cluster-ws';
// A row of ours run with one of DDX_BENCH_OUR_ENVS's sets of variables is ROW@NAME; it follows ROW.
const plainRow = (row) => row.replace(/@.*$/, '');
const OUR_ENV_SETS = new Map((process.env.DDX_BENCH_OUR_ENVS ?? '').split(/\s+/).filter(Boolean)
  .map((spec) => [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1).split(',')]));
const label = (row) => {
  const set = row.includes('@') ? row.slice(row.indexOf('@') + 1) : undefined;
  return LABELS[plainRow(row)] + (set ? ` · ${set} (${(OUR_ENV_SETS.get(set) ?? []).map((v) => `\`${v}\``).join(', ')})` : '');
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const mbps = (bytes, seconds) => bytes / seconds / 1e6;
const fmt = (value, digits = 0) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
const mib = (kib) => kib / 1024;

// Rows in first-seen order, each with its runs.
const rows = new Map();
for (const record of records) {
  if (!rows.has(record.row)) rows.set(record.row, []);
  rows.get(record.row).push(record);
}

function summarise(row, runs) {
  const rates = runs.map((r) => mbps(r.bytes, r.client.seconds));
  const processes = [...runs[0].servers.map((s) => s.name), 'client'];
  const perProcess = (pick) => processes.map((name) => {
    const values = runs.map((r) => (name === 'client' ? pick.client(r.client) : pick.server(r.servers.find((s) => s.name === name))))
      .filter((v) => v !== undefined);
    return { name, value: values.length ? median(values) : undefined };
  });
  return {
    row, rates, median: median(rates),
    peak: perProcess({ server: (s) => mib(s.peakKiB), client: (c) => mib(c.maxRssKiB) }),
    cpu: perProcess({ server: (s) => s.cpuTicks / clkTck, client: (c) => c.cpuSeconds }),
    idle: perProcess({ server: (s) => mib(s.idleKiB), client: () => undefined }).filter((p) => p.value !== undefined),
    downloads: runs.filter((r) => r.download).map((r) => mbps(r.download.bytes, r.download.seconds)),
    silos: runs.filter((r) => r.silos).map((r) => siloRun(r)),
    redis: runs.filter((r) => r.redis).map((r) => r.redis),
  };
}

// One run's silos: which one held the upload (the node the ws client was told, else the one with the most leased bytes,
// else the most CPU), and per silo the sampler's peaks during the timed upload with the idle RSS and CPU.
function siloRun(r) {
  const transfer = r.client.transfers?.[0] ?? {};
  const names = Object.keys(r.silos.silos);
  const cpu = (name) => r.servers.find((s) => s.name === name)?.cpuTicks ?? 0;
  const holder = names.includes(transfer.node) ? transfer.node
    : names.reduce((a, b) => ((r.silos.silos[b].peakLeased > r.silos.silos[a].peakLeased
      || (r.silos.silos[b].peakLeased === r.silos.silos[a].peakLeased && cpu(b) > cpu(a))) ? b : a));
  const perSilo = Object.fromEntries(names.map((name) => {
    const sample = r.silos.silos[name];
    const idleKiB = r.servers.find((s) => s.name === name)?.idleKiB ?? 0;
    return [name, { ...sample, idleKiB }];
  }));
  const held = perSilo[holder];
  // The lease: the reservation the ws client was given, else the largest the gateway saw the node hold.
  const lease = Math.max(transfer.reservedBytes ?? 0, held.peakLeased);
  const chunk = transfer.chunkSize ?? 8 * 1024 * 1024;
  return {
    run: r.run, store: r.store, holder, chunk, lease, tail: transfer.lastAckToCompleteSeconds,
    idle: held.idleKiB * 1024, start: held.rssAtStartKiB * 1024, peak: held.peakRssKiB * 1024,
    scratch: held.peakScratchBytes, scratchFiles: held.peakScratchFiles,
    otherScratch: Math.max(0, ...names.filter((n) => n !== holder).map((n) => perSilo[n].peakScratchBytes)),
  };
}
const summaries = new Map([...rows].map(([row, runs]) => [row, summarise(row, runs)]));

const best = (names) => {
  const candidates = names.map((n) => summaries.get(n)).filter(Boolean);
  return candidates.length ? candidates.reduce((a, b) => (b.median > a.median ? b : a)) : undefined;
};
const tusBest = best(['tus-1req', 'tus-8m']);
const tusBestX4 = best(['tus-1req-x4', 'tus-8m-x4']);

const processes = (list, digits) => list.map((p) => `${SHORT[p.name] ?? p.name} ${fmt(p.value, digits)}`).join(' · ');
const line = (s, reference) => {
  const name = label(s.row) + (s === tusBest || s === tusBestX4 ? ' **(tus best)**' : '');
  return `| ${name} | **${fmt(s.median)}** | ${s.rates.map((r) => fmt(r)).join(', ')} | `
    + `${reference ? `${fmt(s.median / reference.median, 2)}×` : '–'} | ${processes(s.peak, 0)} | ${processes(s.cpu, 2)} | `
    + `${processes(s.idle, 0)} |`;
};

const sh = (command, args) => {
  try { return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return undefined; }
};
const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m) ?? [])[1] ?? os.cpus()[0]?.model ?? '?';
const commit = sh('git', ['-C', o.root, 'rev-parse', '--short', 'HEAD']);
const dirty = sh('git', ['-C', o.root, 'status', '--porcelain', '--untracked-files=no']) ? ' + uncommitted changes' : '';
const runtime = (sh('dotnet', ['--list-runtimes']) ?? '').split('\n').find((l) => l.startsWith('Microsoft.NETCore.App'))?.split(' ')[1];
const dotnetEnv = Object.keys(process.env)
  .filter((k) => /^(FileStore|Uploads|MemoryBudget|ChunkBuffers|Gateway|Protocol|Dashboard|DataPlane|Tus|Orleans|Kestrel|Logging)__|^DOTNET_(gc|GC|Tiered|TC_|ReadyToRun)/.test(k))
  .map((k) => `\`${k}=${process.env[k]}\``);
const size = (bytes) => {
  const n = Number(bytes);
  for (const [unit, f] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]]) if (n >= f && n % f === 0) return `${n / f} ${unit}`;
  return `${n} bytes`;
};

const out = [];
out.push('### End-to-end upload results', '');
out.push(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${os.availableParallelism()} cores (nproc), `
  + `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${cpuModel} · Linux ${os.release()} · .NET ${runtime ?? '?'} · `
  + `node ${process.version} · code ${commit ?? '?'}${dirty}`, '');
out.push(`One file of ${size(o.bytes)} (${o.bytes} bytes); concurrent rows: ${o.concurrency} × ${size(o['concurrent-bytes'])} at once; `
  + `warm-up: one untimed ${size(o['warmup-bytes'])} upload + download per fresh server; ${o.runs} run(s) per path, `
  + `interleaved; medians. Every stored file's SHA-256 was verified. ws client masking key: ${o['ws-mask']}. `
  + `.NET settings from the environment: ${dotnetEnv.length ? dotnetEnv.join(', ') : 'none (defaults: FileStore:FlushToDisk=true)'}.`
  + (OUR_ENV_SETS.size ? ` Rows marked with a set name ran ours with that set's variables added (DDX_BENCH_OUR_ENVS), `
    + 'in the same interleaved rounds as the row without it.' : ''), '');
out.push('MB/s = 10⁶ bytes/s from the client\'s first request to the server\'s confirmation of the stored file (cli: the '
  + 'process\'s wall time, which includes .NET start-up and its SHA-256 pass over the file). Peak RSS: VmHWM just after '
  + 'the timed upload (it includes the warm-up); client: getrusage maxrss (cli: sampled VmHWM). CPU-s: user+system '
  + 'seconds during the timed upload. Idle RSS: right after the server was ready, before the warm-up. Processes: '
  + 'gw = gateway, s1–s3 = silos.', '');

const header = ['| Path | MB/s (median) | runs (MB/s) | × tus best | Peak RSS MiB | CPU-s | Idle RSS MiB |',
  '|---|---:|---|---:|---|---|---|'];
const objects = OBJECT_ROWS.some((o) => isObjectRow(o) && summaries.has(o))
  ? OBJECT_ROWS.flatMap((row) => [...summaries.keys()].filter((r) => plainRow(r) === row)) : [];
const single = [...summaries.values()].filter((s) => !plainRow(s.row).endsWith('-x4') && !objects.includes(s.row));
const concurrent = [...summaries.values()].filter((s) => plainRow(s.row).endsWith('-x4'));
if (single.length) {
  out.push(`#### One upload of ${size(o.bytes)}`, '', ...header, ...single.map((s) => line(s, tusBest)), '');
}
if (concurrent.length) {
  out.push(`#### ${o.concurrency} concurrent uploads of ${size(o['concurrent-bytes'])} (MB/s: all bytes / time to the last confirmation)`,
    '', ...header, ...concurrent.map((s) => line(s, tusBestX4)), '');
}

if (objects.length) {
  // Issue 16's targets: on Azurite ≥ 1.0× the peer's best (@tus/azure-store on the same Azurite), on s3rver ≥ 0.8× the
  // file-system cluster (ws).
  const peerBest = best(['tus-azure-8m', 'tus-azure-64m']);
  const fileCluster = summaries.get('cluster-ws');
  const reference = (row) => (row.replace(BASELINE, '').startsWith('cluster-azure-') || row.startsWith('tus-azure-') ? peerBest
    : row.replace(BASELINE, '').startsWith('cluster-s3-') || plainRow(row) === 'cluster-ws' || row === 's3rver-put' ? fileCluster : undefined);
  const s3rverCeiling = summaries.get('s3rver-put');
  const objectLine = (s) => {
    const ref = reference(s.row);
    const name = label(s.row) + (s === peerBest ? ' **(peer best)**' : '') + (s.row === 'cluster-ws' ? ' (file system, reference)' : '');
    const ratio = (ref && ref !== s ? `${fmt(s.median / ref.median, 2)}× ${ref === peerBest ? 'peer' : 'file'}` : (ref ? '1.00×' : '–'))
      + (s3rverCeiling && s.row.replace(BASELINE, '').startsWith('cluster-s3-') ? ` · ${fmt(s.median / s3rverCeiling.median, 2)}× s3rver PUT` : '');
    return `| ${name} | **${fmt(s.median)}** | ${s.rates.map((r) => fmt(r)).join(', ')} | ${ratio} | `
      + `${processes(s.peak, 0)} | ${processes(s.cpu, 2)} | ${processes(s.idle, 0)} |`;
  };
  out.push(`#### Object storage (issue 16): one upload of ${size(o.bytes)}`, '',
    'Ratio: Azurite rows against the peer\'s best (@tus/azure-store on the same Azurite version, target ≥ 1.00×); s3rver '
    + 'rows against the file-system cluster over ws (target ≥ 0.80×) and against s3rver\'s own ceiling (one plain PUT of the file to a fresh s3rver, when run). Every run starts its own empty store process.', '',
    '| Path | MB/s (median) | runs (MB/s) | × reference | Peak RSS MiB | CPU-s | Idle RSS MiB |',
    '|---|---:|---|---:|---|---|---|', ...objects.map((row) => objectLine(summaries.get(row))), '');

  const withSilos = objects.map((row) => summaries.get(row)).filter((s) => s.silos.length);
  if (withSilos.length) {
    const m = (b) => fmt(b / 2 ** 20);
    out.push('#### The silo holding the upload, during the timed upload', '',
      'Sampled every 200 ms (VmRSS, and the apparent size of the files in DATA/silo-N/scratch as `du -sb` counts them); '
      + 'leased: the session\'s reservation (ws: the create answer; tus: the largest the gateway\'s /api/v1/cluster/nodes '
      + 'showed, polled every second). Targets: RSS peak ≤ idle + leased; scratch ≤ 2 chunks per live upload (one '
      + 'upload here; the chunk is the one the ws client was given, and 8 MiB, the default Uploads:MaxChunkBytes and the chunk of every file from 160 MiB, for tus rows). Idle: right after start, before the warm-up; "before": after the warm-up, as the timed upload starts: the idle of a silo that has served an upload (the AWS or Azure SDK loaded, the upload path compiled), the baseline of "peak − before". '
      + 'Last ack → complete (ws): seconds from the last acknowledgement to the `complete` message, the store\'s assembly (S3 CompleteMultipartUpload, Azure Put Block List, on the file system nothing for one epoch) and the record. Per run, in run order.', '',
      '| Path | holder | idle → before → peak RSS MiB | leased MiB | peak − idle ≤ leased? | peak − before ≤ leased? | scratch peak MiB (files) | 2 chunks MiB | other silos\' scratch MiB | last ack → complete s |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...withSilos.map((s) => {
        const runs = s.silos;
        const file = runs.every((r) => r.store === 'file');
        return `| ${label(s.row)} | ${runs.map((r) => SHORT[r.holder] ?? r.holder).join(', ')} | `
          + `${runs.map((r) => `${m(r.idle)} → ${m(r.start)} → ${m(r.peak)}`).join('; ')} | ${runs.map((r) => m(r.lease)).join(', ')} | `
          + `${runs.map((r) => `${m(r.peak - r.idle)} ${r.peak - r.idle <= r.lease ? '✓' : '✗'}`).join(', ')} | `
          + `${runs.map((r) => `${m(r.peak - r.start)} ${r.peak - r.start <= r.lease ? '✓' : '✗'}`).join(', ')} | `
          + `${file ? '– (shared directory)' : runs.map((r) => `${m(r.scratch)} (${r.scratchFiles}) ${r.scratch <= 2 * r.chunk ? '✓' : '✗'}`).join(', ')} | `
          + `${file ? '–' : runs.map((r) => m(2 * r.chunk)).join(', ')} | ${file ? '–' : runs.map((r) => m(r.otherScratch)).join(', ')} | `
          + `${runs.map((r) => (r.tail === undefined ? '–' : fmt(r.tail, 2))).join(', ')} |`;
      }), '');
  }
}

const withRedis = [...summaries.values()].filter((s) => s.redis.length);
if (withRedis.length) {
  out.push('#### Redis during the timed upload (the cluster rows)', '',
    'Read from the cluster\'s redis-server before and after the timed upload (`INFO`): the bytes it received '
    + '(`total_net_input_bytes`: the session\'s state writes, its sealed pages, the clustering\'s own traffic meanwhile) and '
    + 'the EVALSHA calls (the grain storage\'s writes) with their mean time. Per run, in run order.', '',
    '| Path | bytes into Redis MB (median) | runs (MB) | EVALSHA calls | bytes per call (median) | µs per call |',
    '|---|---:|---|---|---:|---|',
    ...withRedis.map((s) => {
      const mb = s.redis.map((r) => r.inputBytes / 1e6);
      const perCall = s.redis.map((r) => (r.evalsha ? r.inputBytes / r.evalsha : NaN));
      return `| ${label(s.row)} | **${fmt(median(mb), 2)}** | ${mb.map((v) => fmt(v, 2)).join(', ')} | `
        + `${s.redis.map((r) => r.evalsha).join(', ')} | ${fmt(median(perCall))} | `
        + `${s.redis.map((r) => fmt(r.evalsha ? r.usec / r.evalsha : NaN)).join(', ')} |`;
    }), '');
}

const sink = summaries.get('sink');
const DOWNLOADS = [['ws', 'ours embedded'], ['cluster-ws', 'ours cluster'], ['cluster-azure-ws', 'ours cluster on Azurite (ws upload)'],
  ['cluster-s3-ws', 'ours cluster on s3rver (ws upload)'], ['tus-azure-8m', 'peer: @azure/storage-blob download from Azurite (8 MiB-chunk upload)']];
const downloads = DOWNLOADS.flatMap(([row, name]) => [...summaries.values()].filter((s) => plainRow(s.row) === row && s.downloads.length)
  .map((s) => [name + (s.row === row ? '' : label(s.row).slice(LABELS[row].length)), s]));
if (downloads.length) {
  out.push(`#### Download: GET /api/v1/files/{id} of the ${size(o.bytes)} file, streamed through SHA-256 by a node client`, '',
    '| Server | MB/s (median) | runs (MB/s) | × sink upload rate |', '|---|---:|---|---:|',
    ...downloads.map(([name, s]) => {
      const m = median(s.downloads);
      return `| ${name} | **${fmt(m)}** | ${s.downloads.map((r) => fmt(r)).join(', ')} | ${sink ? `${fmt(m / sink.median, 2)}×` : '–'} |`;
    }), '');
}
process.stdout.write(out.join('\n'));
