// The desk contract (desk-contract.ts) for the `inbox` desk; its driver is inbox-driver.ts.
import { deskContract } from './desk-contract.js';
import { inboxDriver } from './inbox-driver.js';

deskContract(inboxDriver());
