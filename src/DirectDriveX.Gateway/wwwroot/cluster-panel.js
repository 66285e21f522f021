// The cluster panel: every node's memory budget as a bar (leased | headroom | reserve), refreshed every 2 s
// from GET /api/v1/cluster/nodes. The node with the most headroom is the one the next upload goes to.
import { getClusterNodes } from './api.js';
import { formatBytes } from './format.js';

const number = (value) => (Number.isFinite(Number(value)) ? Number(value) : 0);

/** The figures of one entry, whatever the exact spelling of its fields. */
export function readNode(entry) {
  return {
    name: String(entry.node ?? entry.nodeName ?? entry.name ?? entry.nodeId ?? 'node'),
    id: String(entry.nodeId ?? entry.node ?? entry.name ?? ''),
    available: number(entry.available ?? entry.availableBytes),
    reserve: number(entry.reserve ?? entry.reserveBytes),
    leased: number(entry.leased ?? entry.leasedBytes),
    headroom: number(entry.headroom ?? entry.headroomBytes),
    sessions: number(entry.sessions ?? entry.leaseCount),
  };
}

export function startClusterPanel({ list, status, intervalMs = 2000 }) {
  let stopped = false;
  let timer = 0;

  const refresh = async () => {
    const timeout = AbortSignal.timeout(Math.max(1000, intervalMs * 2));
    try {
      const nodes = (await getClusterNodes(timeout)).map(readNode);
      render(list, nodes);
      const total = nodes.reduce((sum, node) => sum + Math.max(0, node.headroom), 0);
      status.textContent = nodes.length
        ? `${nodes.length} node${nodes.length === 1 ? '' : 's'}, ${formatBytes(total)} headroom in all. Updated ${new Date().toLocaleTimeString()}.`
        : 'No node is in the cluster right now: uploads will be refused until one joins.';
    } catch (error) {
      status.textContent = `Cluster status unavailable (${error.message}); retrying every ${intervalMs / 1000} s.`;
    } finally {
      if (!stopped) timer = setTimeout(refresh, intervalMs);
    }
  };
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function render(list, nodes) {
  const best = nodes.reduce((top, node) => (!top || node.headroom > top.headroom ? node : top), null);
  const items = nodes.map((node) => {
    const item = list.querySelector(`li[data-node="${CSS.escape(node.id)}"]`) ?? createItem(node);
    update(item, node, node === best && node.headroom > 0);
    return item;
  });
  list.replaceChildren(...items);
}

function createItem(node) {
  const item = document.createElement('li');
  item.className = 'node';
  item.dataset.node = node.id;
  item.innerHTML = `
    <div class="node-head"><span class="name"></span><span class="sessions"></span></div>
    <div class="node-bar" role="img"><span class="leased"></span><span class="headroom"></span><span class="reserve"></span></div>
    <p class="node-figures"></p>`;
  return item;
}

function update(item, node, isBest) {
  const headroom = Math.max(0, node.headroom);
  const scale = Math.max(node.available, node.leased + headroom + node.reserve, 1);
  const percent = (bytes) => `${((100 * bytes) / scale).toFixed(2)}%`;
  item.classList.toggle('best', isBest);
  item.querySelector('.name').textContent = node.name;
  item.querySelector('.sessions').textContent = `${node.sessions} session${node.sessions === 1 ? '' : 's'}`;
  const bar = item.querySelector('.node-bar');
  bar.querySelector('.leased').style.width = percent(node.leased);
  bar.querySelector('.headroom').style.width = percent(headroom);
  bar.querySelector('.reserve').style.width = percent(node.reserve);
  const summary = `headroom ${formatBytes(node.headroom)} · leased ${formatBytes(node.leased)} · reserve ${formatBytes(node.reserve)} · available ${formatBytes(node.available)}`;
  bar.setAttribute('aria-label', `${node.name}: ${summary}`);
  item.querySelector('.node-figures').textContent = summary + (isBest ? ' · next upload goes here' : '');
}
