import { awsSmsType } from '../channels/aws-sms/adapter.js';
import { messengerType } from '../channels/messenger/adapter.js';
import { twilioSmsType } from '../channels/twilio-sms/adapter.js';
import { whatsappType } from '../channels/whatsapp/adapter.js';
import { connectType } from '../desks/connect/adapter.js';
import { genesysType } from '../desks/genesys/adapter.js';
import { livePersonType } from '../desks/liveperson/adapter.js';
import { BUILTIN_TYPES } from './builtins.js';
import type { AdapterType } from './types.js';

// Every adapter type this build knows, in one list: `parley start` builds the configured instances from it
// and `parley config` documents each type's settings from it. A new channel or desk type is added here.

export const ADAPTER_TYPES: AdapterType[] = [...BUILTIN_TYPES, genesysType, connectType, twilioSmsType, awsSmsType, messengerType, whatsappType, livePersonType];
