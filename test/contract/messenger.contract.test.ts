// The channel contract (channel-contract.ts) for the `messenger` channel; its driver is messenger-driver.ts.
import { channelContract } from './channel-contract.js';
import { messengerDriver } from './messenger-driver.js';

channelContract(messengerDriver());
