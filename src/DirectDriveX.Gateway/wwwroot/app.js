// The upload page: files chosen or dropped are queued and uploaded two at a time; the cluster panel refreshes every 2 s.
import { startClusterPanel } from './cluster-panel.js';
import { hashingUnsupportedReason } from './file-hasher.js';
import { UploadItem } from './upload-item.js';
import { apiKey } from './api.js';

const PARALLEL_UPLOADS = 2;

const list = document.getElementById('upload-list');
const template = document.getElementById('upload-item');
const input = document.getElementById('file-input');
const dropZone = document.getElementById('drop-zone');
const queue = [];
let running = 0;

function enqueue(file, replacing) {
  const item = new UploadItem(file, template, enqueue);
  if (replacing) replacing.element.replaceWith(item.element);
  else list.append(item.element);
  queue.push(item);
  drain();
}

function drain() {
  while (running < PARALLEL_UPLOADS && queue.length > 0) {
    const item = queue.shift();
    running++;
    item.run().finally(() => {
      running--;
      drain();
    });
  }
}

const keyInput = document.getElementById('api-key-input');
keyInput.value = apiKey.get();
keyInput.addEventListener('input', () => apiKey.set(keyInput.value.trim()));

input.addEventListener('change', () => {
  for (const file of input.files) enqueue(file);
  input.value = '';
});

for (const type of ['dragenter', 'dragover']) {
  dropZone.addEventListener(type, (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    dropZone.classList.add('dragging');
  });
}
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('dragging');
  for (const file of event.dataTransfer.files) enqueue(file);
});
// A file dropped beside the zone must not replace the page.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());

const unsupported = hashingUnsupportedReason();
document.getElementById('hash-support').textContent = unsupported
  ? `This browser cannot compute SHA-256 without reading whole files into memory (${unsupported}): uploads are not verified here, the cluster still hashes what it stores.`
  : 'Each file’s SHA-256 is computed in this browser, slice by slice, and compared with the one the cluster stores.';

startClusterPanel({ list: document.getElementById('node-list'), status: document.getElementById('cluster-status') });
