import { z } from 'zod';
import { webChannel } from '../channels/web/adapter.js';
import { createInboxDesk } from '../desks/inbox/adapter.js';
import { adapterType, type AdapterType } from './types.js';

// The built-in types. They read the log themselves (the customer API and the agent API), so an instance
// is the built-in adapter under its instance name; they take no settings yet.

export const webType = adapterType({
  type: 'web',
  side: 'channel',
  settings: z.object({}).strict(),
  create: ({ name }) => ({ ...webChannel, id: name }),
});

export const inboxType = adapterType({
  type: 'inbox',
  side: 'desk',
  settings: z.object({}).strict(),
  // A fresh instance each: it holds its node's hub once started (agentsOnline).
  create: ({ name }) => createInboxDesk(name),
});

export const BUILTIN_TYPES: AdapterType[] = [webType, inboxType];
