// The gateway's HTTP API (see README, "HTTP API") and what its refusals mean for a person.
import { formatBytes, formatDuration } from './format.js';

/** A refusal or failure the gateway explained: the HTTP status or WebSocket close code, its reason and the words to show. */
export class UploadRefusedError extends Error {
  constructor({ status = 0, closeCode = 0, reason = '', message, advice = '', retryable = false, retryAfterSeconds = null }) {
    super(message);
    this.name = 'UploadRefusedError';
    Object.assign(this, { status, closeCode, reason, advice, retryable, retryAfterSeconds });
  }
}

const API_KEY_ITEM = 'ddx-api-key';

/** The API key this tab sends when it starts an upload (sessionStorage: it lives as long as the tab), or ''. */
export const apiKey = {
  get: () => globalThis.sessionStorage?.getItem(API_KEY_ITEM) ?? '',
  set: (key) => (key ? globalThis.sessionStorage?.setItem(API_KEY_ITEM, key) : globalThis.sessionStorage?.removeItem(API_KEY_ITEM)),
};

/** POST /api/v1/uploads → {uploadId, resumeToken, node, reservedBytes, chunkSize, webSocketUrl}; with the tab's API key, if any. */
export async function createUpload(file, sha256, signal) {
  const body = { fileName: file.name, size: file.size, contentType: file.type || 'application/octet-stream' };
  if (sha256) body.sha256 = sha256;
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const key = apiKey.get();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch('/api/v1/uploads', {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw await refusalFrom(response, file.size);
  return response.json();
}

/** GET /api/v1/uploads/{id} → state and committed offset, for resuming. */
export async function getUploadStatus(uploadId, resumeToken, signal) {
  const response = await fetch(`/api/v1/uploads/${encodeURIComponent(uploadId)}`, {
    headers: { Accept: 'application/json', 'Upload-Token': resumeToken },
    signal,
  });
  if (!response.ok) throw await refusalFrom(response);
  return response.json();
}

/** DELETE /api/v1/uploads/{id}: aborts the session and releases its reservation. */
export async function abortUpload(uploadId, resumeToken) {
  await fetch(`/api/v1/uploads/${encodeURIComponent(uploadId)}`, {
    method: 'DELETE',
    headers: { 'Upload-Token': resumeToken },
  }).catch(() => {});
}

export const downloadUrl = (fileId) => `/api/v1/files/${encodeURIComponent(fileId)}`;

/** GET /api/v1/files/{id}/meta → {fileId, fileName, size, sha256, contentType, createdAt, node, downloadUrl}. */
export async function getFileMeta(fileId, signal) {
  const response = await fetch(`${downloadUrl(fileId)}/meta`, { headers: { Accept: 'application/json' }, signal });
  if (!response.ok) throw await refusalFrom(response);
  return response.json();
}

/** GET /api/v1/cluster/nodes → one entry per silo. Accepts a bare array or {nodes: [...]}. */
export async function getClusterNodes(signal) {
  const response = await fetch('/api/v1/cluster/nodes', { headers: { Accept: 'application/json' }, signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = await response.json();
  return Array.isArray(body) ? body : body.nodes ?? [];
}

/** Reads a problem+json (or any) error response into words. */
async function refusalFrom(response, size) {
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    // not JSON: keep the status alone
  }
  const retryAfterSeconds = Number.parseInt(response.headers.get('Retry-After') ?? problem.retryAfterSeconds ?? '', 10);
  return describeRefusal({
    status: response.status,
    reason: problem.reason ?? problem.refusal ?? problem.code ?? '',
    detail: problem.detail ?? problem.message ?? problem.title ?? '',
    limit: problem.maxFileSizeBytes ?? problem.limitBytes ?? problem.limit,
    quota: problem.quota,
    expectedOffset: problem.expectedOffset,
    retryAfterSeconds: Number.isFinite(retryAfterSeconds) ? retryAfterSeconds : null,
    size,
  });
}

const normalise = (reason) => String(reason ?? '').replace(/[^a-z0-9]/gi, '').toLowerCase();

/**
 * The refusal in words with what to do, from an HTTP status or a WebSocket error message and close code.
 * Reasons are the cluster's RefusalReason names in any casing (InsufficientHeadroom, insufficient_headroom...).
 */
export function describeRefusal({ status = 0, closeCode = 0, reason, detail = '', limit, quota, retryAfterSeconds = null, size }) {
  const why = normalise(reason);
  const said = detail ? ` The server said: “${detail}”` : '';
  const common = { status, closeCode, reason: reason ?? '', retryAfterSeconds };
  if (why === 'toomanyuploads') {
    const count = quota?.limit ? ` (${quota.limit})` : '';
    return new UploadRefusedError({ ...common, retryable: true,
      message: `You already have as many uploads running as this service allows at once${count}.` + said,
      advice: 'Retry when one of them has finished.' });
  }
  if (why === 'quotaexceeded' || (status === 429 && quota?.resetsAt)) {
    const used = quota?.used != null && quota?.limit ? ` You have sent ${formatBytes(quota.used)} of ${formatBytes(quota.limit)} today.` : '';
    const reset = quota?.resetsAt ? new Date(quota.resetsAt) : null;
    return new UploadRefusedError({ ...common,
      message: 'This upload would take you past your quota for today.' + used,
      advice: reset ? `Retry after ${reset.toISOString().replace('T', ' ').replace(/:00(\.000)?Z$/, ' UTC')}, or use an API key with a larger quota.` : 'Retry tomorrow.' });
  }
  if (why === 'unauthenticated' || status === 401) {
    return new UploadRefusedError({ ...common,
      message: 'This service did not accept the API key (or needs one) to start an upload.' + said,
      advice: 'Enter your API key under “API key” above and retry; ask an operator for one.' });
  }
  if (why === 'insufficientheadroom' || status === 503 || closeCode === 1013 && why !== 'buffersexhausted') {
    const when = retryAfterSeconds ? `in about ${formatDuration(retryAfterSeconds)}` : 'in a little while';
    return new UploadRefusedError({ ...common, retryable: true,
      message: 'No node in the cluster has enough free memory to take this upload right now.' + said,
      advice: `Nothing was lost: retry ${when}, when running uploads have finished.` });
  }
  if (why === 'buffersexhausted') {
    return new UploadRefusedError({ ...common, retryable: true,
      message: 'The node is busy writing other uploads.' + said, advice: 'The page retries by itself.' });
  }
  if (why === 'filetoolarge' || status === 413) {
    const limitBytes = Number(limit) || limitFrom(detail);
    const limitText = limitBytes ? ` The limit is ${formatBytes(limitBytes)}.` : '';
    const sizeText = size ? ` (${formatBytes(size)})` : '';
    return new UploadRefusedError({ ...common,
      message: `This file${sizeText} is too large for this cluster.${limitText}`,
      advice: 'Split or compress it, or ask an operator to raise Uploads:MaxFileSizeBytes.' });
  }
  if (why === 'unauthorized' || status === 401 || status === 403 || closeCode === 1008) {
    return new UploadRefusedError({ ...common,
      message: 'The gateway did not accept this upload’s resume token.' + said, advice: 'Start the upload again.' });
  }
  if (why === 'hashmismatch') {
    return new UploadRefusedError({ ...common,
      message: 'The bytes the cluster received do not match the file’s SHA-256.' + said,
      advice: 'The file may have changed while it was uploading: upload it again.' });
  }
  if (why === 'expired') {
    return new UploadRefusedError({ ...common,
      message: 'The upload was idle too long and the cluster dropped it.' + said, advice: 'Upload the file again.' });
  }
  if (why === 'notfound' || status === 404) {
    return new UploadRefusedError({ ...common, message: 'The cluster no longer knows this upload.' + said,
      advice: 'Upload the file again.' });
  }
  if (why === 'invalidrequest' || status === 400) {
    return new UploadRefusedError({ ...common, message: 'The gateway refused the request.' + said,
      advice: 'Check the file and its name.' });
  }
  if (why === 'storagefailure' || why === 'serverfault' || status >= 500 || closeCode === 1011) {
    return new UploadRefusedError({ ...common, retryable: true,
      message: 'The server failed while handling this upload.' + said, advice: 'Retry later.' });
  }
  return new UploadRefusedError({ ...common,
    message: `The upload was refused${status ? ` (HTTP ${status})` : closeCode ? ` (close code ${closeCode})` : ''}.${said}`,
    advice: 'Retry later.' });
}

/** The limit named in a sentence such as "size: 20 bytes is over the maximum of 10737418240 bytes." */
function limitFrom(text) {
  const named = String(text).match(/(?:maximum|limit)\D{0,20}(\d+)/i);
  return named ? Number(named[1]) : 0;
}
