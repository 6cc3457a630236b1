import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The core knows no front end: the lint rule in eslint.config.js must fail such imports.
const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function lintCore(code: string, file = 'packages/core/src/boundary-probe.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('core import boundary', () => {
  it.each(['ink', 'react', 'fastify', '@fastify/websocket', 'ws', '@parley/cli', '@parley/server'])(
    'rejects %s in packages/core',
    async (mod) => {
      const messages = await lintCore(`import x from '${mod}';\nexport default x;\n`);
      expect(messages.length).toBe(1);
      expect(messages[0]).toMatch(/packages\/core must not import/);
    },
  );

  it('allows the same import in the cli package, and node built-ins in core', async () => {
    expect(
      await lintCore(`import x from 'ink';\nexport default x;\n`, 'packages/cli/src/boundary-probe.ts'),
    ).toEqual([]);
    expect(await lintCore(`import os from 'node:os';\nexport default os;\n`)).toEqual([]);
  });
});
