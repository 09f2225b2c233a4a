import { awsSmsDriver } from './aws-sms-driver.js';
import { channelContract } from './channel-contract.js';

// The channel contract for the `aws-sms` channel against the AWS End User Messaging SMS emulator.
channelContract(awsSmsDriver());
