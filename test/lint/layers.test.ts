/**
 * The one rule of the house (docs/ARCHITECTURE.md): a folder imports only the
 * layers below it, and no files import each other in a circle. `npm run lint`
 * enforces it over the tree; these tests prove the rules bite, by linting
 * probe files that break them.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { layers } from '../../eslint.config.js';

const root = process.cwd();
const eslint = new ESLint({ cwd: root });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

/** A real file in each layer to import (the zones need a path that resolves). */
const targetIn: Record<string, string> = {
  protocol: 'protocol/errors.ts',
  seams: 'seams/errors.ts',
  agent: 'agent/errors.ts',
  hardware: 'hardware/errors.ts',
  'node-runtime': 'node-runtime/errors.ts',
  gateway: 'gateway/errors.ts',
  apps: 'apps/errors.ts',
  scripts: 'scripts/bench/harness.ts',
};

describe('layers: a folder imports only the layers below it', () => {
  it('lists the layers in order', () => {
    expect(layers).toEqual(['protocol', 'seams', 'agent', 'hardware', 'node-runtime', 'gateway', 'apps', 'scripts']);
  });

  for (const [i, layer] of layers.entries()) {
    for (const above of layers.slice(i + 1)) {
      it(`refuses ${layer}/ importing ${above}/`, async () => {
        const code = `import * as upward from '../${targetIn[above]}';\nexport const probe = upward;\n`;
        expect(await ruleIds(`${layer}/upward-probe.ts`, code)).toContain('import-x/no-restricted-paths');
      });
    }
    if (i > 0) {
      const below = layers[i - 1]!;
      it(`allows ${layer}/ importing ${below}/`, async () => {
        const code = `import * as downward from '../${targetIn[below]}';\nexport const probe = downward;\n`;
        expect(await ruleIds(`${layer}/downward-probe.ts`, code)).not.toContain('import-x/no-restricted-paths');
      });
    }
  }

  it('refuses the relay client importing the relay server, and one program importing another', async () => {
    expect(await ruleIds('gateway/client/probe.ts', `import * as s from '../server/config.ts';\nexport const p = s;\n`)).toContain('import-x/no-restricted-paths');
    expect(await ruleIds('apps/meow/probe.ts', `import * as s from '../meow-node/config.ts';\nexport const p = s;\n`)).toContain('import-x/no-restricted-paths');
  });

  it('keeps protocol/, seams/ and agent/ pure: no node: modules, no clock', async () => {
    expect(await ruleIds('protocol/probe.ts', `import { readFileSync } from 'node:fs';\nexport const p = readFileSync;\n`)).toContain('no-restricted-imports');
    expect(await ruleIds('seams/probe.ts', `export const now = Date.now();\n`)).toContain('no-restricted-globals');
    expect(await ruleIds('agent/probe.ts', `import { randomBytes } from 'node:crypto';\nexport const p = randomBytes;\n`)).toContain('no-restricted-imports');
  });
});

describe('cycles: no files import each other in a circle', () => {
  const dir = join(root, 'protocol', 'cycle-probe');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a two-file circle', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.ts'), `import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n`);
    writeFileSync(join(dir, 'b.ts'), `import { a } from './a.ts';\nexport const b = (): number => a() - 1;\n`);
    const [result] = await eslint.lintFiles([join(dir, 'a.ts')]);
    expect(result?.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
  });
});
