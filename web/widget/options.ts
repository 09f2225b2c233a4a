import { contrastRatio, WHITE, type Rgb } from '../shared/contrast.js';

// The widget's settings, read from its own <script> tag:
//
//   <script src="https://chat.example.com/widget.js" data-title="Acme support" data-color="#0a7"
//           data-position="bottom-left" data-queue="sales" data-identity-token="eyJ…" async></script>
//
// data-title (header text), data-color (accent, any CSS colour), data-position (bottom-right | bottom-left),
// data-queue (queue name for new chats), data-entry-point (the entry point new chats open with: the route
// table picks their desk and queue, e.g. a Genesys desk for this page), data-identity-token (a JWT from the business's backend: a verified
// customer), data-greeting (the empty chat's invitation). Parley's address is where the script came from
// (a path prefix is kept), so the same tag works on any site whose origin is in PARLEY_CORS_ORIGINS.

export interface WidgetOptions {
  baseUrl: string;
  title: string;
  color: string;
  onColor: string;
  position: 'bottom-right' | 'bottom-left';
  queue: string | undefined;
  entryPoint: string | undefined;
  identityToken: string | undefined;
  greeting: string | undefined;
}

const DEFAULT_COLOR = '#2155d6';

export function readOptions(script: HTMLScriptElement | null): WidgetOptions {
  const d = script?.dataset ?? {};
  const color = d.color && CSS.supports('color', d.color) ? d.color : DEFAULT_COLOR;
  return {
    baseUrl: baseUrlOf(script),
    title: d.title?.trim() || 'Chat with us',
    color,
    onColor: readableOn(color),
    position: d.position === 'bottom-left' ? 'bottom-left' : 'bottom-right',
    queue: d.queue?.trim() || undefined,
    entryPoint: d.entryPoint?.trim() || undefined,
    identityToken: d.identityToken?.trim() || undefined,
    greeting: d.greeting?.trim() || undefined,
  };
}

/** https://chat.example.com/parley/widget.js → https://chat.example.com/parley (a path prefix is kept). */
export function baseUrlOf(script: HTMLScriptElement | null): string {
  if (!script?.src) return location.origin;
  const u = new URL(script.src, location.href);
  return u.origin + u.pathname.replace(/\/[^/]*$/, '');
}

const NEAR_BLACK: Rgb = [17, 17, 17];

/** Near-black or white text, whichever has the higher WCAG contrast with the accent colour. */
export function readableOn(color: string): string {
  const rgb = parseColor(color);
  if (!rgb) return '#fff';
  return contrastRatio(rgb, WHITE) >= contrastRatio(rgb, NEAR_BLACK) ? '#fff' : '#111';
}

/** Any CSS colour → [r,g,b], by letting the browser compute it (handles names, hsl(), #rgb …). */
function parseColor(color: string): Rgb | undefined {
  const probe = document.createElement('span');
  probe.style.color = color;
  probe.style.display = 'none';
  document.documentElement.appendChild(probe);
  const computed = getComputedStyle(probe).color;
  probe.remove();
  const m = /rgba?\((\d+)[,\s]+(\d+)[,\s]+(\d+)/.exec(computed);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}
