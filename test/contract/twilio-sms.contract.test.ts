// The channel contract (channel-contract.ts) for the `twilio-sms` channel; its driver is twilio-sms-driver.ts.
import { channelContract } from './channel-contract.js';
import { twilioSmsDriver } from './twilio-sms-driver.js';

channelContract(twilioSmsDriver());
