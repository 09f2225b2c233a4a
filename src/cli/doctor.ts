import { accessSync, constants, mkdirSync } from 'node:fs';
import { sql } from 'kysely';
import { loadConfig, SETTINGS } from '../config.js';
import { isParleyError } from '../core/errors.js';
import { migrate, openDatabase } from '../store/db.js';

// `parley doctor`: checks what start-up needs, one line each, and exits non-zero if anything is wrong.

export async function doctor(): Promise<number> {
  let failures = 0;
  const ok = (msg: string) => process.stdout.write(`ok    ${msg}\n`);
  const bad = (msg: string) => {
    failures++;
    process.stdout.write(`FAIL  ${msg}\n`);
  };
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 20) ok(`Node ${process.versions.node}`);
  else bad(`Node ${process.versions.node}: Parley needs Node 20 or newer`);

  let config;
  try {
    config = loadConfig();
    ok(`configuration valid${config.configFile ? ` (${config.configFile} + environment)` : ' (environment and defaults)'}`);
  } catch (e) {
    bad(isParleyError(e) ? e.message : String(e));
    return 1;
  }
  try {
    mkdirSync(config.dataDir, { recursive: true });
    accessSync(config.dataDir, constants.W_OK);
    ok(`data folder writable: ${config.dataDir}`);
  } catch {
    bad(`data folder not writable: ${config.dataDir}`);
  }
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await sql`select 1`.execute(database.db);
    ok(`database reachable: ${database.describe}`);
    const applied = await migrate(database.db);
    ok(applied.length ? `migrations applied now: ${applied.join(', ')}` : 'schema up to date');
  } catch (e) {
    bad(`database: ${(e as Error).message}`);
  } finally {
    await database.close();
  }
  const identity = [config.identitySecret ? 'HS256 secret' : '', config.identityJwksUrl ? `JWKS ${config.identityJwksUrl}` : ''].filter(Boolean).join(' and ');
  ok(`identity tokens ${identity ? `enabled (${identity})` : 'disabled (set PARLEY_IDENTITY_SECRET or PARLEY_IDENTITY_JWKS_URL to verify customers)'}`);
  ok(`CORS origins: ${config.corsOrigins.length ? config.corsOrigins.join(', ') : 'none (same-origin only)'}`);
  process.stdout.write(`\n${Object.keys(SETTINGS).length} settings known; see README "Configuration".\n`);
  return failures ? 1 : 0;
}
