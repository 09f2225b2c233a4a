// GET /phone: a small page to play a customer's phone by hand (a kit page: one HTML document calling only the
// control API, so anything it does a test can do too): text the account's number as the phone (?number=+1555…,
// default +15551230001) and see the thread both ways, what the number sent with its delivery status. Text from
// the other side is untrusted: only ever set with textContent. It polls once a second and redraws on change.
import { CONTROL_CALL, htmlPage, PAGE_HELPERS, pageRoute, type ControlDoc, type Route } from '../kit/index.js';

export const DEFAULT_PHONE = '+15551230001';

const PAGE = htmlPage({
  title: 'Twilio emulator — phone',
  style: /* css */ `
  :root { font: 15px/1.4 system-ui, sans-serif; color: #121c2d; }
  body { margin: 0; display: flex; justify-content: center; background: #e8ebf1; min-height: 100vh; }
  .phone { width: 380px; max-width: 100%; background: #fff; display: grid; grid-template-rows: auto 1fr auto; height: 100vh; box-shadow: 0 0 12px #0002; }
  header { padding: 10px 14px; border-bottom: 1px solid #d8dce3; }
  header label { font-size: 12px; color: #606b85; display: block; }
  header input { font: inherit; width: 100%; box-sizing: border-box; padding: 4px 6px; }
  #to { font-weight: 600; }
  #log { overflow: auto; padding: 12px; display: flex; flex-direction: column; gap: 6px; }
  .msg { max-width: 78%; padding: 7px 11px; border-radius: 16px; white-space: pre-wrap; word-break: break-word; }
  .msg.in { align-self: flex-start; background: #e4e7ed; }
  .msg.out { align-self: flex-end; background: #0263e0; color: #fff; }
  .meta { font-size: 11px; color: #606b85; margin: 0 6px 4px; }
  .meta.out { align-self: flex-end; } .meta.in { align-self: flex-start; }
  footer { border-top: 1px solid #d8dce3; padding: 10px; display: flex; gap: 8px; }
  footer textarea { flex: 1; font: inherit; padding: 6px; resize: none; height: 2.6em; }
  #error { color: #b00020; font-size: 12px; }
  #empty { color: #606b85; text-align: center; margin-top: 24px; }`,
  body: /* html */ `
<div class="phone">
  <header>
    <label for="me">This phone</label><input id="me" aria-label="This phone's number">
    <div>texting <span id="to">…</span> <span id="error" role="alert"></span></div>
  </header>
  <div id="log" aria-live="polite"><p id="empty">No texts yet. Write one below: it reaches Parley through Twilio's webhook.</p></div>
  <footer>
    <textarea id="text" placeholder="Text message" aria-label="Text message"></textarea>
    <button id="send">Send</button>
  </footer>
</div>`,
  script: /* js */ `
const api = '/__control/twilio';
let drawn = '';
${PAGE_HELPERS}
${CONTROL_CALL}
$('me').value = new URLSearchParams(location.search).get('number') || '${DEFAULT_PHONE}';
async function refresh() {
  const me = $('me').value.trim();
  try {
    const all = (await call('GET', '/messages')).messages;
    const mine = all.filter((m) => (m.direction === 'inbound' ? m.from === me : m.to === me));
    const snapshot = JSON.stringify([me, mine.map((m) => [m.sid, m.status])]);
    if (snapshot === drawn) return;
    drawn = snapshot;
    const log = $('log');
    log.replaceChildren();
    if (!mine.length) log.append(el('p', '', 'No texts yet. Write one below: it reaches Parley through Twilio\\'s webhook.'));
    for (const m of mine) {
      const out = m.direction === 'inbound';
      const bubble = el('div', 'msg ' + (out ? 'out' : 'in'), m.body || '');
      for (const x of m.media || []) bubble.append(el('div', 'meta', '📎 ' + x.contentType));
      log.append(bubble);
      log.append(el('div', 'meta ' + (out ? 'out' : 'in'), (out ? 'sent' : (m.keywordReply ? 'Twilio (keyword reply) · ' : '') + m.status) + ' · ' + new Date(m.date_created).toLocaleTimeString()));
    }
    log.scrollTop = log.scrollHeight;
  } catch (e) {}
}
async function send() {
  const body = $('text').value;
  if (!body.trim()) return;
  try {
    await call('POST', '/phones/' + encodeURIComponent($('me').value.trim()) + '/messages', { body });
    $('text').value = '';
  } catch (e) {}
  refresh();
}
$('send').onclick = send;
$('text').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); send(); } });
$('me').addEventListener('change', () => { drawn = ''; refresh(); });
(async () => {
  // The emulator's summary (GET /__control) names the number; /__control/twilio itself is not a route.
  try { $('to').textContent = (await (await fetch('/__control')).json()).number; } catch (e) { $('error').textContent = e.message; }
  refresh(); setInterval(refresh, 1000);
})();`,
});

export const PHONE_PAGE_DOC: ControlDoc = { method: 'GET', path: '/phone', does: 'the phone page (HTML): text the number as a phone, see the thread (?number=+1555…)' };

export const phonePageRoute = (): Route => pageRoute('/phone', PAGE);
