import { z } from 'zod';

// zod schemas of what LivePerson sends and answers (vendor-protocols §4.3–4.5). Loose objects: LivePerson
// adds fields without notice, and a new one must never turn a genuine notification into an error. Arrays
// are bounded.

const Str = (max: number) => z.string().max(max);

/** One answer of the CONVERSATION or SEND endpoint: `{reqId, code, body}` (`code` "OK" or 200 on success). */
export const LpAnswer = z.looseObject({
  reqId: z.union([z.string(), z.number()]).optional(),
  code: z.union([z.string(), z.number()]).optional(),
  body: z.unknown().optional(),
});
export type LpAnswer = z.output<typeof LpAnswer>;
export const LpAnswers = z.array(LpAnswer).max(20);

export const isOk = (a: LpAnswer | undefined): boolean => a !== undefined && (a.code === 'OK' || a.code === 200 || a.code === '200');

/** A `hosted/file` message: where the file is and what it is. */
export const HostedFile = z.looseObject({ relativePath: Str(2000), fileType: Str(50).optional(), caption: Str(5000).optional(), preview: Str(200_000).optional() });

export const LpEvent = z.looseObject({
  type: Str(100),
  contentType: Str(200).optional(),
  message: z.union([Str(50_000), HostedFile]).optional(),
  chatState: Str(50).optional(),
  status: Str(50).optional(),
  sequenceList: z.array(z.number().int().min(0)).max(10_000).optional(),
  content: z.unknown().optional(),
  quickReplies: z.unknown().optional(),
});
export type LpEvent = z.output<typeof LpEvent>;

/** One change of an `ms.MessagingEventNotification`. */
export const MessagingChange = z.looseObject({
  sequence: z.number().int().min(0).optional(),
  originatorId: Str(200).optional(),
  originatorMetadata: z.looseObject({ id: Str(200).optional(), role: Str(100).optional() }).optional(),
  serverTimestamp: z.number().optional(),
  event: LpEvent,
  conversationId: Str(200).optional(),
  dialogId: Str(200),
  messageAudience: Str(100).optional(),
});
export type MessagingChange = z.output<typeof MessagingChange>;

export const Participant = z.looseObject({ id: Str(200), role: Str(100) });
export const Dialog = z.looseObject({ dialogId: Str(200), dialogType: Str(100).optional(), state: Str(50).optional(), closedBy: Str(100).optional() });

/** One change of a `cqm.ExConversationChangeNotification`. */
export const ConversationChange = z.looseObject({
  type: Str(50).optional(),
  result: z.looseObject({
    convId: Str(200),
    conversationDetails: z.looseObject({
      skillId: z.union([Str(50), z.number()]).optional(),
      state: Str(50).optional(),
      stage: Str(50).optional(),
      closeReason: Str(100).optional(),
      participants: z.array(Participant).max(200).optional(),
      dialogs: z.array(Dialog).max(50).optional(),
    }),
  }),
});
export type ConversationChange = z.output<typeof ConversationChange>;

/** A notification: its `changes` are read one by one (an unreadable one is skipped, not the whole batch). */
export const Notification = z.looseObject({
  kind: Str(50).optional(),
  type: Str(200),
  body: z.looseObject({ sentTs: z.number().optional(), changes: z.array(z.unknown()).max(5000) }),
});

/** `ms.GenerateURLForUploadFile` / `…DownloadFile` answers: where the file goes or is, and its temporary signature. */
export const FileUrl = z.looseObject({
  relativePath: Str(2000),
  queryParams: z.looseObject({ temp_url_sig: Str(500), temp_url_expires: z.union([Str(50), z.number()]) }),
});
