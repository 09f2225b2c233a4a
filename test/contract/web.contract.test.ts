// The channel contract (channel-contract.ts) for the built-in `web` channel; its driver is web-driver.ts.
import { channelContract } from './channel-contract.js';
import { webDriver } from './web-driver.js';

channelContract(webDriver());
