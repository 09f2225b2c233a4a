// The desk contract (desk-contract.ts) for the `connect` desk; its driver is connect-driver.ts.
import { connectDriver } from './connect-driver.js';
import { deskContract } from './desk-contract.js';

deskContract(connectDriver());
