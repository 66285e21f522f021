// Starts hashing a File in a module worker and exposes the result as a promise; says why when the browser cannot.

export class HashUnavailableError extends Error {
  constructor(message) {
    super(message);
    this.name = 'HashUnavailableError';
  }
}

/** Why this browser cannot hash a file without reading it whole, or null when it can. */
export function hashingUnsupportedReason() {
  if (typeof Worker !== 'function') return 'this browser has no Web Workers';
  if (typeof Blob === 'undefined' || typeof Blob.prototype.arrayBuffer !== 'function' || typeof Blob.prototype.slice !== 'function')
    return 'this browser cannot read a file in slices';
  return null;
}

export class FileHasher {
  #worker = null;
  #bytesHashed = 0;
  #sha256 = null;
  #onProgress;
  #reject = () => {};

  /** Resolves to the lower-case hex SHA-256; rejects with HashUnavailableError. */
  promise;

  constructor(file, onProgress = () => {}) {
    this.#onProgress = onProgress;
    this.promise = new Promise((resolve, reject) => {
      this.#reject = reject;
      const unsupported = hashingUnsupportedReason();
      if (unsupported) {
        reject(new HashUnavailableError(unsupported));
        return;
      }
      try {
        this.#worker = new Worker(new URL('./hash-worker.js', import.meta.url), { type: 'module' });
      } catch (error) {
        reject(new HashUnavailableError(`this browser cannot start a module worker (${error.message})`));
        return;
      }
      this.#worker.onmessage = ({ data }) => {
        if (data.type === 'progress') {
          this.#bytesHashed = data.bytes;
          this.#onProgress(data.bytes);
        } else if (data.type === 'done') {
          this.#sha256 = data.sha256;
          this.#stop();
          resolve(data.sha256);
        } else if (data.type === 'error') {
          this.#stop();
          reject(new HashUnavailableError(`the file could not be read for hashing (${data.message})`));
        }
      };
      this.#worker.onerror = (event) => {
        event.preventDefault?.();
        this.#stop();
        reject(new HashUnavailableError(`the hashing worker failed (${event.message || 'module workers unsupported'})`));
      };
      this.#worker.postMessage({ file });
    });
    this.promise.catch(() => {}); // the caller decides whether it cares
  }

  get bytesHashed() {
    return this.#bytesHashed;
  }

  /** The digest if it is ready within waitMs, else null (hashing goes on). */
  async within(waitMs) {
    if (this.#sha256) return this.#sha256;
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, waitMs, null)));
    try {
      return await Promise.race([this.promise.catch(() => null), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  cancel() {
    this.#stop();
    this.#reject(new HashUnavailableError('hashing was cancelled'));
  }

  #stop() {
    this.#worker?.terminate();
    this.#worker = null;
  }
}
