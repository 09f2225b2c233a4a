import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layering rules in eslint.config.js, proved on small samples: each forbidden import is reported with
// its reason, and the allowed ones are not. (npm test also lints the whole tree.)

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it('src/core does no I/O and imports only itself', async () => {
    expect(await problems('src/core/sample.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([expect.stringContaining('src/core does no I/O')]);
    expect(await problems('src/core/sample.ts', "import { sql } from 'kysely';\nexport const x = sql;\n")).toHaveLength(1);
    expect(await problems('src/core/sample.ts', "import { Hub } from '../hub/hub.js';\nexport const x = Hub;\n")).toEqual([expect.stringContaining('src/core imports only src/core')]);
    expect(await problems('src/core/sample.ts', "import { z } from 'zod';\nimport { ParleyError } from './errors.js';\nexport const x = [z, ParleyError];\n")).toEqual([]);
  });

  it('channels and desks never import each other', async () => {
    expect(await problems('src/channels/sms/adapter.ts', "import { inboxDesk } from '../../desks/inbox/adapter.js';\nexport const x = inboxDesk;\n")).toHaveLength(1);
    expect(await problems('src/desks/genesys/adapter.ts', "import { webChannel } from '../../channels/web/adapter.js';\nexport const x = webChannel;\n")).toHaveLength(1);
    expect(await problems('src/desks/genesys/adapter.ts', "import { ParleyError } from '../../core/errors.js';\nexport const x = ParleyError;\n")).toEqual([]);
  });

  it('a desk never imports another desk, a channel never another channel, an emulator never another emulator', async () => {
    expect(await problems('src/desks/connect/adapter.ts', "import { REF } from '../genesys/adapter.js';\nexport const x = REF;\n")).toEqual([expect.stringContaining('never imports another desk')]);
    expect(await problems('src/channels/sms/adapter.ts', "import { x as y } from '../web/adapter.js';\nexport const x = y;\n")).toEqual([expect.stringContaining('never imports another channel')]);
    expect(await problems('emulators/connect/sample.ts', "import { x as y } from '../genesys/state.js';\nexport const x = y;\n")).toEqual([expect.stringContaining('never another')]);
    expect(await problems('src/desks/genesys/adapter.ts', "import { REF } from './settings.js';\nimport { VendorHttp } from '../../vendor/http-client.js';\nexport const x = [REF, VendorHttp];\n")).toEqual([]);
    expect(await problems('emulators/genesys/sample.ts', "import { x as y } from '../kit/index.js';\nexport const x = y;\n")).toEqual([]);
  });

  it('the SDK and the emulators never import src/', async () => {
    expect(await problems('sdk/src/sample.ts', "import type { Conversation } from '../../src/core/model.js';\nexport type X = Conversation;\n")).toHaveLength(1);
    expect(await problems('sdk/src/sample.ts', "import type { Conversation } from './types.js';\nexport type X = Conversation;\n")).toEqual([]);
    expect(await problems('emulators/genesys/sample.ts', "import { ParleyError } from '../../src/core/errors.js';\nexport const x = ParleyError;\n")).toHaveLength(1);
    expect(await problems('emulators/genesys/sample.ts', "import { z } from 'zod';\nexport const x = z;\n")).toEqual([]);
  });
});
