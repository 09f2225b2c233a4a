// GET /agent: a small page to play the LivePerson agent by hand — one HTML document with inline CSS and JS, no
// build step, calling only the control API (so anything it does a test can do too). Consumer text is untrusted:
// it is only ever set with textContent. It polls once a second and redraws only on change.
import { CONTROL_CALL, htmlPage, PAGE_HELPERS, pageRoute, type Route } from '../kit/index.js';

const PAGE = htmlPage({
  title: 'LivePerson emulator — agent',
  style: /* css */ `
  :root { font: 14px/1.4 system-ui, sans-serif; color: #1d1d1f; }
  body { margin: 0; display: grid; grid-template-columns: 300px 1fr; height: 100vh; }
  aside { border-right: 1px solid #d9d9de; overflow: auto; background: #f4f4f7; }
  aside h1 { font-size: 15px; margin: 12px; }
  aside h2 { font-size: 12px; margin: 10px 12px 4px; text-transform: uppercase; color: #666; }
  aside button.conv { display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid #e4e4ea; background: none; padding: 10px 12px; cursor: pointer; }
  aside button.conv[aria-current="true"] { background: #ffe3cc; }
  .meta { font-size: 11px; color: #666; }
  main { display: grid; grid-template-rows: auto 1fr auto auto; min-height: 0; }
  header { padding: 10px 14px; border-bottom: 1px solid #d9d9de; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  #log { overflow: auto; padding: 14px; display: flex; flex-direction: column; gap: 6px; }
  .msg { max-width: 70%; padding: 8px 10px; border-radius: 10px; background: #eef0f4; white-space: pre-wrap; word-break: break-word; }
  .msg.agent { align-self: flex-end; background: #ffe8d6; }
  .msg.note { border: 1px dashed #c77; }
  .msg img { max-width: 160px; display: block; }
  #typing { padding: 0 14px; min-height: 18px; color: #666; font-size: 12px; }
  footer { border-top: 1px solid #d9d9de; padding: 10px 14px; display: flex; gap: 8px; align-items: center; }
  footer input[type=text] { flex: 1; padding: 8px; }
  #error { color: #b00020; }`,
  body: /* html */ `
<aside><h1>Conversations</h1><div id="list"></div><p id="empty" class="meta" style="margin:12px">No conversations yet. When a consumer writes, it waits here: pick it, Accept, and answer.</p></aside>
<main>
  <header>
    <strong id="title">Pick a conversation</strong>
    <select id="agent" aria-label="Agent"></select>
    <button id="accept">Accept</button>
    <button id="read">Read</button>
    <select id="target" aria-label="Transfer to"></select>
    <button id="transfer">Transfer</button>
    <button id="close">Close</button>
    <button id="closeSurvey">Close with survey</button>
    <button id="endSurvey">End survey</button>
    <span id="error" role="alert"></span>
  </header>
  <div id="log" aria-live="polite"></div>
  <div id="typing"></div>
  <footer>
    <input id="text" type="text" placeholder="Reply as the agent" aria-label="Reply">
    <label class="meta"><input id="note" type="checkbox"> agents only</label>
    <button id="send">Send</button>
    <button id="image">Send image</button>
  </footer>
</main>`,
  script: /* js */ `
const api = '/__control/liveperson';
let selected = null, conversations = [], drawn = '', typingSent = 0, pauseTimer = null;
${PAGE_HELPERS}
${CONTROL_CALL}
const phase = (c) => c.state === 'CLOSE' ? 'closed' : c.participants.some((p) => p.role === 'ASSIGNED_AGENT') ? 'active' : c.dialogs.some((d) => d.dialogType === 'POST_SURVEY' && d.state === 'OPEN') ? 'survey' : 'waiting';
function render() {
  const c = conversations.find((x) => x.id === selected);
  const snapshot = JSON.stringify([selected, conversations]);
  if (snapshot === drawn) return;
  drawn = snapshot;
  $('empty').hidden = conversations.length > 0;
  const list = $('list'); list.replaceChildren();
  for (const group of ['waiting', 'active', 'survey', 'closed']) {
    const items = conversations.filter((x) => phase(x) === group);
    if (!items.length) continue;
    list.append(el('h2', '', group));
    for (const x of items) {
      const b = el('button', 'conv'); b.setAttribute('aria-current', String(x.id === selected));
      const name = (x.profile && (x.profile.firstName || (x.profile.authenticatedData ? '' : ''))) || x.extConsumerId;
      b.append(el('div', '', name), el('div', 'meta', 'skill ' + x.skillId + (x.chatState.consumer === 'COMPOSING' ? ' · typing…' : '')));
      b.onclick = () => { selected = x.id; render(); };
      list.append(b);
    }
  }
  const p = c ? phase(c) : null;
  $('accept').disabled = p !== 'waiting';
  for (const id of ['read', 'transfer', 'target', 'send', 'image', 'text', 'close', 'closeSurvey']) $(id).disabled = p !== 'active';
  $('close').disabled = !(p === 'active' || p === 'waiting');
  $('endSurvey').disabled = p !== 'survey';
  const agent = c && c.participants.find((x) => x.role === 'ASSIGNED_AGENT');
  $('title').textContent = c ? c.extConsumerId + ' — ' + p + (agent ? ' with ' + (agent.name || agent.id) : '') + (c.closeReason ? ' (closed by ' + c.closeReason + ')' : '') : 'Pick a conversation';
  $('typing').textContent = c && c.chatState.consumer === 'COMPOSING' ? 'The consumer is typing…' : '';
  const log = $('log'); log.replaceChildren();
  if (!c) return;
  for (const m of c.messages) {
    const mine = m.originator.role !== 'CONSUMER';
    const d = el('div', 'msg' + (mine ? ' agent' : '') + (m.audience !== 'ALL' ? ' note' : ''));
    if (m.contentType === 'hosted/file') {
      const f = m.message || {};
      d.append(el('div', '', '📎 ' + (f.caption || f.fileType || 'file')));
      if (/^(PNG|JPG|GIF)$/.test(f.fileType || '')) { const img = document.createElement('img'); img.alt = f.caption || 'image'; img.src = api + '/files/' + btoa(f.relativePath).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''); d.append(img); }
    } else d.append(el('div', '', typeof m.message === 'string' ? m.message : JSON.stringify(m.message)));
    const ticks = m.status === 'READ' ? ' ✓✓ read' : m.status === 'ACCEPT' ? ' ✓ accepted' : '';
    d.append(el('div', 'meta', '#' + m.sequence + (m.dialogId !== c.id ? ' survey' : '') + ' · ' + m.originator.role + ' · ' + new Date(m.at).toLocaleTimeString() + ticks + (m.audience !== 'ALL' ? ' · agents only' : '')));
    log.append(d);
  }
  log.scrollTop = log.scrollHeight;
}
async function refresh() {
  try {
    conversations = (await call('GET', '/conversations')).conversations;
    if (!conversations.some((x) => x.id === selected)) selected = conversations.length ? conversations[0].id : null;
    render();
  } catch (e) {}
}
const act = (fn) => async () => { if (!selected) return; try { await fn(); } catch (e) {} refresh(); };
const path = (s) => '/conversations/' + selected + s;
$('accept').onclick = act(() => call('POST', path('/accept'), { agentId: $('agent').value }));
$('read').onclick = act(() => call('POST', path('/read')));
$('close').onclick = act(() => call('POST', path('/close'), {}));
$('closeSurvey').onclick = act(() => call('POST', path('/close'), { survey: true }));
$('endSurvey').onclick = act(() => call('POST', path('/survey/close')));
$('transfer').onclick = act(() => { const [kind, id] = $('target').value.split(':'); return call('POST', path('/transfer'), kind === 'skill' ? { skillId: id } : { agentId: id }); });
$('send').onclick = act(async () => {
  const text = $('text').value; if (!text) return;
  await call('POST', path('/reply'), { text, audience: $('note').checked ? 'AGENTS_AND_MANAGERS' : 'ALL' });
  $('text').value = ''; typingSent = 0;
});
$('image').onclick = act(() => call('POST', path('/reply'), { image: true }));
$('text').addEventListener('keydown', (e) => { if (e.key === 'Enter') $('send').click(); });
$('text').addEventListener('input', () => {
  if (!selected) return;
  clearTimeout(pauseTimer);
  pauseTimer = setTimeout(() => { typingSent = 0; call('POST', path('/typing'), { chatState: 'PAUSE' }).catch(() => {}); }, 2000);
  if (Date.now() - typingSent < 3000) return;
  typingSent = Date.now(); call('POST', path('/typing'), { chatState: 'COMPOSING' }).catch(() => {});
});
(async () => {
  const [agents, skills] = await Promise.all([call('GET', '/agents'), call('GET', '/skills')]);
  for (const a of agents.agents) { const o = el('option', '', a.name); o.value = a.id; $('agent').append(o); }
  for (const s of skills.skills) { const o = el('option', '', 'Skill: ' + s.name); o.value = 'skill:' + s.id; $('target').append(o); }
  for (const a of agents.agents) { const o = el('option', '', 'Agent: ' + a.name); o.value = 'agent:' + a.id; $('target').append(o); }
  refresh(); setInterval(refresh, 1000);
})();`,
});

export const agentPageRoute = (): Route => pageRoute('/agent', PAGE);
