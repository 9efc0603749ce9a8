// The layer rules in eslint.config.js fire (real: ESLint's Node API with the project config, linting text as if it lived in each layer).
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** Rule ids of the errors ESLint reports for `code` placed at `file` (the file need not exist). */
async function errors(file: string, code: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => ({ rule: m.ruleId, message: m.message }));
}

const restricted = async (file: string, code: string) => (await errors(file, code)).filter((e) => e.rule === '@typescript-eslint/no-restricted-imports');

describe('layer lint', () => {
  it('shared/ may not import node modules or drivers', async () => {
    const fs = await restricted('src-main/shared/lint-probe.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n");
    expect(fs).toHaveLength(1);
    expect(fs[0]?.message).toContain('shared/ is runtime-free');
    expect(await restricted('src-main/shared/lint-probe.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n")).toHaveLength(1);
    expect(await restricted('src-main/shared/contract/lint-probe.contract.ts', "import { PushBus } from '../../services/push-bus';\nexport const b = PushBus;\n")).toHaveLength(1);
    expect(await restricted('src-main/shared/lint-probe.ts', "import { z } from 'zod';\nexport const s = z.string();\n")).toEqual([]);
  });

  it('services may not import drivers as values', async () => {
    for (const mod of ['better-sqlite3', 'node:child_process', 'node:fs', 'fluent-ffmpeg', 'electron', 'fastify']) {
      const found = await restricted('src-main/services/lint-probe.service.ts', `import driver from '${mod}';\nexport const d = driver;\n`);
      expect(found, mod).toHaveLength(1);
      expect(found[0]?.message, mod).toContain('Services import no drivers');
    }
    const repoValue = await restricted('src-main/services/lint-probe.service.ts', "import { SqliteSettingsRepository } from '../repositories/settings.repository';\nexport const r = SqliteSettingsRepository;\n");
    expect(repoValue).toHaveLength(1);
    expect(await restricted('src-main/services/lint-probe.service.ts', "import { Dispatcher } from '../transport/dispatch';\nexport const d = Dispatcher;\n")).toHaveLength(1);
  });

  it('services may import repository types', async () => {
    const code = "import type { SettingsRepository } from '../repositories/settings.repository';\nexport const use = (r: SettingsRepository) => r.readAll();\n";
    expect(await errors('src-main/services/lint-probe.service.ts', code)).toEqual([]);
    const inline = "import { type SettingsRepository } from '../repositories/settings.repository';\nexport const use = (r: SettingsRepository) => r.readAll();\n";
    expect(await restricted('src-main/services/lint-probe.service.ts', inline)).toEqual([]);
  });

  it('the renderer may not import electron, node modules or main-process code', async () => {
    for (const [mod, expectMsg] of [
      ['electron', 'no node or electron access'],
      ['node:fs', 'no node or electron access'],
      ['fs', 'no node or electron access'],
      ['../../../src-main/services/auth.service', 'only src-main/shared'],
      ['../../../src-preload/index', 'only src-main/shared'],
    ] as const) {
      const found = await restricted('src-renderer/src/features/lint-probe.tsx', `import x from '${mod}';\nexport const y = x;\n`);
      expect(found.length, mod).toBeGreaterThanOrEqual(1);
      expect(found.map((f) => f.message).join(' '), mod).toContain(expectMsg);
    }
    expect(await restricted('src-renderer/src/features/lint-probe.tsx', "import { contract } from '../../../src-main/shared/contract';\nexport const c = contract;\n")).toEqual([]);
    // A folder that shares a builtin's name is not the builtin.
    expect(await restricted('src-renderer/src/features/lint-probe.tsx', "import { x } from './events/events-list';\nexport const y = x;\n")).toEqual([]);
    expect(await restricted('src-main/services/lint-probe.service.ts', "import { x } from './fs/helpers';\nexport const y = x;\n")).toEqual([]);
  });

  it('shipped main-process code may not console.log; tests may', async () => {
    expect((await errors('src-main/services/lint-probe.service.ts', "console.log('x');\nexport {};\n")).map((e) => e.rule)).toContain('no-console');
    expect((await errors('test/lint-probe.test.ts', "console.log('x');\nexport {};\n")).map((e) => e.rule)).not.toContain('no-console');
  });

  it('the real tree passes its own layer rules', async () => {
    const results = await eslint.lintFiles(['src-main/shared', 'src-main/services', 'src-renderer/src']);
    const layerErrors = results.flatMap((r) => r.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(layerErrors).toEqual([]);
  });
});
