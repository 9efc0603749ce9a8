// What `npm run dist` ships: electron-builder packs this repository with package.json's `build` config (the Linux
// `dir` target, the layout every installer wraps), and the packaged app then starts from that folder alone.
// real: electron-builder, the built bundles, the production node_modules it copies (better-sqlite3, onnxruntime-node,
// sharp, usearch), the bundled models and demo media, SQLite, the analysis worker. stand-in: the Electron binary (it
// cannot be downloaded here): a script named `electron` as the distribution, and the stub `electron` module, told it is
// packaged, as the runtime.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Shell } from '../support/electron-stub/shell';

const ROOT = resolve(import.meta.dirname, '..', '..');
const REGISTER = join(ROOT, 'test', 'support', 'electron-stub', 'register.mjs');

let work: string;
let app: string;
let resources: string;

beforeAll(async () => {
  expect(existsSync(join(ROOT, 'out', 'main', 'index.js')), 'out/ must be built (npm test builds first)').toBe(true);
  work = mkdtempSync(join(tmpdir(), 'vigil-dist-'));
  const dist = join(work, 'electron-dist');
  mkdirSync(join(dist, 'resources'), { recursive: true });
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n');
  chmodSync(join(dist, 'electron'), 0o755);
  writeFileSync(join(dist, 'version'), '45.4.1');
  const { build, Platform, Arch } = await import('electron-builder');
  await build({
    projectDir: ROOT,
    targets: Platform.LINUX.createTarget('dir', Arch.x64),
    config: { electronDist: dist, electronVersion: '45.4.1', directories: { output: join(work, 'out') } },
    publish: 'never',
  });
  app = join(work, 'out', 'linux-unpacked');
  resources = join(app, 'resources');
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const files = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' });

describe('the packaged app', () => {
  it('holds the bundles, the production modules for this platform only, and the models and demo media as real files', () => {
    expect(existsSync(join(app, 'vigil'))).toBe(true);
    const code = join(resources, 'app');
    expect(readdirSync(code).sort()).toEqual(['node_modules', 'out', 'package.json']);
    for (const f of ['out/main/index.js', 'out/main/analysis-worker.js', 'out/preload/index.cjs', 'out/renderer/index.html']) expect(existsSync(join(code, f)), f).toBe(true);
    expect(files(join(code, 'out')).filter((f) => f.endsWith('.map'))).toEqual([]);

    const modules = join(code, 'node_modules');
    expect(existsSync(join(modules, 'electron')), 'electron is the runtime, not a dependency').toBe(false);
    expect(existsSync(join(modules, 'vitest'))).toBe(false);
    expect(existsSync(join(modules, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    expect(readdirSync(join(modules, 'onnxruntime-node', 'bin', 'napi-v6'))).toEqual([process.platform]);
    expect(readdirSync(join(modules, 'usearch', 'prebuilds')).every((d) => d.startsWith(`${process.platform}-`))).toBe(true);
    expect(existsSync(join(modules, 'better-sqlite3', 'deps'))).toBe(false);

    // onnxruntime reads models by path: they sit beside the app, not inside it.
    const models = readdirSync(join(resources, 'models'));
    expect(models).toEqual(expect.arrayContaining(['PROVENANCE.md', 'licenses', 'nanodet-m-416-coco.onnx', 'nanodet-m-416-coco.json', 'blazeface-back-256.onnx', 'dlib-resnet-face-128.onnx']));
    expect(readdirSync(join(resources, 'demo'))).toEqual(expect.arrayContaining(['vtest.avi', 'no-signal.jpg', 'COPYRIGHT.opencv']));
  });

  it('starts from its own folder: bundled models load from the resources, the demo cameras run, the data goes to userData', async () => {
    const userData = join(work, 'userData');
    const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_STUB_USER_DATA: userData, VIGIL_STUB_RESOURCES: resources, VIGIL_LOG_LEVEL: 'warn' };
    for (const k of ['VIGIL_API_KEY', 'VIGIL_DATA_DIR', 'VIGIL_MEDIA_DIRS', 'NODE_PATH']) delete env[k];
    // cwd outside the repository, so nothing resolves from its node_modules.
    const child = spawn(process.execPath, ['--import', REGISTER, join(resources, 'app', 'out', 'main', 'index.js'), '--port', '0'], { cwd: work, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const shell = new Shell(child);
    try {
      await shell.next('the BrowserWindow', (m) => m.type === 'window', 60_000);
      interface System {
        data_dir: string;
        backend: { detector: string | null; faces_enabled: boolean; analysis: { state: string }; models: { name: string; path: string; origin: string; status: string }[] };
        workers: { camera_id: number; state: string }[];
      }
      let sys: System | null = null;
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
        const r = (await shell.invoke('vigil:system.get', {})).result as { ok: boolean; data: System };
        sys = r.data;
        if (sys.backend.detector && sys.backend.faces_enabled && sys.workers.some((w) => w.state === 'running')) break;
      }
      expect(sys?.data_dir).toBe(userData);
      expect(sys?.backend).toMatchObject({ detector: 'nanodet-m-416-coco', faces_enabled: true, analysis: { state: 'ready' } });
      const bundled = sys!.backend.models.filter((m) => m.origin === 'bundled');
      expect(bundled.length).toBeGreaterThanOrEqual(3);
      for (const m of bundled) {
        expect(m.status, m.name).toBe('ok');
        expect(m.path.startsWith(join(resources, 'models')), m.path).toBe(true);
      }
      expect(sys!.workers.some((w) => w.state === 'running'), JSON.stringify(sys!.workers)).toBe(true);
      expect(existsSync(join(userData, 'vigil.db'))).toBe(true);
      child.stdin?.write('quit\n');
      expect(await shell.exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    }
  }, 150_000);

  it('still starts where usearch has no native binary (Windows): faces fall back to the exact scan and the log says so', async () => {
    rmSync(join(resources, 'app', 'node_modules', 'usearch'), { recursive: true, force: true });
    const userData = join(work, 'userData-no-usearch');
    const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_STUB_USER_DATA: userData, VIGIL_STUB_RESOURCES: resources, VIGIL_LOG_LEVEL: 'warn' };
    for (const k of ['VIGIL_API_KEY', 'VIGIL_DATA_DIR', 'VIGIL_MEDIA_DIRS', 'NODE_PATH']) delete env[k];
    const child = spawn(process.execPath, ['--import', REGISTER, join(resources, 'app', 'out', 'main', 'index.js'), '--port', '0', '--no-demo'], { cwd: work, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const shell = new Shell(child);
    try {
      await shell.next('the BrowserWindow', (m) => m.type === 'window', 60_000);
      let faces = false;
      for (const deadline = Date.now() + 60_000; !faces && Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
        faces = ((await shell.invoke('vigil:system.get', {})).result as { data: { backend: { faces_enabled: boolean } } }).data.backend.faces_enabled;
      }
      expect(faces).toBe(true);
      expect(shell.output).toMatch(/usearch did not load/);
      child.stdin?.write('quit\n');
      expect(await shell.exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    }
  }, 150_000);
});
