// Middleware → Genesys: the Open Messaging inbound endpoints (developer.genesys.cloud
// commdigital/digital/openmessaging; SDK ConversationsApi.postConversationsMessageInboundOpen*).
// Bodies are validated by schemas.ts; responses follow the SDK's response models.
import { json, type Ctx, type Reply, type Route } from '../kit/index.js';
import { apiGuards } from './auth.js';
import type { Settings } from './config.js';
import { DeskError, type Desk } from './desk.js';
import { badRequest, fail, notFound } from './errors.js';
import { InboundEvent, InboundMessage, InboundReceipt, LegacyInboundMessage, parseBody, StructuredResponse } from './schemas.js';
import { messageId, type Customer, type Integration, type Store } from './state.js';

/** Runs a desk operation, answering its refusals as Genesys errors. */
export function viaDesk<T>(op: () => T): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof DeskError) throw err.status === 404 ? notFound(err.message) : fail(err.status, err.status === 409 ? 'conflict' : 'bad.request', err.message);
    throw err;
  }
}

function customerOf(from: { id: string; idType: Customer['idType']; nickname?: string | undefined; firstName?: string | undefined; lastName?: string | undefined }): Customer {
  return {
    id: from.id,
    idType: from.idType,
    ...(from.nickname ? { nickname: from.nickname } : {}),
    ...(from.firstName ? { firstName: from.firstName } : {}),
    ...(from.lastName ? { lastName: from.lastName } : {}),
  };
}

/** The normalized `channel` Genesys echoes back: this integration, Open, Private. */
function echoChannel(integration: Integration, channel: Record<string, unknown>): Record<string, unknown> {
  return { id: integration.id, platform: 'Open', type: 'Private', ...channel, to: { id: integration.id } };
}

export function inboundRoutes(store: Store, settings: Settings, desk: Desk): Route[] {
  const guards = apiGuards(store, settings, true);
  const integrationOf = (ctx: Ctx): Integration => {
    const integration = store.integrations.get(ctx.params.integrationId!);
    if (!integration) throw notFound(`Open messaging integration ${ctx.params.integrationId} not found.`);
    return integration;
  };
  const checkText = (text: string | undefined): void => {
    if (text !== undefined && text.length > settings.maxInboundTextLength) {
      throw badRequest(`text: must be at most ${settings.maxInboundTextLength} characters (was ${text.length})`, [{ errorCode: 'too_big', fieldName: 'text' }]);
    }
  };
  // Genesys's validator: "should have required property 'content', should have required property
  // '.text'" when a message has neither (quoted in a Genesys community thread).
  const requireTextOrContent = (text: string | undefined, content: unknown[] | undefined): void => {
    if ((text === undefined || text === '') && !content?.length) {
      throw badRequest("should have required property 'content', should have required property '.text'", [
        { errorCode: 'required', fieldName: 'text' },
        { errorCode: 'required', fieldName: 'content' },
      ]);
    }
  };

  const message = (ctx: Ctx): Reply => {
    const integration = integrationOf(ctx);
    const body = parseBody(ctx, InboundMessage);
    requireTextOrContent(body.text, body.content);
    checkText(body.text);
    const content = body.content?.map((c) => ({ contentType: 'Attachment', attachment: c.attachment }));
    const { conversation, message } = viaDesk(() =>
      desk.customerMessage(integration, customerOf(body.channel.from), {
        ...(body.text !== undefined ? { text: body.text } : {}),
        ...(content ? { content } : {}),
        ...(body.channel.messageId ? { providerMessageId: body.channel.messageId } : {}),
      }),
    );
    return json(202, {
      id: message.id,
      channel: echoChannel(integration, body.channel),
      type: 'Text',
      ...(body.text !== undefined ? { text: body.text } : {}),
      ...(content ? { content } : {}),
      ...(body.metadata ? { metadata: body.metadata } : {}),
      ...(ctx.query.get('prefetchConversationId') === 'true' ? { conversationId: conversation.id } : {}),
    });
  };

  const event = (ctx: Ctx): Reply => {
    const integration = integrationOf(ctx);
    const body = parseBody(ctx, InboundEvent);
    const typing = body.events.find((e) => e.eventType === 'Typing');
    if (typing) desk.customerTyping(integration, body.channel.from.id, typing.typing?.duration ?? 5000);
    return json(202, { id: messageId(), channel: echoChannel(integration, body.channel), type: 'Event', events: body.events });
  };

  const receipt = (ctx: Ctx): Reply => {
    const integration = integrationOf(ctx);
    const body = parseBody(ctx, InboundReceipt);
    viaDesk(() => desk.receipt(integration, body.id, body.status, body.reasons));
    return json(202, {
      id: body.id,
      channel: { id: integration.id, platform: 'Open', type: 'Private', to: body.channel.to, from: { id: integration.id, idType: 'Opaque' }, time: body.channel.time },
      type: 'Receipt',
      status: body.status,
      ...(body.reasons ? { reasons: body.reasons } : {}),
      ...(body.isFinalReceipt !== undefined ? { isFinalReceipt: body.isFinalReceipt } : {}),
      direction: 'Outbound',
    });
  };

  const structured = (ctx: Ctx): Reply => {
    const integration = integrationOf(ctx);
    const body = parseBody(ctx, StructuredResponse);
    const original = store.findMessage(integration.id, body.originatingMessageId);
    if (!original || original.message.direction !== 'outbound') {
      throw badRequest(`originatingMessageId: no outbound message ${body.originatingMessageId} on this integration`, [
        { errorCode: 'invalid', fieldName: 'originatingMessageId' },
      ]);
    }
    const content = [{ contentType: 'ButtonResponse', buttonResponse: body.buttonResponse }];
    const { conversation, message } = viaDesk(() =>
      desk.customerMessage(integration, customerOf(body.channel.from), {
        text: body.buttonResponse.text,
        content,
        type: 'Structured',
        ...(body.channel.messageId ? { providerMessageId: body.channel.messageId } : {}),
      }),
    );
    return json(202, { id: message.id, channel: echoChannel(integration, body.channel), type: 'Structured', direction: 'Inbound', content, conversationId: conversation.id });
  };

  // Deprecated all-in-one endpoint: the integration is named by channel.to.id.
  const legacy = (ctx: Ctx): Reply => {
    const body = parseBody(ctx, LegacyInboundMessage);
    const integration = store.integrations.get(body.channel.to.id);
    if (!integration) throw badRequest(`channel.to.id: no open messaging integration ${body.channel.to.id}`, [{ errorCode: 'invalid', fieldName: 'channel.to.id' }]);
    requireTextOrContent(body.text, body.content);
    checkText(body.text);
    const { message } = viaDesk(() =>
      desk.customerMessage(integration, customerOf(body.channel.from), {
        ...(body.text !== undefined ? { text: body.text } : {}),
        ...(body.content ? { content: body.content } : {}),
        providerMessageId: body.channel.messageId,
      }),
    );
    return json(202, { ...body, id: message.id, channel: { ...body.channel, id: integration.id, type: 'Private' } });
  };

  const base = '/api/v2/conversations/messages/:integrationId/inbound/open';
  return [
    { method: 'POST', path: `${base}/message`, guards, handler: message },
    { method: 'POST', path: `${base}/event`, guards, handler: event },
    { method: 'POST', path: `${base}/receipt`, guards, handler: receipt },
    { method: 'POST', path: `${base}/structured/response`, guards, handler: structured },
    { method: 'POST', path: '/api/v2/conversations/messages/inbound/open', guards, handler: legacy },
  ];
}
