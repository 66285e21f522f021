// The peer on Azure Blob Storage: @tus/server 2 with @tus/azure-store 2.0.2, as its README sets it up, on 127.0.0.1.
//   node tus-azure-server.mjs <port> <container> (the connection string in AZURE_STORAGE_CONNECTION_STRING)
// @tus/azure-store builds its endpoint from its account options as https://ACCOUNT.blob.core.windows.net (no way to
// point it at Azurite), so it is given a ContainerClient built from the connection string instead (its `client` option).
// Each upload is one append blob named by its tus id: every PATCH body is collected in memory, then sent as one Append
// Block (Azure and Azurite accept at most 100 MiB per block, so one PATCH must not carry more), then the blob's metadata
// (the offset) is set. The container is created at start. GET /healthz → 200 (readiness).
import { createServer } from 'node:http';
import { ContainerClient } from '@azure/storage-blob';
import { AzureStore } from '@tus/azure-store';
import { Server } from '@tus/server';

const [portArg, container] = process.argv.slice(2);
const connectionString = process.env.AZURE_STORAGE_CONNECTION_STRING;
if (!portArg || !container || !connectionString) {
  console.error('usage: AZURE_STORAGE_CONNECTION_STRING=… node tus-azure-server.mjs <port> <container>');
  process.exit(2);
}
const client = new ContainerClient(connectionString, container);
await client.createIfNotExists();
const tus = new Server({ path: '/files', datastore: new AzureStore({ client }) });
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.end('ok');
    return;
  }
  tus.handle(req, res);
});
server.requestTimeout = 0; // the driver bounds each upload
server.listen(Number(portArg), '127.0.0.1', () => console.log(`tus (azure) listening on 127.0.0.1:${portArg}/files, storing in container ${container} at ${client.url}`));
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
