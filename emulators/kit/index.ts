// The emulator kit: what every vendor emulator shares. See emulators/README.md.
export * from './http.js';
export * from './router.js';
export * from './faults.js';
export * from './request-log.js';
export * from './webhooks.js';
export * from './server.js';
export * from './control.js';
export * from './start.js';
export * from './cli.js';
export * from './png.js';
export * from './x509.js';
export * from './sns.js';
export * from './page.js';
