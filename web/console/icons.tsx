// Line icons as inline SVG: emoji glyphs depend on the system's fonts (a bare Linux desk shows empty boxes).

const base = { width: 16, height: 16, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': true } as const;

export const BellIcon = ({ off = false }: { off?: boolean }) => (
  <svg {...base}>
    <path d="M6 8a6 6 0 0112 0c0 7 3 9 3 9H3s3-2 3-9" />
    <path d="M10.3 21a1.94 1.94 0 003.4 0" />
    {off ? <path d="M3 3l18 18" /> : null}
  </svg>
);

export const ClipIcon = () => (
  <svg {...base}>
    <path d="M21 12.5l-8.4 8.4a5.5 5.5 0 01-7.8-7.8l8.8-8.8a3.7 3.7 0 015.2 5.2l-8.8 8.8a1.8 1.8 0 01-2.6-2.6l8.1-8.1" />
  </svg>
);

export const BoltIcon = () => (
  <svg {...base}>
    <path d="M13 2L4 14h7l-1 8 9-12h-7z" />
  </svg>
);

export const QrIcon = () => (
  <svg {...base}>
    <rect x="3" y="3" width="7" height="7" rx="1" />
    <rect x="14" y="3" width="7" height="7" rx="1" />
    <rect x="3" y="14" width="7" height="7" rx="1" />
    <path d="M14 14h3v3h-3zM20 14v.01M14 20h.01M17 20h4v-3" />
  </svg>
);

export const CannedIcon = () => (
  <svg {...base}>
    <path d="M4 5h16v11H9l-5 4z" />
    <path d="M9 9h6M9 12h4" />
  </svg>
);
