#!/usr/bin/env node
// Starts a local object store in this very process (so its PID is the store's, and SIGTERM or SIGKILL of that PID is
// the store's end), on 127.0.0.1, with a data directory of its own, for scripts/cluster-up and CI:
//   s3     s3rver 3.7.1 (an S3 API; path-style requests, account S3RVER/S3RVER), the bucket created at start
//   azure  Azurite 3.35.0's blob service only (the well-known devstoreaccount1 account, --loose, --skipApiVersionCheck,
//          no telemetry), the container left for the client to create (FileStore__AzureBlob__CreateContainer=true)
// Once it answers, it prints the FileStore settings a silo or gateway needs to use it, one KEY=VALUE a line (unquoted,
// as docker's --env-file reads them), and writes the same lines to --settings-file (atomically, so a reader never sees half a
// file; removed at start, so the file's presence means "this run is listening"). FileStore__RootDirectory is not among
// them: each process has a scratch directory of its own.
//
//   node launch.mjs s3|azure --dir DIR [--port N] [--host 127.0.0.1] [--bucket NAME] [--prefix P] [--settings-file FILE]
//                   [--max-seconds N] [--quiet]
//   --port 0 (the default) lets the system choose a free port; cluster-up passes a fixed one, so that a restarted
//   store answers where the silos already look. --max-seconds (default 14400; 0 = no limit) bounds the store's life:
//   it stops by itself then, whoever forgot it. --quiet: no access log. SIGTERM/SIGINT: a graceful close, then exit.
//
// Known limits of the emulators (the .NET stores must not rely on these): s3rver 3.7.1 answers ListParts and
// AbortMultipartUpload with 405 and has no UploadPartCopy; Azurite does not check request rates or sizes like Azure does.
import { createRequire } from "node:module";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import http from "node:http";

const require = createRequire(import.meta.url);

const S3RVER_KEY = "S3RVER"; // s3rver's only account: access key and secret are both S3RVER

function usage(message) {
  if (message) console.error(`launch.mjs: ${message}`);
  console.error("usage: node launch.mjs s3|azure --dir DIR [--port N] [--host H] [--bucket NAME] [--prefix P] [--settings-file FILE] [--max-seconds N] [--quiet]");
  process.exit(2);
}

function parseArgs(argv) {
  const [kind, ...rest] = argv;
  if (kind !== "s3" && kind !== "azure") usage(`unknown store '${kind ?? ""}'`);
  const options = { kind, host: "127.0.0.1", port: 0, bucket: "ddx-uploads", prefix: "", maxSeconds: 14400, quiet: false };
  for (let i = 0; i < rest.length; i++) {
    const name = rest[i];
    const value = () => {
      if (i + 1 >= rest.length) usage(`${name} needs a value`);
      return rest[++i];
    };
    switch (name) {
      case "--dir": options.dir = resolve(value()); break;
      case "--host": options.host = value(); break;
      case "--port": options.port = Number(value()); break;
      case "--bucket": case "--container": options.bucket = value(); break;
      case "--prefix": options.prefix = value(); break;
      case "--settings-file": options.envFile = resolve(value()); break;
      case "--max-seconds": options.maxSeconds = Number(value()); break;
      case "--quiet": options.quiet = true; break;
      default: usage(`unknown option ${name}`);
    }
  }
  if (!options.dir) usage("--dir is required");
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) usage("--port must be 0..65535");
  if (!Number.isFinite(options.maxSeconds) || options.maxSeconds < 0) usage("--max-seconds must be >= 0");
  // Both S3 bucket and Azure container names: 3-63 characters of a-z, 0-9 and '-', starting with a letter or digit.
  if (!/^[a-z0-9][a-z0-9-]{2,62}$/.test(options.bucket)) usage(`'${options.bucket}' is not a valid bucket or container name`);
  return options;
}

function log(message) {
  console.log(`[${new Date().toISOString().slice(11, 19)}] object-store: ${message}`);
}

async function startS3(options) {
  const S3rver = require("s3rver");
  const server = new S3rver({
    address: options.host,
    port: options.port,
    directory: join(options.dir, "s3rver"),
    silent: options.quiet,
    configureBuckets: [{ name: options.bucket }],
  });
  const address = await server.run();
  const endpoint = `http://${options.host}:${address.port}`;
  const settings = [
    ["FileStore__Kind", "S3"],
    ["FileStore__S3__ServiceUrl", endpoint],
    ["FileStore__S3__Region", "us-east-1"],
    ["FileStore__S3__Bucket", options.bucket],
    ["FileStore__S3__Prefix", options.prefix],
    ["FileStore__S3__ForcePathStyle", "true"],
    ["FileStore__S3__AccessKey", S3RVER_KEY],
    ["FileStore__S3__SecretKey", S3RVER_KEY],
    ["FileStore__S3__CreateBucket", "true"],
  ];
  return { endpoint, probe: `${endpoint}/${options.bucket}`, settings, close: () => server.close() };
}

async function startAzure(options) {
  const azurite = dirname(require.resolve("azurite/package.json"));
  const BlobConfiguration = require(join(azurite, "dist/src/blob/BlobConfiguration.js")).default;
  const BlobServer = require(join(azurite, "dist/src/blob/BlobServer.js")).default;
  const constants = require(join(azurite, "dist/src/blob/utils/constants.js"));
  const Logger = require(join(azurite, "dist/src/common/Logger.js"));
  // The well-known development account, as Azurite itself defines it: devstoreaccount1 and the public key
  // Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==.
  const common = require(join(azurite, "dist/src/common/utils/constants.js"));
  const account = common.EMULATOR_ACCOUNT_NAME;
  const accountKey = common.EMULATOR_ACCOUNT_KEY.toString("base64");
  const location = join(options.dir, "azurite");
  mkdirSync(location, { recursive: true });
  Logger.configLogger(false); // no debug log
  // What azurite-blob --location DIR --loose --skipApiVersionCheck --disableTelemetry does, without its telemetry and
  // without a second process: BlobServerFactory's Loki configuration, with the extents under DIR/__blobstorage__.
  const persistence = [{ ...constants.DEFAULT_BLOB_PERSISTENCE_ARRAY[0], locationPath: join(location, constants.DEFAULT_BLOB_PERSISTENCE_PATH) }];
  const config = new BlobConfiguration(
    options.host, options.port, constants.DEFAULT_BLOB_KEEP_ALIVE_TIMEOUT,
    join(location, constants.DEFAULT_BLOB_LOKI_DB_PATH), join(location, constants.DEFAULT_BLOB_EXTENT_LOKI_DB_PATH),
    persistence,
    !options.quiet, undefined, // access log on stdout unless --quiet
    false, undefined, // no debug log
    true, // loose
    true, // skipApiVersionCheck
  );
  const server = new BlobServer(config);
  await server.start();
  const port = server.httpServer.address().port;
  const endpoint = `http://${options.host}:${port}/${account}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${accountKey};BlobEndpoint=${endpoint};`;
  const settings = [
    ["FileStore__Kind", "AzureBlob"],
    ["FileStore__AzureBlob__ConnectionString", connectionString],
    ["FileStore__AzureBlob__Container", options.bucket],
    ["FileStore__AzureBlob__Prefix", options.prefix],
    ["FileStore__AzureBlob__CreateContainer", "true"],
  ];
  // Any answer (a 4xx for an unsigned request included) means it listens and serves HTTP.
  return { endpoint, probe: `${endpoint}?comp=list`, settings, close: () => server.close() };
}

// Resolves once GET url gets any HTTP answer.
function probe(url) {
  return new Promise((resolvePromise, reject) => {
    const request = http.get(url, { timeout: 2000 }, response => { response.resume(); resolvePromise(response.statusCode); });
    request.on("timeout", () => request.destroy(new Error(`no answer from ${url} within 2 s`)));
    request.on("error", reject);
  });
}

function writeEnvFile(file, lines) {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, lines.map(line => `${line}\n`).join(""));
  renameSync(temporary, file);
}

const options = parseArgs(process.argv.slice(2));
if (options.envFile) rmSync(options.envFile, { force: true });
mkdirSync(options.dir, { recursive: true });

let store;
try {
  store = options.kind === "s3" ? await startS3(options) : await startAzure(options);
  const status = await probe(store.probe);
  log(`${options.kind} store listens on ${store.endpoint} (GET ${store.probe}: ${status}), data in ${options.dir}, pid ${process.pid}`);
} catch (error) {
  console.error(`object-store: could not start the ${options.kind} store: ${error?.stack ?? error}`);
  process.exit(1);
}

// The settings: a Prefix only when one was given (an empty value would still be a setting).
const lines = store.settings.filter(([, value]) => value !== "").map(([key, value]) => `${key}=${value}`);
for (const line of lines) console.log(line);
if (options.envFile) writeEnvFile(options.envFile, lines);

let stopping = false;
async function stop(reason) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${reason})`);
  // A close waits for open connections; past 10 s the process ends regardless.
  setTimeout(() => { log("close took over 10 s: exiting"); process.exit(0); }, 10_000).unref();
  try { await store.close(); } catch (error) { log(`close failed: ${error?.message ?? error}`); }
  if (options.envFile) rmSync(options.envFile, { force: true });
  log("stopped");
  process.exit(0);
}
process.once("SIGTERM", () => stop("SIGTERM"));
process.once("SIGINT", () => stop("SIGINT"));
if (options.maxSeconds > 0) setTimeout(() => stop(`--max-seconds ${options.maxSeconds} reached`), options.maxSeconds * 1000).unref();
