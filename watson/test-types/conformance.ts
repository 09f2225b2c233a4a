import type { PublicConfig, ServiceDesk, ServiceDeskCallback } from '@carbon/ai-chat';
import { ParleyServiceDesk, serviceDeskFactory } from '../src/main.js';

// Compile-time test (run by `npm test` through `tsc -p watson/tsconfig.json`): Parley's bundle against the
// service desk API as @carbon/ai-chat types it. It fails to compile if the factory no longer fits web chat's
// `serviceDeskFactory` option, if a ServiceDesk method is missing or has a different signature, or if web
// chat adds a method we do not implement.

// The factory is what web chat's config takes.
export const config: Pick<PublicConfig, 'serviceDeskFactory'> = { serviceDeskFactory: serviceDeskFactory({ url: 'https://parley.example.com' }) };

// The class is a ServiceDesk (each member's signature is checked by `implements`, and here by assignment).
export const asDesk = (d: ParleyServiceDesk): ServiceDesk => d;

// Every ServiceDesk method is implemented, except screen sharing, which no Parley desk offers.
type NotImplemented = 'screenShareStop';
type Missing = Exclude<keyof ServiceDesk, keyof ParleyServiceDesk | NotImplemented>;
export const everyMethod: [Missing] extends [never] ? true : Missing = true;

// Hosted web chat's updateState is there too (its ServiceDesk has it; @carbon/ai-chat's does not).
export const hostedExtras: keyof ParleyServiceDesk = 'updateState';

// The callbacks this bundle calls: everything web chat offers except screen sharing.
type Used = Exclude<keyof ServiceDeskCallback, 'screenShareRequest' | 'screenShareEnded'>;
export const usedCallbacks: Record<Used, true> = {
  updateCapabilities: true,
  updateAgentAvailability: true,
  agentJoined: true,
  agentReadMessages: true,
  agentTyping: true,
  sendMessageToUser: true,
  beginTransferToAnotherAgent: true,
  agentLeftChat: true,
  agentEndedChat: true,
  setErrorStatus: true,
  setFileUploadStatus: true,
  persistedState: true,
  updatePersistedState: true,
};
