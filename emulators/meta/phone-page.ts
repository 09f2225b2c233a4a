// GET /phone: a small phone to play a Messenger or WhatsApp user by hand (a kit page: one HTML document calling
// only the control API, so anything it does a test can do too). Pick the app and a user (or create one), see
// the conversation as bubbles (texts, images, quick replies / buttons / list rows to tap, rendered templates,
// each business message's status), the business typing, and send a text or an image, or read everything.
// Text from the other side is untrusted: only ever set with textContent. It polls once a second.
import { CONTROL_CALL, htmlPage, PAGE_HELPERS, pageRoute, type ControlDoc, type Route } from '../kit/index.js';

const PAGE = htmlPage({
  title: 'Meta emulator — phone',
  style: /* css */ `
  :root { font: 15px/1.4 system-ui, sans-serif; color: #1c1e21; }
  body { margin: 0; display: flex; justify-content: center; background: #e9ebee; min-height: 100vh; }
  .phone { width: 400px; max-width: 100%; background: #fff; display: grid; grid-template-rows: auto 1fr auto auto; height: 100vh; box-shadow: 0 0 12px #0002; }
  header { padding: 8px 12px; border-bottom: 1px solid #dddfe2; display: grid; gap: 6px; }
  header .row { display: flex; gap: 6px; align-items: center; }
  header select, header input { font: inherit; flex: 1; min-width: 0; }
  #log { overflow: auto; padding: 12px; display: flex; flex-direction: column; gap: 6px; }
  .msg { max-width: 80%; padding: 7px 11px; border-radius: 16px; white-space: pre-wrap; word-break: break-word; }
  .msg.biz { align-self: flex-start; background: #e4e6eb; }
  .msg.me { align-self: flex-end; background: #0084ff; color: #fff; }
  .wa .msg.me { background: #d9fdd3; color: #111b21; }
  .msg img { max-width: 180px; display: block; border-radius: 8px; margin-top: 4px; }
  .chips { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 6px; }
  .chips button { font: inherit; font-size: 13px; border: 1px solid #0084ff; color: #0084ff; background: #fff; border-radius: 14px; padding: 2px 10px; cursor: pointer; }
  .meta { font-size: 11px; color: #65676b; margin: 0 6px 4px; }
  .meta.me { align-self: flex-end; } .meta.biz { align-self: flex-start; }
  #typing { font-size: 12px; color: #65676b; padding: 0 12px; min-height: 1.4em; }
  footer { border-top: 1px solid #dddfe2; padding: 8px; display: flex; gap: 6px; }
  footer textarea { flex: 1; font: inherit; padding: 6px; resize: none; height: 2.6em; }
  #error { color: #b00020; font-size: 12px; }`,
  body: /* html */ `
<div class="phone" id="phone">
  <header>
    <div class="row"><select id="app" aria-label="App"><option value="messenger">Messenger</option><option value="whatsapp">WhatsApp</option></select>
      <select id="user" aria-label="User"></select></div>
    <div class="row"><input id="name" placeholder="New user's name" aria-label="New user's name"><button id="create">New user</button></div>
    <div id="error" role="alert"></div>
  </header>
  <div id="log" aria-live="polite"></div>
  <div id="typing"></div>
  <footer>
    <textarea id="text" placeholder="Message" aria-label="Message"></textarea>
    <button id="send">Send</button><button id="image" title="Send an image">Image</button><button id="read" title="Read everything">Read</button>
  </footer>
</div>`,
  script: /* js */ `
const api = '/__control/meta';
let drawn = '';
${PAGE_HELPERS}
${CONTROL_CALL}
const params = new URLSearchParams(location.search);
if (params.get('app')) $('app').value = params.get('app');
const app = () => $('app').value;
const uid = (u) => (app() === 'messenger' ? u.psid : u.waId);
const userPath = () => '/' + app() + '/users/' + encodeURIComponent($('user').value);
async function loadUsers(select) {
  const users = (await call('GET', '/' + app() + '/users')).users;
  const current = select || $('user').value || params.get('user');
  $('user').replaceChildren(...users.map((u) => { const o = el('option', '', u.name + ' (' + uid(u) + ')'); o.value = uid(u); return o; }));
  if (current && users.some((u) => uid(u) === current)) $('user').value = current;
  return users;
}
function chip(label, action) { const b = el('button', '', label); b.onclick = () => action().then(refresh, () => {}); return b; }
function image(url) { const i = document.createElement('img'); i.src = url; i.alt = 'image'; return i; }
function bubbleMessenger(item) {
  const m = item.m;
  if (item.me) {
    const b = el('div', 'msg me', m.postback ? '▶ ' + m.postback.title : (m.text || ''));
    for (const a of m.attachments || []) b.append(a.type === 'image' ? image(a.url) : el('div', '', '📎 ' + a.contentType));
    return [b, el('div', 'meta me', new Date(m.timestamp).toLocaleTimeString())];
  }
  const b = el('div', 'msg biz', m.text || '');
  if (m.attachment) b.append(m.attachment.type === 'image' ? image(m.attachment.url) : el('div', '', '📎 ' + m.attachment.type + ' ' + m.attachment.contentType));
  const chips = el('div', 'chips');
  for (const q of m.quickReplies || []) chips.append(chip(q.title, () => call('POST', userPath() + '/messages', { quickReply: q })));
  for (const x of m.buttons || []) chips.append(x.type === 'web_url' ? Object.assign(el('a', '', x.title), { href: x.url, target: '_blank' }) : chip(x.title, () => call('POST', userPath() + '/postbacks', { title: x.title, payload: x.payload })));
  if (chips.childElementCount) b.append(chips);
  return [b, el('div', 'meta biz', (m.tag ? m.tag + ' · ' : '') + (m.delivered ? 'delivered' : 'sent') + ' · ' + new Date(m.timestamp).toLocaleTimeString())];
}
function waText(msg) {
  const t = msg.type;
  if (t === 'text') return msg.text.body;
  if (t === 'interactive') return '▶ ' + (msg.interactive.button_reply || msg.interactive.list_reply).title;
  if (t === 'button') return '▶ ' + msg.button.text;
  if (t === 'reaction') return msg.reaction.emoji + ' (reaction)';
  if (t === 'location') return '📍 ' + msg.location.latitude + ', ' + msg.location.longitude;
  return (msg[t] && msg[t].caption) || '[' + t + ']';
}
function bubbleWhatsApp(item) {
  const m = item.m;
  if (item.me) {
    const b = el('div', 'msg me', waText(m.message));
    if (m.type === 'image' && m.mediaUrl) b.append(image(m.mediaUrl));
    return [b, el('div', 'meta me', new Date(m.timestamp).toLocaleTimeString())];
  }
  const text = m.text || (m.template && m.template.text) || (m.interactive && m.interactive.body) || (m.media && m.media.caption) || (m.reaction && m.reaction.emoji + ' (reaction)') || (m.location ? '📍 location' : '') || '';
  const b = el('div', 'msg biz', text);
  if (m.media && m.media.url) b.append(m.media.type === 'image' || m.media.type === 'sticker' ? image(m.media.url) : el('div', '', '📎 ' + (m.media.filename || m.media.type)));
  const chips = el('div', 'chips');
  if (m.interactive && m.interactive.buttons) for (const x of m.interactive.buttons) chips.append(chip(x.title, () => call('POST', userPath() + '/messages', { buttonReply: x })));
  if (m.interactive && m.interactive.sections) for (const s of m.interactive.sections) for (const r of s.rows) chips.append(chip(r.title, () => call('POST', userPath() + '/messages', { listReply: r })));
  if (chips.childElementCount) b.append(chips);
  const errs = (m.errors || []).map((e) => ' · ' + e.code + ' ' + e.title).join('');
  return [b, el('div', 'meta biz', (m.template ? 'template ' + m.template.name + ' · ' : '') + m.status + errs + ' · ' + new Date(m.timestamp).toLocaleTimeString())];
}
async function refresh() {
  $('phone').className = 'phone ' + (app() === 'whatsapp' ? 'wa' : '');
  if (!$('user').value) { $('log').replaceChildren(el('p', 'meta', 'Create a user to start.')); $('typing').textContent = ''; return; }
  try {
    const u = await call('GET', userPath());
    const items = [...u.sent.map((m) => ({ me: true, m })), ...u.received.map((m) => ({ me: false, m }))].sort((a, b) => a.m.timestamp - b.m.timestamp);
    $('typing').textContent = u.typing ? 'typing…' : '';
    const snapshot = JSON.stringify([app(), $('user').value, items]);
    if (snapshot === drawn) return;
    drawn = snapshot;
    const log = $('log');
    log.replaceChildren();
    if (!items.length) log.append(el('p', 'meta', 'No messages yet. Write one below: it reaches the business through the webhook.'));
    for (const item of items) log.append(...(app() === 'messenger' ? bubbleMessenger(item) : bubbleWhatsApp(item)));
    log.scrollTop = log.scrollHeight;
  } catch (e) {}
}
async function send(body) { if (!$('user').value) return; try { await call('POST', userPath() + '/messages', body); $('text').value = ''; } catch (e) {} refresh(); }
$('send').onclick = () => { const text = $('text').value; if (text.trim()) send({ text }); };
$('image').onclick = () => { const text = $('text').value.trim(); send(app() === 'whatsapp' && text ? { image: true, text } : { image: true }); };
$('read').onclick = async () => { try { await call('POST', userPath() + '/read'); } catch (e) {} refresh(); };
$('text').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('send').click(); } });
$('create').onclick = async () => { try { const u = await call('POST', '/' + app() + '/users', $('name').value.trim() ? { name: $('name').value.trim() } : {}); $('name').value = ''; await loadUsers(uid(u)); drawn = ''; refresh(); } catch (e) {} };
$('app').onchange = async () => { drawn = ''; $('user').replaceChildren(); await loadUsers().catch(() => {}); refresh(); };
$('user').onchange = () => { drawn = ''; refresh(); };
(async () => { await loadUsers().catch(() => {}); refresh(); setInterval(async () => { if (!$('user').value) await loadUsers().catch(() => {}); refresh(); }, 1000); })();`,
});

export const PHONE_PAGE_DOC: ControlDoc = { method: 'GET', path: '/phone', does: 'the phone page (HTML): play a Messenger or WhatsApp user by hand (?app=whatsapp&user=…)' };

export const phonePageRoute = (): Route => pageRoute('/phone', PAGE);
