// The channel contract (channel-contract.ts) for the `whatsapp` channel; its driver is whatsapp-driver.ts.
import { channelContract } from './channel-contract.js';
import { whatsappDriver } from './whatsapp-driver.js';

channelContract(whatsappDriver());
