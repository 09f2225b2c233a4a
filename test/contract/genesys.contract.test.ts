// The desk contract (desk-contract.ts) for the `genesys` desk; its driver is genesys-driver.ts.
import { deskContract } from './desk-contract.js';
import { genesysDriver } from './genesys-driver.js';

deskContract(genesysDriver());
