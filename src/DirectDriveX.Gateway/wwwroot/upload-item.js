// One file on the page: queued → uploading (⇄ reconnecting) → verifying → done | failed, with its progress bar,
// figures, SHA-256 check and download link.
import { downloadUrl, getFileMeta } from './api.js';
import { FileHasher, HashUnavailableError } from './file-hasher.js';
import { RateMeter, formatBytes, formatDuration, formatRate } from './format.js';
import { WebSocketUpload } from './upload.js';

/** How long the page waits for the browser's SHA-256 before creating the session without it (then it verifies after). */
const DECLARE_HASH_WITHIN_MS = 3000;

export class UploadItem {
  element;
  #file;
  #hasher;
  #upload = null;
  #rate = new RateMeter();
  #frame = 0;
  #parts;
  #onRetry;
  #startedAt = 0;

  constructor(file, template, onRetry) {
    this.#file = file;
    this.#onRetry = onRetry;
    this.element = template.content.firstElementChild.cloneNode(true);
    const part = (selector) => this.element.querySelector(selector);
    this.#parts = {
      name: part('.file-name'), size: part('.file-size'), node: part('.node-name'), progress: part('.upload-progress'),
      figures: part('.upload-figures'), status: part('.upload-status'), hash: part('.upload-hash'),
      download: part('.download'), retry: part('.retry'), cancel: part('.cancel'),
    };
    this.#parts.name.textContent = file.name;
    this.#parts.size.textContent = formatBytes(file.size);
    this.#parts.progress.max = Math.max(1, file.size);
    this.#parts.progress.setAttribute('aria-label', `Upload progress of ${file.name}`);
    this.#parts.status.textContent = 'Waiting for a free upload slot…';
    this.#parts.cancel.addEventListener('click', () => this.#cancel());
    this.#parts.retry.addEventListener('click', () => this.#onRetry(this.#file, this));
  }

  get state() {
    return this.element.dataset.state;
  }

  async run() {
    if (this.state === 'failed') return; // cancelled while queued
    this.#setState('uploading', 'Reserving memory on the node with the most headroom…');
    // Hashing starts with the upload, not when the file is queued: at most one worker per running upload.
    this.#hasher = new FileHasher(this.#file, (bytes) => {
      if (this.state !== 'done' && this.state !== 'failed') this.#showHashing(bytes);
    });
    const declared = await this.#hasher.within(DECLARE_HASH_WITHIN_MS);
    const upload = new WebSocketUpload(this.#file);
    this.#upload = upload;
    upload.addEventListener('session', ({ detail }) => {
      this.#startedAt = performance.now();
      this.#parts.node.textContent = `on ${detail.node ?? detail.nodeName ?? 'a node'}`;
      this.#setState('uploading', `Uploading in ${formatBytes(detail.chunkSize)} chunks, up to ${formatBytes(detail.reservedBytes)} in flight.`);
    });
    upload.addEventListener('progress', ({ detail }) => this.#showProgress(detail.committed));
    upload.addEventListener('reconnecting', ({ detail }) => {
      this.#rate.reset();
      this.#setState('reconnecting',
        `Connection lost (${detail.cause.message}). Reconnecting in ${formatDuration(detail.delayMs / 1000)} — try ${detail.attempt} of ${detail.maxAttempts}.`);
    });
    upload.addEventListener('resumed', ({ detail }) => {
      this.#showProgress(detail.offset);
      this.#setState('uploading', `Resuming at ${formatBytes(detail.offset)}.`);
    });

    try {
      const result = await upload.run(declared);
      this.#showProgress(this.#file.size);
      this.#setState('verifying', 'Upload complete; checking SHA-256…');
      await this.#verify(result, declared);
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#parts.cancel.hidden = true;
    }
  }

  async #verify(result, declared) {
    // A session that completed while the page was reconnecting is reported without its digest: ask for the file's record.
    const sha256 = result.sha256 ?? (await getFileMeta(result.fileId).catch(() => null))?.sha256;
    const server = sha256 ? String(sha256).toLowerCase() : null;
    let local;
    try {
      local = await this.#hasher.promise;
    } catch (error) {
      if (!(error instanceof HashUnavailableError)) throw error;
      this.#parts.hash.textContent = `SHA-256 not checked in this browser: ${error.message}.` +
        (server ? ` The cluster stored ${server}.` : '');
      this.#finish(result.fileId);
      return;
    }
    if (server && server !== local) {
      this.#parts.hash.className = 'upload-hash mismatch';
      this.#parts.hash.textContent = `SHA-256 mismatch: this browser computed ${local}, the cluster stored ${server}.`;
      this.#fail(new Error('The stored file differs from the file on this computer. Upload it again.'));
      return;
    }
    this.#parts.hash.className = 'upload-hash verified';
    this.#parts.hash.textContent = server
      ? `SHA-256 verified ✓ ${local}${declared ? ' (declared up front and checked by the cluster too)' : ''}`
      : `SHA-256 ${local} (the server did not report its own; ${declared ? 'it was declared up front and checked by the cluster' : 'not compared'}).`;
    this.#finish(result.fileId);
  }

  #finish(fileId) {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#parts.progress.value = this.#file.size;
    const seconds = (performance.now() - this.#startedAt) / 1000;
    if (this.#startedAt && seconds > 0) {
      this.#parts.figures.textContent =
        `${formatBytes(this.#file.size)} in ${formatDuration(seconds)}, ${formatRate(this.#file.size / seconds)} on average`;
    }
    const link = this.#parts.download;
    link.href = downloadUrl(fileId);
    link.download = this.#file.name;
    link.hidden = false;
    link.setAttribute('aria-label', `Download ${this.#file.name}`);
    this.#setState('done', `Stored as ${fileId}.`);
  }

  #fail(error) {
    this.#hasher?.cancel();
    const advice = error.advice ? ` ${error.advice}` : '';
    this.#setState('failed', `${error.message}${advice}`);
    // Starting again cannot help a file that is over the limit.
    const tooLarge = error.status === 413 || /^file_?too_?large$/i.test(String(error.reason ?? ''));
    this.#parts.retry.hidden = error.reason === 'Aborted' || tooLarge;
    this.#parts.cancel.hidden = true;
  }

  #cancel() {
    if (this.#upload) this.#upload.cancel();
    else this.#fail({ message: 'Upload cancelled.', reason: 'Aborted' });
  }

  #showHashing(bytes) {
    if (bytes < this.#file.size && this.state !== 'queued') {
      this.#parts.hash.textContent = `Computing SHA-256 in the browser: ${Math.floor((100 * bytes) / Math.max(1, this.#file.size))}%`;
    }
  }

  #showProgress(committed) {
    this.#rate.add(committed);
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      const size = this.#file.size;
      const done = Math.min(this.#rate.lastBytes ?? committed, size);
      const rate = this.#rate.bytesPerSecond;
      const eta = rate > 0 ? (size - done) / rate : NaN;
      this.#parts.progress.value = done;
      this.#parts.figures.textContent =
        `${formatBytes(done)} of ${formatBytes(size)} (${Math.floor((100 * done) / Math.max(1, size))}%) · ${formatRate(rate)}` +
        (done < size ? ` · ${formatDuration(eta)} left` : '');
    });
  }

  #setState(state, message) {
    this.element.dataset.state = state;
    this.#parts.status.textContent = message;
  }
}
