import { render } from 'preact';
import chatCss from '../shared/chat.css?inline';
import appCss from './app.css?inline';
import { App } from './app.js';
import { readSettings } from './settings.js';

// The customer app's entry: styles (the same chat styles as the widget, plus the app frame), the app, and
// the service worker that makes it installable and opens it offline.

const style = document.createElement('style');
style.textContent = chatCss + appCss;
document.head.appendChild(style);

render(<App settings={readSettings()} />, document.getElementById('root') as HTMLElement);

if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {
      // No service worker (private mode, http on a non-localhost host): the app still works online.
    });
  });
}
