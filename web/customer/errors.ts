import { ParleyApiError } from '../../sdk/src/index.js';

// What a customer reads when something fails. The SDK's errors carry the hub's stable codes; the codes a
// customer can act on get a plain sentence, the rest show the hub's own message.

export function friendlyError(e: unknown, what = 'That'): string {
  if (e instanceof ParleyApiError) {
    switch (e.code) {
      case 'PARLEY_E_PAYLOAD_TOO_LARGE':
        return `${what} is too large to send. Try a smaller file.`;
      case 'PARLEY_E_UNSUPPORTED_MEDIA_TYPE':
        return `${what} can't be sent: ${e.message}`;
      case 'PARLEY_E_RATE_LIMITED':
        return 'Too many attempts. Please wait a moment and try again.';
      case 'PARLEY_E_CONVERSATION_ENDED':
        return 'This chat has ended. Start a new one to keep talking.';
      case 'PARLEY_E_NETWORK':
      case 'PARLEY_E_TIMEOUT':
        return "Can't reach the chat service. Check your connection, or this site may not be allowed to use it.";
      default:
        return e.message;
    }
  }
  if (e instanceof TypeError) return "Can't reach the chat service. Check your connection, or this site may not be allowed to use it.";
  return e instanceof Error ? e.message : String(e);
}
