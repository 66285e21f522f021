// Reads blobs back from an Azure Blob Storage container (Azurite) with @azure/storage-blob, streamed through SHA-256, and
// compares each with the uploaded file: how benchmarks/run checks what @tus/azure-store stored.
//   AZURE_STORAGE_CONNECTION_STRING=… node azure-verify.mjs --container NAME --blobs ID,ID,… --sha256 HEX --size BYTES
// Prints one JSON line like client.mjs download: {"mode":"azure-download","bytes","seconds","transfers":[{"id","bytes","seconds"}]}.
// A missing blob, a short one or a different hash ends the process with exit code 1.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ContainerClient } from '@azure/storage-blob';

const { values: o } = parseArgs({ options: { container: { type: 'string' }, blobs: { type: 'string' }, sha256: { type: 'string' }, size: { type: 'string' } } });
const connectionString = process.env.AZURE_STORAGE_CONNECTION_STRING;
try {
  if (!connectionString || !o.container || !o.blobs || !o.sha256) throw new Error('needs AZURE_STORAGE_CONNECTION_STRING, --container, --blobs and --sha256');
  const client = new ContainerClient(connectionString, o.container);
  const started = performance.now();
  const transfers = [];
  for (const id of o.blobs.split(',')) {
    const t0 = performance.now();
    const response = await client.getBlobClient(id).download();
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of response.readableStreamBody) { bytes += chunk.length; hash.update(chunk); }
    const sha256 = hash.digest('hex');
    if (o.size !== undefined && bytes !== Number(o.size)) throw new Error(`blob ${id}: ${bytes} bytes, expected ${o.size}`);
    if (sha256 !== o.sha256.toLowerCase()) throw new Error(`blob ${id}: SHA-256 MISMATCH: stored ${sha256}, uploaded ${o.sha256}`);
    transfers.push({ id, bytes, seconds: (performance.now() - t0) / 1000 });
  }
  console.log(JSON.stringify({ mode: 'azure-download', bytes: transfers.reduce((s, t) => s + t.bytes, 0), seconds: (performance.now() - started) / 1000, transfers }));
} catch (error) {
  console.error(`azure-verify: FAILED: ${error?.message ?? error}`);
  process.exit(1);
}
