// Figures for people: sizes in binary units, rates in MB/s (decimal, as drives and networks are quoted), durations.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '–';
  const sign = bytes < 0 ? '−' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${sign}${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond) {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '– MB/s';
  const mb = bytesPerSecond / 1e6;
  return `${mb >= 100 ? mb.toFixed(0) : mb.toFixed(1)} MB/s`;
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Transfer rate over a sliding window of (time, bytes) samples. */
export class RateMeter {
  #samples = [];
  #windowMs;

  constructor(windowMs = 5000) {
    this.#windowMs = windowMs;
  }

  add(bytes, now = performance.now()) {
    this.#samples.push({ now, bytes });
    while (this.#samples.length > 2 && now - this.#samples[0].now > this.#windowMs) this.#samples.shift();
  }

  /** Bytes per second over the window, or NaN before two samples. */
  get bytesPerSecond() {
    if (this.#samples.length < 2) return NaN;
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    const seconds = (last.now - first.now) / 1000;
    return seconds > 0 ? (last.bytes - first.bytes) / seconds : NaN;
  }

  /** The latest byte count added, or undefined before any. */
  get lastBytes() {
    return this.#samples.at(-1)?.bytes;
  }

  reset() {
    this.#samples = [];
  }
}
