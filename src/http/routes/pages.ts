import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../server.js';

// Small server-rendered pages: the start page and the one-time first-admin setup form. (The browser apps
// — widget, customer app, agent console — are built separately and mounted next to these.)

const page = (title: string, body: string, script = '') => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:640px;margin:3rem auto;padding:0 1rem;color:#1d232a}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit}
#out{margin-top:1rem}.err{color:#b42318}code{background:#f3f4f6;padding:0 .3em}
.cards{list-style:none;padding:0;display:grid;gap:.8rem}.cards a{display:block;padding:1rem 1.2rem;border:1px solid #dde2ea;border-radius:12px;text-decoration:none;color:inherit}
.cards a:hover,.cards a:focus-visible{border-color:#2155d6;box-shadow:0 2px 10px rgb(33 85 214/.12)}.cards b{display:block;color:#2155d6;font-size:1.1rem}.cards span{color:#5d6673}.ops{color:#5d6673;font-size:.9rem}</style></head><body>${body}${script ? `<script>${script}</script>` : ''}</body></html>`;

export function pageRoutes(app: FastifyInstance): void {
  app.get('/', async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'")
      .send(
        page(
          'Parley',
          `<h1>Parley ${VERSION}</h1><p>A messaging switchboard: customer channels ↔ agent desks, through a durable log.</p>
<ul class="cards">
<li><a href="/demo/"><b>Widget demo</b><span>A business page with the chat widget embedded by one script tag. Play the customer.</span></a></li>
<li><a href="/app/"><b>Customer app</b><span>Chat and Offers tabs, photos, location; installable as an app on a phone.</span></a></li>
<li><a href="/console/"><b>Agent console</b><span>Log in as an agent to answer chats; admins manage agents, queues and keys.</span></a></li>
<li><a href="/docs"><b>API documentation</b><span>Every route, with examples (<code>/openapi.json</code> for tools).</span></a></li>
</ul>
<p class="ops">Operations: <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> · <a href="/metrics">/metrics</a></p>`,
        ),
      ),
  );

  app.get('/setup', async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
      .header('referrer-policy', 'no-referrer')
      .send(
        page(
          'Parley setup',
          `<h1>Create the first admin</h1><form id="f"><label for="name">Name</label><input id="name" required autocomplete="name">
<label for="email">E-mail</label><input id="email" type="email" required autocomplete="username">
<label for="password">Password (8 characters or more)</label><input id="password" type="password" minlength="8" required autocomplete="new-password">
<button>Create admin</button></form><p id="out" role="status"></p>`,
          `const code=new URLSearchParams(location.search).get('code')||'';history.replaceState(null,'','/setup');
document.getElementById('f').addEventListener('submit',async(ev)=>{ev.preventDefault();const out=document.getElementById('out');
const body={code,name:document.getElementById('name').value,email:document.getElementById('email').value,password:document.getElementById('password').value};
const r=await fetch('/v1/setup',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)});const j=await r.json();
if(r.ok){out.className='';out.textContent='Admin '+j.agent.email+' created. You can now log in as an agent.';}else{out.className='err';out.textContent=j.error.message;}});`,
        ),
      ),
  );
}
