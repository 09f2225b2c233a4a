// Parley SDK: one typed client for customers (widget, app, a business's own mobile app) and agents
// (console, admin tools), in browsers and in Node 20+ (pass the `ws` package as `WebSocket`).
export * from './types.js';
export { CustomerClient, type CustomerConnectOptions } from './customer.js';
export { AgentClient, type AdminApi } from './agent.js';
export { MemoryStorage } from './store.js';

export const SDK_VERSION = '0.1.0';
