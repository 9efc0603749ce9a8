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
    expect(await restricted('src-main/shared/lint-probe.ts', "import type { IngestSink } from '../ports/ingest.port';\nexport type I = IngestSink;\n")).toHaveLength(1);
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

  it('services reach workers only through ports, not even for types', async () => {
    const typeOnly = await restricted('src-main/services/lint-probe.service.ts', "import type { WorkerError } from '../workers/camera-worker.types';\nexport type E = WorkerError;\n");
    expect(typeOnly).toHaveLength(1);
    expect(typeOnly[0]?.message).toContain('src-main/ports/');
    expect(await restricted('src-main/services/lint-probe.service.ts', "import type { WorkerManagerPort } from '../ports/camera-workers.port';\nexport type M = WorkerManagerPort;\n")).toEqual([]);
  });

  it('ports hold types only and import only shared and other ports', async () => {
    const file = 'src-main/ports/lint-probe.port.ts';
    expect(await errors(file, "import type { SourceKind } from '../shared/contract/cameras.contract';\nimport type { ClosedSegment } from './ingest.port';\nexport interface P { kind: SourceKind; s: ClosedSegment }\n")).toEqual([]);
    const value = (await errors(file, "import { SOURCE_KINDS } from '../shared/contract/cameras.contract';\nexport type K = (typeof SOURCE_KINDS)[number];\n")).filter((e) => e.rule === 'no-restricted-syntax');
    expect(value.map((e) => e.message).join(' ')).toContain('use `import type`');
    for (const mod of ['../services/push-bus', '../repositories/logger', '../workers/camera-worker.types', '../transport/dispatch', '../app/config']) {
      const found = await restricted(file, `import type { X } from '${mod}';\nexport type Y = X;\n`);
      expect(found.map((e) => e.message).join(' '), mod).toContain('imports only shared/ and other ports');
    }
    expect(await restricted(file, "import type { Stats } from 'node:fs';\nexport type S = Stats;\n")).not.toEqual([]);
    const runtime = (await errors(file, 'export class Bus {}\nexport function f(): void {}\nexport const N = 1;\nexport enum E { A }\n')).filter((e) => e.rule === 'no-restricted-syntax');
    expect(runtime).toHaveLength(4);
    expect(runtime.every((e) => e.message.includes('put behaviour in the layer that owns it'))).toBe(true);
    expect((await errors(file, "export { IngestBus } from '../services/ingest-bus';\n")).map((e) => e.rule)).toEqual(expect.arrayContaining(['no-restricted-syntax', '@typescript-eslint/no-restricted-imports']));
  });

  it('repositories may not import services, workers, transport or app', async () => {
    for (const mod of ['../services/push-bus', '../workers/camera-worker.types', '../transport/dispatch', '../app/config', '../services/cameras/camera-settings']) {
      const found = await restricted('src-main/repositories/lint-probe.repository.ts', `import type { X } from '${mod}';\nexport type Y = X;\n`);
      expect(found, mod).toHaveLength(1);
      expect(found[0]?.message, mod).toContain('Repositories sit at the bottom');
    }
    const ok = "import Database from 'better-sqlite3';\nimport type { SourceKind } from '../shared/contract/cameras.contract';\nimport type { ClosedSegment } from '../ports/ingest.port';\nexport const d = Database;\nexport type K = SourceKind | ClosedSegment;\n";
    expect(await restricted('src-main/repositories/lint-probe.repository.ts', ok)).toEqual([]);
  });

  it('workers import ports, shared and repositories, never services, transport or app', async () => {
    const file = 'src-main/workers/lint-probe.worker.ts';
    for (const mod of ['../services/ingest-bus', '../services/push-bus']) {
      const found = await restricted(file, `import type { X } from '${mod}';\nexport type Y = X;\n`);
      expect(found, mod).toHaveLength(1);
      expect(found[0]?.message, mod).toContain('Workers import ports, not services');
    }
    for (const mod of ['../transport/dispatch', '../app/container']) expect(await restricted(file, `import { x } from '${mod}';\nexport const y = x;\n`), mod).toHaveLength(1);
    const ok = "import { spawn } from 'node:child_process';\nimport { NodeFfmpegProcessRepository } from '../repositories/ffmpeg/ffmpeg-process.repository';\nimport type { IngestSink } from '../ports/ingest.port';\nexport const s = [spawn, NodeFfmpegProcessRepository];\nexport type I = IngestSink;\n";
    expect(await restricted(file, ok)).toEqual([]);
  });

  it('transport takes service and repository types, reaches workers through ports and never imports app', async () => {
    const file = 'src-main/transport/rest/lint-probe.routes.ts';
    const types = "import type { CamerasService } from '../../services/cameras/cameras.service';\nimport type { MediaFilesRepository } from '../../repositories/media-files.repository';\nimport type { LatestFrame } from '../../ports/camera-workers.port';\nexport type T = CamerasService | MediaFilesRepository | LatestFrame;\n";
    expect(await restricted(file, types)).toEqual([]);
    for (const [mod, msg] of [
      ['../../repositories/contained-path', 'app/ injects the instances'],
      ['../../services/cameras/camera-status', 'app/ injects the instances'],
      ['../../workers/worker-manager', 'through src-main/ports/'],
      ['../../app/container', 'below app/'],
      ['better-sqlite3', 'through services'],
      ['node:child_process', 'through services'],
    ] as const) {
      const found = await restricted(file, `import { x } from '${mod}';\nexport const y = x;\n`);
      expect(found.map((e) => e.message).join(' '), mod).toContain(msg);
    }
    expect(await restricted(file, "import type { WorkerManagerPort } from '../../workers/camera-worker.types';\nexport type W = WorkerManagerPort;\n")).toHaveLength(1);
  });

  it('the preload imports only electron and src-main/shared', async () => {
    const file = 'src-preload/lint-probe.ts';
    expect(await restricted(file, "import { contextBridge } from 'electron';\nimport { opNames } from '../src-main/shared/contract';\nexport const x = [contextBridge, opNames];\n")).toEqual([]);
    for (const mod of ['node:fs', 'fs', '../src-main/services/push-bus', '../src-main/ports/ingest.port', '../src-renderer/src/api/client', 'better-sqlite3']) {
      const found = await restricted(file, `import x from '${mod}';\nexport const y = x;\n`);
      expect(found.length, mod).toBeGreaterThanOrEqual(1);
    }
  });

  it('the app composition root may import every layer', async () => {
    const code = "import { openDatabase } from '../repositories/db/database';\nimport { IngestBus } from '../services/ingest-bus';\nimport { WorkerManager } from '../workers/worker-manager';\nimport { liveRoutes } from '../transport/rest/live.routes';\nexport const all = [openDatabase, IngestBus, WorkerManager, liveRoutes];\n";
    expect(await restricted('src-main/app/lint-probe.ts', code)).toEqual([]);
  });

  it('shipped main-process code may not console.log; tests may', async () => {
    expect((await errors('src-main/services/lint-probe.service.ts', "console.log('x');\nexport {};\n")).map((e) => e.rule)).toContain('no-console');
    expect((await errors('test/lint-probe.test.ts', "console.log('x');\nexport {};\n")).map((e) => e.rule)).not.toContain('no-console');
  });

  it('the real tree passes its own layer rules', async () => {
    const results = await eslint.lintFiles(['src-main', 'src-preload', 'src-renderer/src']);
    const layerErrors = results.flatMap((r) => r.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(layerErrors).toEqual([]);
  });
});
