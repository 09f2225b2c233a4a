// The desk contract (desk-contract.ts) for the `liveperson` desk; its driver is liveperson-driver.ts.
import { deskContract } from './desk-contract.js';
import { livePersonDriver } from './liveperson-driver.js';

deskContract(livePersonDriver());
