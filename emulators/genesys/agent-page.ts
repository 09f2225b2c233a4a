// GET /agent: a small page to play the Genesys agent by hand — one HTML document with inline CSS and
// JS, no build step. It only calls the control API, so anything it does a test can do too. Customer
// text is untrusted input: it is only ever set with textContent. It polls once a second and redraws only
// when something changed, so a redraw never steals the scroll position or reloads images; the actions a
// conversation's phase does not allow are disabled (Accept only while it waits; replies and Transfer only
// while an agent has it; nothing once it ended).
import { CONTROL_CALL, htmlPage, PAGE_HELPERS, pageRoute, type Route } from '../kit/index.js';

const PAGE = htmlPage({
  title: 'Genesys emulator — agent',
  style: /* css */ `
  :root { font: 14px/1.4 system-ui, sans-serif; color: #1d2330; }
  body { margin: 0; display: grid; grid-template-columns: 300px 1fr; height: 100vh; }
  aside { border-right: 1px solid #d6dbe4; overflow: auto; background: #f6f8fb; }
  aside h1 { font-size: 15px; margin: 12px; }
  aside button.conv { display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid #e3e7ee; background: none; padding: 10px 12px; cursor: pointer; }
  aside button.conv[aria-current="true"] { background: #e2ebfb; }
  .phase { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; padding: 1px 6px; border-radius: 8px; background: #dde3ec; }
  .phase.waiting { background: #fde7b0; } .phase.active { background: #c9efd2; } .phase.ended { background: #e6e6e6; color: #666; }
  main { display: grid; grid-template-rows: auto 1fr auto; min-height: 0; }
  header { padding: 10px 14px; border-bottom: 1px solid #d6dbe4; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  #log { overflow: auto; padding: 14px; display: flex; flex-direction: column; gap: 8px; }
  .msg { max-width: 70%; padding: 8px 10px; border-radius: 10px; background: #eef1f6; white-space: pre-wrap; word-break: break-word; }
  .msg.outbound { align-self: flex-end; background: #dbe8ff; }
  .meta { font-size: 11px; color: #5b6475; margin-top: 2px; }
  .msg img { max-width: 160px; display: block; margin-top: 4px; }
  footer { border-top: 1px solid #d6dbe4; padding: 10px 14px; display: flex; gap: 8px; }
  footer input { flex: 1; padding: 8px; }
  #typing { font-size: 12px; color: #5b6475; min-height: 1em; padding: 0 14px; }
  #error { color: #b00020; }
  #empty { color: #5b6475; padding: 12px; }
  button:disabled { cursor: not-allowed; }`,
  body: /* html */ `
<aside><h1>Conversations</h1><div id="list"></div><p id="empty">No conversations yet. When a customer writes, the conversation waits here: pick it, Accept, and answer.</p></aside>
<main>
  <header>
    <strong id="title">Pick a conversation</strong>
    <select id="agent" aria-label="Agent"></select>
    <button id="accept">Accept</button>
    <select id="target" aria-label="Transfer to"></select>
    <button id="transfer">Transfer</button>
    <button id="end">End</button>
    <span id="error" role="alert"></span>
  </header>
  <div id="scroller" style="overflow:auto;min-height:0"><div id="log" aria-live="polite"></div><div id="typing"></div></div>
  <footer>
    <input id="text" placeholder="Reply as the agent (or an image caption, a QR code's content)" aria-label="Reply">
    <button id="send">Send</button>
    <button id="image">Send image</button>
    <button id="qr">Send QR</button>
  </footer>
</main>`,
  script: /* js */ `
const api = '/__control/genesys';
let selected = null, lastTyping = 0, conversations = [], drawn = '', shown = { id: null, count: 0 };
${PAGE_HELPERS}
${CONTROL_CALL}
function describe(m) {
  if (m.text && m.text.startsWith('{')) {
    try { const d = JSON.parse(m.text).gcDecoratedMessage; if (d && d.gcMessageType === 'qrCode') return 'QR code: ' + d.gcMessageText; } catch (e) {}
  }
  return m.text || '';
}
function render() {
  // Only when something changed: the poll would otherwise rebuild the log every second.
  const c = conversations.find((x) => x.id === selected);
  const snapshot = JSON.stringify([selected, conversations.map((x) => [x.id, x.phase, x.customerTyping, x.agent && x.agent.id, x.messages.length, x.messages.map((m) => m.status)])]);
  if (snapshot === drawn) return;
  drawn = snapshot;
  // Scroll to the newest message when another conversation is shown or a message arrived, not on every redraw.
  const grew = c ? c.id !== shown.id || c.messages.length !== shown.count : false;
  shown = c ? { id: c.id, count: c.messages.length } : { id: null, count: 0 };
  $('empty').hidden = conversations.length > 0;
  const list = $('list'); list.replaceChildren();
  for (const c of conversations) {
    const b = el('button', 'conv'); b.setAttribute('aria-current', String(c.id === selected));
    const who = c.customer.nickname || c.customer.id;
    b.append(el('div', '', who), el('span', 'phase ' + c.phase, c.phase));
    if (c.customerTyping) b.append(el('span', 'meta', ' typing…'));
    b.onclick = () => { selected = c.id; render(); };
    list.append(b);
  }
  const phase = c ? c.phase : null;
  $('accept').disabled = phase !== 'waiting';
  $('transfer').disabled = $('target').disabled = phase !== 'active';
  $('end').disabled = !phase || phase === 'ended';
  for (const id of ['send', 'image', 'qr', 'text']) $(id).disabled = phase !== 'active';
  $('title').textContent = c ? (c.customer.nickname || c.customer.id) + ' — ' + c.phase + (c.agent ? ' with ' + c.agent.name : c.queue ? ' in ' + c.queue.name : '') : 'Pick a conversation';
  const log = $('log'); log.replaceChildren();
  if (!c) return;
  for (const m of c.messages) {
    const d = el('div', 'msg ' + m.direction, describe(m));
    for (const item of m.content || []) {
      if (item.attachment && item.attachment.mediaType === 'Image') { const img = el('img'); img.src = item.attachment.url; img.alt = item.attachment.filename || 'image'; d.append(img); }
      else if (item.attachment) d.append(el('div', 'meta', '📎 ' + (item.attachment.filename || item.attachment.url)));
    }
    d.append(el('div', 'meta', m.by + ' · ' + new Date(m.at).toLocaleTimeString() + ' · ' + m.status));
    if (m.reasons) d.title = m.reasons.map((r) => r.message).join('; ');
    log.append(d);
  }
  $('typing').textContent = c.customerTyping ? 'The customer is typing…' : '';
  if (grew) $('scroller').scrollTop = $('scroller').scrollHeight;
}
async function refresh() {
  try {
    conversations = (await call('GET', '/conversations')).conversations;
    // Nothing picked yet: the newest conversation, so a person playing the agent sees the customer at once.
    if (!conversations.some((x) => x.id === selected)) selected = conversations.length ? conversations[0].id : null;
    render();
  } catch (e) {}
}
async function setup() {
  const [{ agents }, { queues }] = await Promise.all([call('GET', '/agents'), call('GET', '/queues')]);
  for (const a of agents) { const o = el('option', '', a.name); o.value = a.id; $('agent').append(o); }
  for (const q of queues) { const o = el('option', '', 'Queue: ' + q.name); o.value = 'queue:' + q.id; $('target').append(o); }
  for (const a of agents) { const o = el('option', '', 'Agent: ' + a.name); o.value = 'agent:' + a.id; $('target').append(o); }
  refresh(); setInterval(refresh, 1000);
}
const act = (fn) => async () => { if (!selected) return; try { await fn(); } catch (e) {} refresh(); };
$('accept').onclick = act(() => call('POST', '/conversations/' + selected + '/accept', { agentId: $('agent').value }));
$('end').onclick = act(() => call('POST', '/conversations/' + selected + '/end'));
$('transfer').onclick = act(() => { const [kind, id] = $('target').value.split(':'); return call('POST', '/conversations/' + selected + '/transfer', kind === 'queue' ? { queueId: id } : { agentId: id }); });
$('send').onclick = act(async () => { const text = $('text').value; if (!text) return; await call('POST', '/conversations/' + selected + '/reply', { text }); $('text').value = ''; });
// The text box, when filled, is the image's caption or the QR code's content; once sent it is used up.
$('image').onclick = act(async () => { await call('POST', '/conversations/' + selected + '/reply', { image: true, text: $('text').value || undefined }); $('text').value = ''; });
$('qr').onclick = act(async () => { await call('POST', '/conversations/' + selected + '/reply', { qr: $('text').value || 'SuperSpecialCoupon!' }); $('text').value = ''; });
$('text').addEventListener('keydown', (e) => { if (e.key === 'Enter') $('send').click(); });
$('text').addEventListener('input', () => {
  // Genesys sends one Typing event, not one per keystroke; at most every 3 s here.
  if (!selected || Date.now() - lastTyping < 3000) return;
  lastTyping = Date.now(); call('POST', '/conversations/' + selected + '/typing').catch(() => {});
});
setup();`,
});

export const agentPageRoute = (): Route => pageRoute('/agent', PAGE);
