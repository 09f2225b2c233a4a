// The demo page's only script. It adds the widget exactly as a business's tag would, plus
// `data-entry-point` when the page's address has `?entryPoint=…`: the route table then picks the chat's desk
// (`parley demo` prints this page with `?entryPoint=demo-genesys`, which its routes send to the emulated
// Genesys Cloud). A static tag could not take it: an async script may run before any module script here.
// "Start over" forgets this browser's Parley session, so one can play a new customer.

const entryPoint = new URLSearchParams(location.search).get('entryPoint')?.trim();
const tag = document.createElement('script');
tag.src = '/widget.js';
tag.async = true;
Object.assign(tag.dataset, { title: 'Northwind Travel', color: '#0f766e', position: 'bottom-right' }, entryPoint ? { entryPoint } : {});
document.body.append(tag);

const note = document.getElementById('entry-point');
if (entryPoint && note) {
  note.textContent = `Chats from this page open with the entry point "${entryPoint}": Parley's route table decides which desk answers them.`;
  note.hidden = false;
}

document.getElementById('reset')?.addEventListener('click', () => {
  for (const k of Object.keys(localStorage)) if (k.startsWith('parley')) localStorage.removeItem(k);
  sessionStorage.removeItem('parley-widget-open');
  location.reload();
});
