// One file over the gateway's WebSocket protocol (README, "WebSocket protocol"): create the session, send binary
// chunks of the announced size with never more than the announced window unacknowledged, follow the acks, and after a
// dropped connection ask where the session stands and reconnect with the resume token, backing off exponentially.
import { createUpload, getUploadStatus, abortUpload, describeRefusal, UploadRefusedError } from './api.js';

/** Close codes after which reconnecting can help. 1006: dropped; 1001: going away; 1011: server error; 1012: restart; 1013: try later. */
const RETRYABLE_CLOSE_CODES = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014, 4000]);

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
});

/**
 * Events: 'session' (detail: the create response), 'progress' (detail: {committed, sent, size}),
 * 'reconnecting' (detail: {attempt, maxAttempts, delayMs, cause}), 'resumed' (detail: {offset}).
 */
export class WebSocketUpload extends EventTarget {
  #file;
  #options;
  #abort = new AbortController();
  #socket = null;
  session = null;
  committed = 0;

  constructor(file, { maxAttempts = 8, baseDelayMs = 500, maxDelayMs = 15000, stallMs = 30000, firstMessageMs = 3000 } = {}) {
    super();
    this.#file = file;
    this.#options = { maxAttempts, baseDelayMs, maxDelayMs, stallMs, firstMessageMs };
  }

  /** Uploads the file; resolves to {fileId, sha256} from the server's completion message. */
  async run(declaredSha256) {
    this.session = await this.#create(declaredSha256);
    this.#emit('session', this.session);
    return this.#transfer();
  }

  /** Creates the session; a request that never reached an answer (network error) is tried again with backoff.
   * A refusal is an answer and is not retried here: the person decides (the page says when it makes sense). */
  async #create(declaredSha256) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await createUpload(this.#file, declaredSha256, this.#abort.signal);
      } catch (error) {
        this.#abort.signal.throwIfAborted();
        if (error instanceof UploadRefusedError) throw error;
        const cause = new UploadRefusedError({ retryable: true, message: `the gateway could not be reached (${error.message})`,
          advice: 'Check the connection and that the gateway is running, then retry.' });
        if (attempt >= this.#options.maxAttempts) {
          cause.message = `The gateway could not be reached after ${attempt} tries (${error.message}).`;
          throw cause;
        }
        const delayMs = this.#backoff(attempt);
        this.#emit('reconnecting', { attempt, maxAttempts: this.#options.maxAttempts, delayMs, cause });
        await sleep(delayMs, this.#abort.signal);
      }
    }
  }

  /** Stops sending and aborts the session on the server (its reservation is released). */
  cancel() {
    this.#abort.abort(new UploadRefusedError({ reason: 'Aborted', message: 'Upload cancelled.' }));
    this.#socket?.close(1000, 'cancelled');
    if (this.session) abortUpload(this.session.uploadId, this.session.resumeToken);
  }

  async #transfer() {
    let failures = 0;
    for (;;) {
      const outcome = await this.#connectOnce();
      if (outcome.complete) return outcome.complete;
      this.#abort.signal.throwIfAborted();
      if (!outcome.error.retryable) throw outcome.error;
      failures = outcome.progressed ? 1 : failures + 1;
      if (failures > this.#options.maxAttempts) {
        throw new UploadRefusedError({ reason: outcome.error.reason,
          message: `The connection failed ${failures} times in a row (last: ${outcome.error.message}).`,
          advice: 'Check the network and the gateway, then upload the file again.' });
      }
      const delayMs = this.#backoff(failures);
      this.#emit('reconnecting', { attempt: failures, maxAttempts: this.#options.maxAttempts, delayMs, cause: outcome.error });
      await sleep(delayMs, this.#abort.signal);
      const finished = await this.#whereToResume();
      if (finished) return finished;
    }
  }

  /** Exponential backoff with ±25% jitter, capped. */
  #backoff(attempt) {
    const { baseDelayMs, maxDelayMs } = this.#options;
    return Math.round(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5));
  }

  /** Asks the gateway for the committed offset; returns the result when the session already completed. */
  async #whereToResume() {
    let status;
    try {
      status = await getUploadStatus(this.session.uploadId, this.session.resumeToken, this.#abort.signal);
    } catch (error) {
      if (error instanceof UploadRefusedError && !error.retryable) throw error;
      return null; // gateway unreachable: the next connection attempt counts as another failure
    }
    const state = String(status.state ?? '').toLowerCase();
    if (state === 'completed') {
      return { fileId: status.fileId ?? this.session.uploadId, sha256: status.sha256 ?? null };
    }
    if (['aborted', 'expired', 'failed'].includes(state)) {
      throw describeRefusal({ reason: status.failureReason ?? state, detail: status.failureMessage ?? `The upload is ${state}.` });
    }
    const offset = Number(status.committedOffset ?? status.committed ?? status.offset);
    if (Number.isFinite(offset)) this.committed = offset;
    this.#emit('resumed', { offset: this.committed });
    return null;
  }

  #socketUrl() {
    const { uploadId, resumeToken, webSocketUrl } = this.session;
    // Same origin as the page, whatever host the gateway saw: only the path and query come from the server.
    const announced = new URL(webSocketUrl ?? `/ws/upload/${encodeURIComponent(uploadId)}`, location.href);
    const url = new URL(announced.pathname + announced.search, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (!url.searchParams.has('token')) url.searchParams.set('token', resumeToken);
    return url.href;
  }

  /** One connection: resolves {complete} or {error, progressed}; never rejects. */
  #connectOnce() {
    return new Promise((resolve) => {
      const file = this.#file;
      const size = file.size;
      const chunkSize = Math.max(1, Math.min(this.session.chunkSize, this.session.reservedBytes || this.session.chunkSize));
      const window = Math.max(chunkSize, this.session.reservedBytes || chunkSize);
      const socket = new WebSocket(this.#socketUrl());
      socket.binaryType = 'arraybuffer';
      this.#socket = socket;

      let sent = this.committed;
      let started = false;
      let progressed = false;
      let pumping = false;
      let error = null;
      let finished = false;
      let stallTimer = 0;
      let firstMessageTimer = 0;

      const finish = (outcome) => {
        if (finished) return;
        finished = true;
        clearTimeout(stallTimer);
        clearTimeout(firstMessageTimer);
        socket.onmessage = socket.onclose = socket.onerror = null;
        if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000);
        resolve({ ...outcome, progressed });
      };
      const armStallTimer = () => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => finish({ error: new UploadRefusedError({ retryable: true,
          message: `no answer from the gateway for ${this.#options.stallMs / 1000} s` }) }), this.#options.stallMs);
      };
      const begin = (offset) => {
        if (started) return;
        started = true;
        clearTimeout(firstMessageTimer);
        this.committed = offset;
        sent = offset;
        pump();
      };

      // One chunk is read ahead while the window is full, so that an ack is answered by a send, not by a disk read.
      let readAhead = null;
      const read = (offset) => {
        const length = Math.min(chunkSize, size - offset);
        if (readAhead?.offset !== offset) readAhead = { offset, bytes: file.slice(offset, offset + length).arrayBuffer() };
        return readAhead.bytes;
      };

      const pump = async () => {
        if (pumping) return;
        pumping = true;
        try {
          while (!finished && started && socket.readyState === WebSocket.OPEN && sent < size) {
            const offset = sent;
            const length = Math.min(chunkSize, size - offset);
            if (offset + length - this.committed > window) {
              await read(offset); // the window is full: have the next chunk ready for the ack
              if (offset + length - this.committed > window) break; // an ack during the read re-opens it
              continue;
            }
            const bytes = await read(offset);
            if (finished || socket.readyState !== WebSocket.OPEN || sent !== offset) continue;
            socket.send(bytes);
            sent = offset + length;
            readAhead = null;
            if (sent < size) read(sent).catch(() => {}); // a failed read surfaces when the chunk is needed
            this.#emit('progress', { committed: this.committed, sent, size });
          }
        } catch (readError) {
          finish({ error: new UploadRefusedError({ reason: 'FileUnreadable',
            message: `The browser can no longer read this file (${readError.message}).`,
            advice: 'Was it moved or changed? Choose it again.' }) });
        } finally {
          pumping = false;
        }
      };

      socket.onopen = () => {
        armStallTimer();
        // The server's first message says where to continue; if it says nothing, continue where we know it stands.
        firstMessageTimer = setTimeout(() => begin(this.committed), this.#options.firstMessageMs);
      };
      socket.onmessage = (event) => {
        if (typeof event.data !== 'string') return;
        let message;
        try {
          message = JSON.parse(event.data);
        } catch {
          return;
        }
        armStallTimer();
        if (message.type === 'complete') {
          this.committed = size;
          this.#emit('progress', { committed: size, sent: size, size });
          finish({ complete: { fileId: message.fileId ?? this.session.uploadId, sha256: message.sha256 ?? null } });
          return;
        }
        if (message.type === 'error') {
          error = describeRefusal({ reason: message.reason, detail: message.message ?? '', size });
          // The server says whether trying again can help; an offset mismatch is healed by resuming where it stands.
          if (typeof message.retryable === 'boolean') error.retryable = message.retryable;
          if (message.reason === 'OffsetMismatch') error.retryable = true;
          return;
        }
        if (message.type === 'reconnect') {
          // The node or the gateway is leaving (close 1012 or 1001 follows): reconnect shortly, from where the upload stands
          // then; its offset is not one to send from.
          error = new UploadRefusedError({ retryable: true, reason: message.reason,
            message: message.message ?? 'The server asked for a reconnect.' });
          return;
        }
        const offset = Number(message.offset ?? message.committedOffset ?? message.committed);
        if (!Number.isFinite(offset)) return;
        if (!started) {
          begin(offset);
        } else if (offset > this.committed) {
          this.committed = offset;
          progressed = true;
          this.#emit('progress', { committed: offset, sent, size });
          pump();
        }
      };
      socket.onclose = (event) => {
        if (!error) {
          const retryable = RETRYABLE_CLOSE_CODES.has(event.code) || event.code === 1000;
          error = event.code === 1000 || event.code === 1006 || event.code === 1005
            ? new UploadRefusedError({ retryable, closeCode: event.code,
                message: event.reason ? `connection closed: ${event.reason}` : 'connection lost' })
            : describeRefusal({ closeCode: event.code, detail: event.reason });
          if (RETRYABLE_CLOSE_CODES.has(event.code)) error.retryable = true;
        }
        error.closeCode ||= event.code;
        finish({ error });
      };
      socket.onerror = () => {}; // onclose follows with the code
    });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
