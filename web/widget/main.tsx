import { render } from 'preact';
import chatCss from '../shared/chat.css?inline';
import { readOptions } from './options.js';
import { Widget } from './widget.js';
import widgetCss from './widget.css?inline';

// /widget.js: a business adds one <script> tag; this draws a launcher and a chat panel inside a shadow
// root, so the page's CSS cannot reach in (and ours cannot leak out).

// Read now: document.currentScript is only set while this script first runs.
const script = document.currentScript as HTMLScriptElement | null;

declare global {
  interface Window {
    __parleyWidget?: boolean;
  }
}

function boot(): void {
  // A page that includes the tag twice (a CMS block plus a template) gets one widget.
  if (window.__parleyWidget) return;
  window.__parleyWidget = true;
  const options = readOptions(script);
  // A custom element name, so the page's element selectors (div, section…) never match the host, and
  // inline !important styles, which beat anything in the page's stylesheets: the host has no box at all.
  const host = document.createElement('parley-widget');
  host.style.cssText = 'all: initial !important; display: contents !important;';
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = chatCss + widgetCss;
  const mount = document.createElement('div');
  shadow.append(style, mount);
  document.body.appendChild(host);
  render(<Widget options={options} />, mount);
}

if (document.body) boot();
else document.addEventListener('DOMContentLoaded', boot, { once: true });
