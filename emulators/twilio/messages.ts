// The Messages resource of the 2010-04-01 API, as the official `twilio` package calls it
// (lib/rest/api/v2010/account/message.js): create (POST …/Messages.json, form-encoded), fetch (GET
// …/Messages/{Sid}.json), and the Media a message carries (GET …/Media/{Sid}: the bytes, which is where
// MediaUrl{N} of an incoming-message webhook points).
//
// Validation, with the codes of Twilio's error dictionary (twilio.com/docs/api/errors/<code>):
// - To missing → 21604; not E.164 → 21211 "Invalid 'To' Phone Number";
// - neither From nor MessagingServiceSid → 21603; a From that is not the account's number → 21606 (not a
//   valid, SMS-capable number for the account); an unknown MessagingServiceSid → 21701;
// - none of Body, MediaUrl, ContentSid → 21602 "Message body is required";
// - Body over 1,600 characters → 21617; more than 10 MediaUrl or one that is not an http(s) URL → 21620;
// - a StatusCallback that is not an http(s) URL → 21609;
// - To opted out of this sender (texted STOP) → 21610 "Attempt to send to unsubscribed recipient".
// A created message answers 201 with the resource, status `queued` (`accepted` through a Messaging
// Service), and goes on through the carrier (carrier.ts), which posts its StatusCallback.
import { json, type Route } from '../kit/index.js';
import { accountAuth, authenticates } from './auth.js';
import type { Carrier } from './carrier.js';
import { MAX_BODY, MAX_MEDIA, type Settings } from './config.js';
import { fail, invalid, notFound } from './errors.js';
import { messageResource, segments, sid, type Message, type Store } from './state.js';

const E164 = /^\+[1-9]\d{1,14}$/;
const httpUrl = (u: string): boolean => {
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

const ACCOUNT = '/2010-04-01/Accounts/:accountSid';

export function messageRoutes(store: Store, settings: Settings, carrier: Carrier): Route[] {
  const guards = [accountAuth(store)];
  return [
    {
      method: 'POST',
      path: `${ACCOUNT}/Messages.json`,
      guards,
      handler: (ctx) => {
        const form = new URLSearchParams(ctx.raw.toString('utf8'));
        const m = validate(store, form);
        store.messages.set(m.sid, m);
        carrier.send(m);
        return json(201, messageResource(store, m));
      },
    },
    {
      method: 'GET',
      path: `${ACCOUNT}/Messages.json`,
      guards,
      handler: (ctx) => {
        const to = ctx.query.get('To');
        const from = ctx.query.get('From');
        const list = [...store.messages.values()].filter((m) => (!to || m.to === to) && (!from || m.from === from)).reverse();
        const size = Math.min(1000, Number(ctx.query.get('PageSize') ?? 50) || 50);
        const uri = `/2010-04-01/Accounts/${store.accountSid}/Messages.json?PageSize=${size}&Page=0`;
        return json(200, {
          messages: list.slice(0, size).map((m) => messageResource(store, m)),
          end: Math.min(size, list.length) - 1,
          first_page_uri: uri,
          next_page_uri: null,
          page: 0,
          page_size: size,
          previous_page_uri: null,
          start: 0,
          uri,
        });
      },
    },
    {
      method: 'GET',
      path: `${ACCOUNT}/Messages/:file`,
      guards,
      handler: (ctx) => {
        const messageSid = ctx.params.file!.replace(/\.json$/, '');
        const m = store.messages.get(messageSid);
        if (!m || !ctx.params.file!.endsWith('.json')) throw notFound(ctx.path);
        return json(200, messageResource(store, m));
      },
    },
    {
      // The media bytes. Public unless the account enforces HTTP auth on media URLs (settings.mediaAuth).
      method: 'GET',
      path: `${ACCOUNT}/Messages/:messageSid/Media/:mediaSid`,
      handler: (ctx) => {
        if (settings.mediaAuth && !authenticates(store, ctx.headers.authorization)) throw fail(401, 20003, 'Authenticate');
        if (ctx.params.accountSid !== store.accountSid) throw notFound(ctx.path);
        const asJson = ctx.params.mediaSid!.endsWith('.json');
        const media = store.mediaOf(ctx.params.messageSid!, ctx.params.mediaSid!.replace(/\.json$/, ''));
        if (!media) throw notFound(ctx.path);
        // `{Sid}.json` is the Media resource; without the extension, the file itself.
        if (asJson) {
          const uri = `/2010-04-01/Accounts/${store.accountSid}/Messages/${ctx.params.messageSid}/Media/${media.sid}.json`;
          return json(200, { account_sid: store.accountSid, content_type: media.contentType, parent_sid: ctx.params.messageSid, sid: media.sid, uri });
        }
        return { status: 200, body: media.bytes, contentType: media.contentType };
      },
    },
  ];
}

function validate(store: Store, form: URLSearchParams): Message {
  const to = form.get('To');
  if (!to) throw invalid(21604, "A 'To' phone number is required.");
  if (!E164.test(to)) throw invalid(21211, `The 'To' number ${to} is not a valid phone number.`);
  const from = form.get('From');
  const service = form.get('MessagingServiceSid');
  if (!from && !service) throw invalid(21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
  if (service && service !== store.messagingServiceSid) throw invalid(21701, `The Messaging Service Sid ${service} is invalid.`);
  if (from && from !== store.number) throw invalid(21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
  const body = form.get('Body') ?? '';
  const mediaUrls = form.getAll('MediaUrl');
  if (!body && mediaUrls.length === 0 && !form.get('ContentSid')) throw invalid(21602, 'Message body is required.');
  if ([...body].length > MAX_BODY) throw invalid(21617, 'The concatenated message body exceeds the 1600 character limit.');
  if (mediaUrls.length > MAX_MEDIA || mediaUrls.some((u) => !httpUrl(u))) throw invalid(21620, 'Invalid media URL(s).');
  const statusCallback = form.get('StatusCallback');
  if (statusCallback && !httpUrl(statusCallback)) throw invalid(21609, 'Invalid StatusCallback url.');
  if (store.optedOut.has(to)) throw invalid(21610, 'Attempt to send to unsubscribed recipient');
  const now = new Date();
  return {
    sid: sid(mediaUrls.length ? 'MM' : 'SM'),
    direction: 'outbound-api',
    from: from ?? store.number,
    to,
    body,
    messagingServiceSid: service,
    status: service ? 'accepted' : 'queued',
    errorCode: null,
    errorMessage: null,
    numSegments: segments(body),
    media: [],
    mediaUrls,
    statusCallback,
    created: now,
    updated: now,
    sent: null,
  };
}
