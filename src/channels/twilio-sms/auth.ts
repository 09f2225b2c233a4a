import { staticAuth, type AuthProvider } from '../../vendor/auth.js';
import { authTokens, type TwilioSmsSettings } from './settings.js';

// The Messages API takes HTTP Basic: an API key SID and secret when configured (revocable without touching
// the Auth Token that signs webhooks), else the Account SID and the primary Auth Token
// (twilio.com/docs/usage/requests-to-twilio). Long-lived: a 401 means the credentials are wrong, which
// refetching cannot cure (VendorHttp turns the second 401 into DELIVERY_REJECTED).

export function twilioBasic(s: Pick<TwilioSmsSettings, 'accountSid' | 'authToken' | 'apiKey'>): string {
  const [user, pass] = s.apiKey ? [s.apiKey.sid, s.apiKey.secret] : [s.accountSid, authTokens(s)[0]!];
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

export const twilioAuth = (s: Pick<TwilioSmsSettings, 'accountSid' | 'authToken' | 'apiKey'>): AuthProvider => staticAuth(twilioBasic(s));
