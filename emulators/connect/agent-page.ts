// GET /agent: a small page to play the Amazon Connect agent by hand — one HTML document with inline CSS and
// JS, no build step, calling only the control API (so anything it does a test can do too). Customer text is
// untrusted: it is only ever set with textContent. It polls once a second and redraws only on change.
import { CONTROL_CALL, htmlPage, PAGE_HELPERS, pageRoute, type Route } from '../kit/index.js';

const PAGE = htmlPage({
  title: 'Amazon Connect emulator — agent',
  style: /* css */ `
  :root { font: 14px/1.4 system-ui, sans-serif; color: #16191f; }
  body { margin: 0; display: grid; grid-template-columns: 300px 1fr; height: 100vh; }
  aside { border-right: 1px solid #d5dbdb; overflow: auto; background: #f2f3f3; }
  aside h1 { font-size: 15px; margin: 12px; }
  aside button.conv { display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid #e1e4e4; background: none; padding: 10px 12px; cursor: pointer; }
  aside button.conv[aria-current="true"] { background: #dbe9f7; }
  .state { font-size: 11px; text-transform: uppercase; padding: 1px 6px; border-radius: 8px; background: #dde3ec; }
  .state.queued { background: #fde7b0; } .state.connected { background: #c9efd2; } .state.ended { background: #e6e6e6; color: #666; }
  main { display: grid; grid-template-rows: auto 1fr auto; min-height: 0; }
  header { padding: 10px 14px; border-bottom: 1px solid #d5dbdb; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  #log { overflow: auto; padding: 14px; display: flex; flex-direction: column; gap: 6px; }
  .item { max-width: 70%; padding: 8px 10px; border-radius: 10px; background: #eef1f6; white-space: pre-wrap; word-break: break-word; }
  .item.AGENT { align-self: flex-end; background: #dbe8ff; }
  .item.EVENT { align-self: center; background: none; color: #5f6b7a; font-size: 12px; padding: 0; }
  .meta { font-size: 11px; color: #5f6b7a; margin-top: 2px; }
  footer { border-top: 1px solid #d5dbdb; padding: 10px 14px; display: flex; gap: 8px; }
  footer input { flex: 1; padding: 8px; }
  #error { color: #b00020; }`,
  body: /* html */ `
<aside><h1>Contacts</h1><div id="list"></div><p id="empty">No chats yet. When a customer writes, the chat waits here: pick it, Accept, and answer.</p></aside>
<main>
  <header>
    <strong id="title">Pick a chat</strong>
    <select id="agent" aria-label="Agent"></select>
    <button id="accept">Accept</button>
    <button id="read">Mark read</button>
    <select id="queue" aria-label="Transfer to"></select>
    <button id="transfer">Transfer</button>
    <button id="end">End chat</button>
    <span id="error" role="alert"></span>
  </header>
  <div id="log" aria-live="polite"></div>
  <footer>
    <input id="text" placeholder="Reply as the agent" aria-label="Reply">
    <button id="send">Send</button>
    <button id="file">Send file</button>
  </footer>
</main>`,
  script: /* js */ `
const api = '/__control/connect';
let selected = null, contacts = [], drawn = '', lastTyping = 0;
${PAGE_HELPERS}
${CONTROL_CALL}
function describe(i) {
  if (i.Type === 'ATTACHMENT') return '📎 ' + (i.Attachments || []).map((a) => a.AttachmentName).join(', ');
  if (i.Type === 'EVENT') return (i.DisplayName || i.ParticipantRole || '') + ' · ' + i.ContentType.replace('application/vnd.amazonaws.connect.event.', '');
  return i.Content || '';
}
function render() {
  const c = contacts.find((x) => x.initialContactId === selected);
  const snapshot = JSON.stringify([selected, contacts.map((x) => [x.initialContactId, x.state, x.customerTyping, x.items.length])]);
  if (snapshot === drawn) return;
  drawn = snapshot;
  $('empty').hidden = contacts.length > 0;
  const list = $('list'); list.replaceChildren();
  for (const x of contacts) {
    const b = el('button', 'conv'); b.setAttribute('aria-current', String(x.initialContactId === selected));
    b.append(el('div', '', x.customer.displayName), el('span', 'state ' + x.state, x.state));
    if (x.customerTyping) b.append(el('span', 'meta', ' typing…'));
    b.onclick = () => { selected = x.initialContactId; render(); };
    list.append(b);
  }
  const state = c ? c.state : null;
  $('accept').disabled = state !== 'queued';
  for (const id of ['read', 'transfer', 'queue', 'send', 'file', 'text']) $(id).disabled = state !== 'connected';
  $('end').disabled = !state || state === 'ended';
  $('title').textContent = c ? c.customer.displayName + ' — ' + c.state + (c.agent ? ' with ' + c.agent.name : c.queue ? ' in ' + c.queue.name : '') : 'Pick a chat';
  const log = $('log'); log.replaceChildren();
  if (!c) return;
  for (const i of c.items) {
    if (i.ContentType.endsWith('.typing')) continue;
    const d = el('div', 'item ' + (i.Type === 'EVENT' ? 'EVENT' : i.ParticipantRole), describe(i));
    if (i.Type !== 'EVENT') d.append(el('div', 'meta', (i.DisplayName || '') + ' · ' + new Date(i.AbsoluteTime).toLocaleTimeString() + (i.receipts && i.receipts.read ? ' · read' : i.receipts && i.receipts.delivered ? ' · delivered' : '') + (i.visibility !== 'ALL' ? ' · ' + i.visibility + ' only' : '')));
    log.append(d);
  }
  log.scrollTop = log.scrollHeight;
}
async function refresh() {
  try {
    contacts = (await call('GET', '/contacts')).contacts;
    if (!contacts.some((x) => x.initialContactId === selected)) selected = contacts.length ? contacts[0].initialContactId : null;
    render();
  } catch (e) {}
}
const act = (fn) => async () => { if (!selected) return; try { await fn(); } catch (e) {} refresh(); };
$('accept').onclick = act(() => call('POST', '/contacts/' + selected + '/accept', { agentId: $('agent').value }));
$('read').onclick = act(() => call('POST', '/contacts/' + selected + '/read'));
$('end').onclick = act(() => call('POST', '/contacts/' + selected + '/end'));
$('transfer').onclick = act(() => call('POST', '/contacts/' + selected + '/transfer', { queueId: $('queue').value }));
$('send').onclick = act(async () => { const text = $('text').value; if (!text) return; await call('POST', '/contacts/' + selected + '/reply', { text }); $('text').value = ''; });
$('file').onclick = act(() => call('POST', '/contacts/' + selected + '/file', {}));
$('text').addEventListener('keydown', (e) => { if (e.key === 'Enter') $('send').click(); });
$('text').addEventListener('input', () => {
  if (!selected || Date.now() - lastTyping < 3000) return;
  lastTyping = Date.now(); call('POST', '/contacts/' + selected + '/typing').catch(() => {});
});
(async () => {
  // The emulator's summary (agents, queues) is at /__control itself, not under the connect control API.
  const info = await (await fetch('/__control')).json();
  for (const a of info.agents) { const o = el('option', '', a.name); o.value = a.id; $('agent').append(o); }
  for (const q of info.queues) { const o = el('option', '', 'Queue: ' + q.name); o.value = q.id; $('queue').append(o); }
  refresh(); setInterval(refresh, 1000);
})();`,
});

export const agentPageRoute = (): Route => pageRoute('/agent', PAGE);
