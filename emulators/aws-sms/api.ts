// The SMS Voice v2 API as @aws-sdk/client-pinpoint-sms-voice-v2 calls it: AWS JSON 1.0, `POST /` with
// `X-Amz-Target: PinpointSMSVoiceV2.<Operation>` and `Content-Type: application/x-amz-json-1.0`, signed with
// SigV4 for the `sms-voice` signing name. Validation follows the API reference for SendTextMessage:
// DestinationPhoneNumber required, E.164; OriginationIdentity a number, id or ARN the account owns;
// MessageBody 1–1600 characters; MessageType TRANSACTIONAL | PROMOTIONAL; ConfigurationSetName known;
// an opted-out destination refused with ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HttpError, type Ctx, type Guard, type Reply, type Route } from '../kit/index.js';
import { verifySigV4 } from '../kit/sigv4.js';
import { MAX_MESSAGE_BODY, type Settings } from './config.js';
import type { Carrier } from './carrier.js';
import { awsError, conflict, JSON_10, notFound, validation } from './errors.js';
import type { Store } from './state.js';

const E164 = /^\+[1-9]\d{1,14}$/;
const TARGET_PREFIX = 'PinpointSMSVoiceV2.';

const SendTextMessage = z.looseObject({
  DestinationPhoneNumber: z.unknown().optional(),
  OriginationIdentity: z.unknown().optional(),
  MessageBody: z.unknown().optional(),
  MessageType: z.unknown().optional(),
  ConfigurationSetName: z.unknown().optional(),
  Context: z.record(z.string(), z.string()).optional(),
  DryRun: z.boolean().optional(),
});

function sigV4Guard(settings: Settings): Guard {
  return (ctx: Ctx) => {
    const result = verifySigV4(
      { method: ctx.method, url: ctx.req.url ?? '/', headers: ctx.headers, body: ctx.raw },
      { service: 'sms-voice', region: settings.region, lookup: (id) => (id === settings.accessKeyId ? { secretAccessKey: settings.secretAccessKey } : undefined) },
    );
    if (!result.ok) throw new HttpError(awsError(result.status, result.type, { Message: result.message }));
  };
}

const jsonReply = (body: unknown): Reply => ({ status: 200, body: JSON.stringify(body), contentType: JSON_10, headers: { 'x-amzn-requestid': randomUUID() } });

export function apiRoutes(store: Store, settings: Settings, carrier: Carrier): Route[] {
  const operations: Record<string, (input: Record<string, unknown>) => Reply> = {
    SendTextMessage: (input) => sendTextMessage(store, settings, carrier, input),
    DescribePhoneNumbers: () =>
      jsonReply({
        PhoneNumbers: [
          {
            PhoneNumberArn: store.number.phoneNumberArn,
            PhoneNumberId: store.number.phoneNumberId,
            PhoneNumber: store.number.phoneNumber,
            Status: 'ACTIVE',
            IsoCountryCode: 'US',
            MessageType: 'TRANSACTIONAL',
            NumberCapabilities: ['SMS'],
            NumberType: 'TOLL_FREE',
            TwoWayEnabled: true,
            TwoWayChannelArn: settings.topicArn,
            SelfManagedOptOutsEnabled: false,
            OptOutListName: 'Default',
            DeletionProtectionEnabled: false,
            CreatedTimestamp: 1_700_000_000,
          },
        ],
      }),
  };
  return [
    {
      method: 'POST',
      path: '/',
      guards: [sigV4Guard(settings)],
      handler: (ctx) => {
        const target = String(ctx.headers['x-amz-target'] ?? '');
        const op = target.startsWith(TARGET_PREFIX) ? operations[target.slice(TARGET_PREFIX.length)] : undefined;
        if (!op) return awsError(400, 'UnknownOperationException', { Message: `Unknown operation ${target}` });
        const type = String(ctx.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== JSON_10) return awsError(400, 'SerializationException', { Message: `Unsupported content type ${type || '(none)'}` });
        const input = ctx.json();
        if (typeof input !== 'object' || input === null || Array.isArray(input)) return awsError(400, 'SerializationException', { Message: 'The request body must be a JSON object.' });
        return op(input as Record<string, unknown>);
      },
    },
  ];
}

function sendTextMessage(store: Store, settings: Settings, carrier: Carrier, raw: Record<string, unknown>): Reply {
  const parsed = SendTextMessage.safeParse(raw);
  if (!parsed.success) throw validation('1 validation error detected: a member has the wrong type.', 'CANNOT_PARSE');
  const input = parsed.data;
  const to = input.DestinationPhoneNumber;
  if (to === undefined || to === null) throw validation("1 validation error detected: Value null at 'destinationPhoneNumber' failed to satisfy constraint: Member must not be null", 'MISSING_PARAMETER', 'DestinationPhoneNumber');
  if (typeof to !== 'string' || !E164.test(to)) throw validation(`Invalid destination phone number: ${String(to)}. It must be in E.164 format.`, 'INVALID_PARAMETER', 'DestinationPhoneNumber');
  const origin = input.OriginationIdentity ?? store.number.phoneNumber;
  if (typeof origin !== 'string' || origin.length < 1 || origin.length > 256) throw validation('OriginationIdentity must be 1 to 256 characters.', 'INVALID_PARAMETER', 'OriginationIdentity');
  if (!store.isOurs(origin)) throw notFound('phone-number', origin);
  const body = input.MessageBody;
  if (body === undefined || body === null) throw validation('A MessageBody is required for SendTextMessage.', 'MISSING_PARAMETER', 'MessageBody');
  if (typeof body !== 'string' || body.length < 1 || body.length > MAX_MESSAGE_BODY) {
    throw validation(`1 validation error detected: Value at 'messageBody' failed to satisfy constraint: Member must have length between 1 and ${MAX_MESSAGE_BODY}`, 'FIELD_VALIDATION_FAILED', 'MessageBody');
  }
  const messageType = input.MessageType ?? 'TRANSACTIONAL';
  if (messageType !== 'TRANSACTIONAL' && messageType !== 'PROMOTIONAL') throw validation(`Invalid MessageType: ${String(messageType)}`, 'INVALID_PARAMETER', 'MessageType');
  const cs = input.ConfigurationSetName;
  if (cs !== undefined && cs !== settings.configurationSetName && cs !== `arn:aws:sms-voice:${settings.region}:${settings.accountId}:configuration-set/${settings.configurationSetName}`) {
    throw notFound('configuration-set', String(cs));
  }
  if (store.optedOut.has(to)) throw conflict(`The destination phone number ${to} is opted out.`, 'DESTINATION_PHONE_NUMBER_OPTED_OUT', 'opt-out-list', 'Default');
  const messageId = randomUUID();
  if (input.DryRun) return jsonReply({ MessageId: messageId });
  const received = {
    messageId,
    from: store.number.phoneNumber,
    to,
    body,
    messageType,
    ...(cs !== undefined ? { configurationSetName: settings.configurationSetName } : {}),
    ...(input.Context ? { context: input.Context } : {}),
    at: new Date().toISOString(),
  };
  store.received.push(received);
  carrier.delivered(received);
  return jsonReply({ MessageId: messageId });
}
