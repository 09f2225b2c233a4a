// POST /api/v2/conversations/messages/agentless: a message sent by the API itself, no agent. For Open
// Messaging `fromAddress` is the integration id and `toAddress` the external user id; Open agentless
// messages are text only ("the Open Messaging API supports exclusively text-only messages",
// …/openmessaging overview); textBody is limited to 765 characters for SMS and 2000 for other channels
// (SendAgentlessOutboundMessageRequest model). The message reaches the middleware on its webhook.
import { json, type Route } from '../kit/index.js';
import { apiGuards } from './auth.js';
import type { Settings } from './config.js';
import type { Desk } from './desk.js';
import { badRequest } from './errors.js';
import { viaDesk } from './inbound.js';
import { AgentlessRequest, parseBody } from './schemas.js';
import type { Store } from './state.js';

export const AGENTLESS_LIMITS = { sms: 765, other: 2000 } as const;

export function agentlessRoute(store: Store, settings: Settings, desk: Desk): Route {
  return {
    method: 'POST',
    path: '/api/v2/conversations/messages/agentless',
    guards: apiGuards(store, settings, true),
    handler: (ctx) => {
      const body = parseBody(ctx, AgentlessRequest);
      const limit = body.toAddressMessengerType === 'sms' ? AGENTLESS_LIMITS.sms : AGENTLESS_LIMITS.other;
      if (body.textBody !== undefined && body.textBody.length > limit) {
        throw badRequest(`textBody: must be at most ${limit} characters for ${body.toAddressMessengerType} (was ${body.textBody.length})`, [
          { errorCode: 'too_big', fieldName: 'textBody' },
        ]);
      }
      if (body.toAddressMessengerType !== 'open') {
        // Valid in Genesys, but this org provisions no SMS numbers or WhatsApp integrations.
        throw badRequest(`fromAddress: ${body.fromAddress} is not a provisioned ${body.toAddressMessengerType} address in this org (the emulator provisions Open Messaging only)`, [
          { errorCode: 'invalid', fieldName: 'fromAddress' },
        ]);
      }
      const integration = store.integrations.get(body.fromAddress);
      if (!integration) {
        throw badRequest(`fromAddress: no open messaging integration ${body.fromAddress}`, [{ errorCode: 'invalid', fieldName: 'fromAddress' }]);
      }
      if (body.messagingTemplate !== undefined) {
        throw badRequest('messagingTemplate: templates are for WhatsApp; Open agentless messages are text only', [{ errorCode: 'invalid', fieldName: 'messagingTemplate' }]);
      }
      if (!body.textBody) throw badRequest('textBody: required for open messages (text only)', [{ errorCode: 'required', fieldName: 'textBody' }]);
      const text = body.textBody;
      const useExisting = body.useExistingActiveConversation ?? false;
      const { conversation, message } = viaDesk(() => desk.agentless(integration, body.toAddress, text, useExisting));
      return json(202, {
        id: message.id,
        conversationId: conversation.id,
        fromAddress: body.fromAddress,
        toAddress: body.toAddress,
        messengerType: 'open',
        useExistingActiveConversation: useExisting,
        textBody: text,
        timestamp: message.at,
        selfUri: `/api/v2/conversations/messages/agentless/${message.id}`,
      });
    },
  };
}
