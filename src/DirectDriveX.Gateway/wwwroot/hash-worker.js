// Hashes one File off the main thread, slice by slice: {file} in; {type:'progress', bytes}, then {type:'done', sha256} or {type:'error'} out.
import { sha256OfBlob } from './sha256.js';

self.onmessage = async ({ data: { file } }) => {
  try {
    const sha256 = await sha256OfBlob(file, { onProgress: (bytes) => self.postMessage({ type: 'progress', bytes }) });
    self.postMessage({ type: 'done', sha256 });
  } catch (error) {
    self.postMessage({ type: 'error', message: String(error?.message ?? error) });
  }
};
