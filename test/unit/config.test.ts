import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ParleyError } from '../../src/core/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeFile = (obj: unknown, name = 'parley.config.json') => writeFileSync(join(dir, name), typeof obj === 'string' ? obj : JSON.stringify(obj));

function configError(env: Record<string, string>): ParleyError {
  try {
    loadConfig(env, dir);
  } catch (e) {
    expect(e).toBeInstanceOf(ParleyError);
    expect((e as ParleyError).code).toBe('PARLEY_E_CONFIG');
    return e as ParleyError;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('uses the defaults when nothing is set, with the data folder under the working directory', () => {
    const c = loadConfig({}, dir);
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe(join(dir, 'data'));
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.identitySecret).toBeUndefined();
    expect(c.deliveryMaxAttempts).toBe(8);
    expect(c.configFile).toBeNull();
  });

  it('reads parley.config.json from the working directory', () => {
    writeFile({ port: 9001, deliveryMaxAttempts: 3, corsOrigins: ['https://a.example'] });
    const c = loadConfig({}, dir);
    expect(c.port).toBe(9001);
    expect(c.deliveryMaxAttempts).toBe(3);
    expect(c.corsOrigins).toEqual(['https://a.example']);
    expect(c.configFile).toBe(join(dir, 'parley.config.json'));
  });

  it('environment variables win over the file', () => {
    writeFile({ port: 9001, logLevel: 'debug', printSetup: true });
    const c = loadConfig({ PORT: '9002', LOG_LEVEL: 'warn', PARLEY_PRINT_SETUP: 'false' }, dir);
    expect(c.port).toBe(9002);
    expect(c.logLevel).toBe('warn');
    expect(c.printSetup).toBe(false);
  });

  it('an empty environment variable counts as unset, so the file value stays', () => {
    writeFile({ port: 9001 });
    expect(loadConfig({ PORT: '' }, dir).port).toBe(9001);
  });

  it('PARLEY_CONFIG names another file; a missing one is an error', () => {
    writeFile({ port: 7007 }, 'other.json');
    expect(loadConfig({ PARLEY_CONFIG: 'other.json' }, dir).port).toBe(7007);
    expect(configError({ PARLEY_CONFIG: 'missing.json' }).message).toContain('missing.json');
  });

  it('parses lists and booleans from strings', () => {
    const c = loadConfig({ PARLEY_CORS_ORIGINS: 'https://a.example, https://b.example,,', PARLEY_PRINT_SETUP: '0', PARLEY_PUBLIC_URL: 'https://chat.example.com//' }, dir);
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.printSetup).toBe(false);
    expect(c.publicUrl).toBe('https://chat.example.com');
  });

  it('a bad environment value stops with a message naming the variable and the value', () => {
    const e = configError({ PORT: 'eighty' });
    expect(e.message).toContain('PORT');
    expect(e.message).toContain('eighty');
    expect(e.details).toEqual({ key: 'port', env: 'PORT' });
  });

  it('a bad file value stops with a message naming the key and the file', () => {
    writeFile({ deliveryMaxAttempts: 0 });
    const e = configError({});
    expect(e.message).toContain('"deliveryMaxAttempts"');
    expect(e.message).toContain(join(dir, 'parley.config.json'));
    expect(e.details).toEqual({ key: 'deliveryMaxAttempts', env: 'PARLEY_DELIVERY_MAX_ATTEMPTS' });
  });

  it('rejects out-of-range and wrongly typed values', () => {
    expect(configError({ PARLEY_BODY_LIMIT: '10' }).message).toContain('PARLEY_BODY_LIMIT');
    expect(configError({ PARLEY_DEFAULT_ASSIGNMENT: 'random' }).message).toContain('PARLEY_DEFAULT_ASSIGNMENT');
    expect(configError({ PARLEY_PRINT_SETUP: 'yes' }).message).toContain('PARLEY_PRINT_SETUP');
    expect(configError({ PARLEY_PUBLIC_URL: 'not a url' }).message).toContain('PARLEY_PUBLIC_URL');
  });

  it('rejects an unknown key in the file, naming it', () => {
    writeFile({ port: 8080, prot: 1 });
    expect(configError({}).message).toContain('"prot"');
  });

  it('accepts a $schema key in the file', () => {
    writeFile({ $schema: './parley.schema.json', port: 8181 });
    expect(loadConfig({}, dir).port).toBe(8181);
  });

  it('rejects a file that is not a JSON object', () => {
    writeFile('{ port: 8080');
    expect(configError({}).message).toContain('parley.config.json');
    writeFile('[1,2]');
    expect(configError({}).message).toContain('not a JSON object');
  });

  describe('secrets', () => {
    it('generates the token signing key once into dataDir/secrets.json (mode 0600) and reuses it', () => {
      const a = loadConfig({ PARLEY_DATA_DIR: 'd' }, dir);
      const file = join(dir, 'd', 'secrets.json');
      expect(a.tokenSigningKey.length).toBeGreaterThanOrEqual(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ tokenSigningKey: a.tokenSigningKey });
      const b = loadConfig({ PARLEY_DATA_DIR: 'd' }, dir);
      expect(b.tokenSigningKey).toBe(a.tokenSigningKey);
      // Another data folder is another installation with its own key.
      expect(loadConfig({ PARLEY_DATA_DIR: 'e' }, dir).tokenSigningKey).not.toBe(a.tokenSigningKey);
    });

    it('a configured signing key is used as given and nothing is written', () => {
      const key = 'configured-signing-key-0123456789abcdef';
      const c = loadConfig({ PARLEY_DATA_DIR: 'd', PARLEY_TOKEN_SIGNING_KEY: key }, dir);
      expect(c.tokenSigningKey).toBe(key);
      expect(existsSync(join(dir, 'd', 'secrets.json'))).toBe(false);
    });

    it('a corrupt secrets file stops start-up without printing its content', () => {
      mkdirSync(join(dir, 'd'));
      writeFileSync(join(dir, 'd', 'secrets.json'), '{"tokenSigningKey": "leaky-secret-value');
      const e = configError({ PARLEY_DATA_DIR: 'd' });
      expect(e.message).toContain('secrets.json');
      expect(e.message).not.toContain('leaky-secret-value');
    });

    it.each([
      ['PARLEY_TOKEN_SIGNING_KEY', 'tooShortSigningKey-XYZ'],
      ['PARLEY_IDENTITY_SECRET', 'tooShortIdentity-XYZ'],
      ['DATABASE_URL', 'mysql://parley:hunter2-XYZ@db.internal/parley'],
    ])('a bad %s is named but its value is never echoed', (envName, value) => {
      const e = configError({ [envName]: value });
      expect(e.message).toContain(envName);
      const everything = `${e.message} ${JSON.stringify(e.details)} ${JSON.stringify(e.toJSON())} ${String(e.stack)}`;
      expect(everything).not.toContain('XYZ');
    });

    it('a bad secret in the file is named but not echoed', () => {
      writeFile({ identitySecret: 'short-file-secret-XYZ' });
      const e = configError({});
      expect(e.message).toContain('"identitySecret"');
      expect(e.message).not.toContain('XYZ');
    });
  });
});
