// Request bodies of the Connect API and the Participant Service, validated as AWS validates them: the
// required members, lengths and enums of the SDK models (@aws-sdk/client-connect 3.1136, client-connectparticipant
// 3.1019) and the API references' constraints. Unknown members are ignored, as AWS's JSON deserialisers do.
import { z } from 'zod';

export const TEXT_TYPES = ['text/plain', 'text/markdown'] as const;
/** StartChatContact SupportedMessagingContentTypes (API reference). */
export const SUPPORTED_CONTENT_TYPES = [
  'text/plain',
  'text/markdown',
  'application/json',
  'application/vnd.amazonaws.connect.message.interactive',
  'application/vnd.amazonaws.connect.message.interactive.response',
] as const;
/** SendMessage ContentType and the longest Content of each (API reference). */
export const MESSAGE_LIMITS: Record<string, number> = {
  'text/plain': 1024,
  'text/markdown': 1024,
  'application/json': 12_000,
  'application/vnd.amazonaws.connect.message.interactive.response': 12_288,
};
/** SendEvent ContentType values (API reference). */
export const EVENT_TYPES = [
  'application/vnd.amazonaws.connect.event.typing',
  'application/vnd.amazonaws.connect.event.connection.acknowledged',
  'application/vnd.amazonaws.connect.event.message.delivered',
  'application/vnd.amazonaws.connect.event.message.read',
] as const;
/** Attachment types a chat accepts by default (admin guide, "Enable attachments"), with the 20 MB limit. */
export const ATTACHMENT_TYPES = [
  'text/csv',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'image/heic',
  'image/jpeg',
  'video/quicktime',
  'video/mp4',
  'application/pdf',
  'image/png',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/rtf',
  'text/plain',
  'audio/wav',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

const clientToken = z.string().max(500);

export const StartChatContact = z.object({
  InstanceId: z.string().min(1).max(100),
  ContactFlowId: z.string().max(500),
  Attributes: z.record(z.string().min(1).max(32_767), z.string().max(32_767)).optional(),
  ParticipantDetails: z.object({ DisplayName: z.string().min(1).max(256) }),
  InitialMessage: z.object({ ContentType: z.string().min(1).max(100), Content: z.string().min(1).max(16_384) }).optional(),
  ClientToken: clientToken.optional(),
  ChatDurationInMinutes: z.number().int().min(60).max(10_080).optional(),
  SupportedMessagingContentTypes: z.array(z.string().min(1).max(100)).optional(),
  PersistentChat: z.object({ RehydrationType: z.enum(['ENTIRE_PAST_SESSION', 'FROM_SEGMENT']).optional(), SourceContactId: z.string().min(1).max(256).optional() }).optional(),
  RelatedContactId: z.string().min(1).max(256).optional(),
  CustomerId: z.string().max(128).optional(),
  DisconnectOnCustomerExit: z.array(z.enum(['AGENT'])).optional(),
});

export const StartContactStreaming = z.object({
  InstanceId: z.string().min(1).max(100),
  ContactId: z.string().min(1).max(256),
  ChatStreamingConfiguration: z.object({ StreamingEndpointArn: z.string().min(1).max(350) }),
  ClientToken: clientToken,
});

export const StopContactStreaming = z.object({
  InstanceId: z.string().min(1).max(100),
  ContactId: z.string().min(1).max(256),
  StreamingId: z.string().min(1).max(100),
});

export const StopContact = z.object({ ContactId: z.string().min(1).max(256), InstanceId: z.string().min(1).max(100) });

export const CreateParticipantConnection = z.object({
  Type: z.array(z.enum(['WEBSOCKET', 'CONNECTION_CREDENTIALS', 'WEBRTC_CONNECTION'])).min(1).optional(),
  ConnectParticipant: z.boolean().optional(),
});

export const SendMessage = z.object({ ContentType: z.string().min(1).max(100), Content: z.string().min(1).max(16_384), ClientToken: clientToken.optional() });
export const SendEvent = z.object({ ContentType: z.string().min(1).max(100), Content: z.string().max(16_384).optional(), ClientToken: clientToken.optional() });
export const Disconnect = z.object({ ClientToken: clientToken.optional() });
export const GetTranscript = z.object({
  ContactId: z.string().min(1).max(256).optional(),
  MaxResults: z.number().int().min(0).max(100).optional(),
  NextToken: z.string().min(1).max(1000).optional(),
  ScanDirection: z.enum(['FORWARD', 'BACKWARD']).optional(),
  SortOrder: z.enum(['DESCENDING', 'ASCENDING']).optional(),
  StartPosition: z
    .object({ Id: z.string().min(1).max(256).optional(), AbsoluteTime: z.string().min(1).max(100).optional(), MostRecent: z.number().int().min(0).max(100).optional() })
    .refine((p) => [p.Id, p.AbsoluteTime, p.MostRecent].filter((x) => x !== undefined).length === 1, 'exactly one of Id, AbsoluteTime, MostRecent')
    .optional(),
});
export const StartAttachmentUpload = z.object({
  ContentType: z.string().min(1).max(255),
  AttachmentSizeInBytes: z.number().int().min(1),
  AttachmentName: z.string().min(1).max(256),
  ClientToken: clientToken.min(1),
});
export const CompleteAttachmentUpload = z.object({ AttachmentIds: z.array(z.string().min(1).max(256)).min(1).max(1), ClientToken: clientToken.min(1) });
export const GetAttachment = z.object({ AttachmentId: z.string().min(1).max(256), UrlExpiryInSeconds: z.number().int().min(5).max(300).optional() });
