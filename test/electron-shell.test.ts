// Smoke test of the BUILT Electron shell (real: out/main/index.js, the core, SQLite in a temp dir; stand-in: the `electron` module only,
// since no display or Electron binary exists here) and of the BUILT preload's channel allow-list.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opNames } from '../src-main/shared/contract';
import { INVOKE_CHANNEL_PREFIX, PUSH_CHANNEL } from '../src-main/shared/push-events';
import { Shell } from './support/electron-stub/shell';

const ROOT = resolve(import.meta.dirname, '..');
const MAIN = join(ROOT, 'out', 'main', 'index.js');
const PRELOAD = join(ROOT, 'out', 'preload', 'index.cjs');
const REGISTER = join(ROOT, 'test', 'support', 'electron-stub', 'register.mjs');

describe('Electron shell (built main bundle against a stand-in electron)', () => {
  let dataDir: string;
  let shell: Shell;

  beforeAll(() => {
    expect(existsSync(MAIN), 'out/ must be built (npm test builds first)').toBe(true);
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-shell-'));
    const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_STUB_USER_DATA: join(dataDir, 'userData'), VIGIL_LOG_LEVEL: 'warn' };
    delete env.VIGIL_API_KEY;
    delete env.VIGIL_DATA_DIR;
    const child = spawn(process.execPath, ['--import', REGISTER, MAIN, '--data-dir', dataDir, '--port', '0', '--no-demo'], {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    shell = new Shell(child);
  });

  afterAll(async () => {
    if (!shell) return;
    if (shell.child.exitCode === null && shell.child.signalCode === null && shell.child.pid) {
      try {
        process.kill(-shell.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await shell.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates one sandboxed, context-isolated window with an existing preload and loads the built renderer from the embedded server', async () => {
    const win = await shell.next('the BrowserWindow', (m) => m.type === 'window');
    const prefs = (win.options as { webPreferences: Record<string, unknown> }).webPreferences;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.webSecurity).not.toBe(false);
    expect(prefs.preload).toBe(PRELOAD);
    expect(existsSync(prefs.preload as string)).toBe(true);
    const load = await shell.next('loadURL', (m) => m.type === 'loadURL');
    expect(load.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // Same origin as the media routes, served with the strict CSP, and it is the built renderer.
    const res = await fetch(load.url as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toBe(readFileSync(join(ROOT, 'out', 'renderer', 'index.html'), 'utf8'));
    expect(shell.messages.filter((m) => m.type === 'window')).toHaveLength(1);
  });

  it('registers an IPC handler for every contract operation and nothing else', async () => {
    await shell.next('the BrowserWindow', (m) => m.type === 'window');
    const channels = shell.messages.filter((m) => m.type === 'handle').map((m) => m.channel as string);
    expect(channels.sort()).toEqual(opNames.map((n) => INVOKE_CHANNEL_PREFIX + n).sort());
  });

  it('answers IPC through the contract: a local principal, validation errors as data', async () => {
    const sys = await shell.invoke('vigil:system.get', {});
    const ok = sys.result as { ok: boolean; data: { user: { via: string }; data_dir: string; electron: string | null } };
    expect(ok.ok).toBe(true);
    expect(ok.data.user.via).toBe('local');
    expect(ok.data.data_dir).toBe(dataDir);
    const bad = await shell.invoke('vigil:settings.update', { live_mjpeg_fps: 'fast' });
    expect(bad.result).toMatchObject({ ok: false, status: 422, detail: [{ loc: ['body', 'live_mjpeg_fps'] }] });
    const media = await shell.invoke('vigil:auth.mediaAccess', {});
    const access = (media.result as { data: { base_url: string; token: string } }).data;
    const res = await fetch(`${access.base_url}/api/live/999/snapshot?token=${encodeURIComponent(access.token)}`);
    expect(res.status).toBe(404);
    expect((await fetch(`${access.base_url}/api/auth/api-key?token=${encodeURIComponent(access.token)}`)).status).toBe(403);
  });

  it('denies new windows (opening http links externally) and shuts the core down on quit', async () => {
    shell.child.stdin?.write('open-window 1 https://example.invalid/\n');
    const opened = await shell.next('window open result', (m) => m.type === 'open-window-result');
    expect(opened.result).toEqual({ action: 'deny' });
    const access = ((await shell.invoke('vigil:auth.mediaAccess', {})).result as { data: { base_url: string } }).data;
    shell.child.stdin?.write('quit\n');
    const first = await shell.next('before-quit', (m) => m.type === 'before-quit');
    expect(first.prevented).toBe(true);
    const exit = await shell.next('exit', (m) => m.type === 'exit');
    expect(exit.code).toBe(0);
    expect(await shell.exited).toBe(0);
    await expect(fetch(`${access.base_url}/health`)).rejects.toThrow();
    expect(existsSync(join(dataDir, 'vigil.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'secret.key.safe'))).toBe(true);
  });
});

describe('preload bundle (built out/preload/index.cjs with a stand-in contextBridge/ipcRenderer)', () => {
  const load = () => {
    const exposed: Record<string, unknown> = {};
    const invoked: string[] = [];
    const stub = {
      contextBridge: { exposeInMainWorld: (name: string, api: unknown) => (exposed[name] = api) },
      ipcRenderer: {
        invoke: (channel: string) => {
          invoked.push(channel);
          return Promise.resolve({ ok: true, data: null });
        },
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const realRequire = createRequire(PRELOAD);
    const module = { exports: {} };
    const code = readFileSync(PRELOAD, 'utf8');
    runInNewContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { console })(
      module.exports,
      (id: string) => (id === 'electron' ? stub : realRequire(id)),
      module,
      PRELOAD,
      join(PRELOAD, '..'),
    );
    return { exposed, invoked };
  };

  it('exposes exactly window.vigil with the contract channels', () => {
    const { exposed } = load();
    expect(Object.keys(exposed)).toEqual(['vigil']);
    const api = exposed.vigil as { channels: string[]; invoke: unknown; onPush: unknown };
    expect(Object.keys(api).sort()).toEqual(['channels', 'invoke', 'onPush']);
    expect([...api.channels].sort()).toEqual([...opNames].sort());
  });

  it('forwards contract calls with the vigil: prefix and rejects anything else without touching IPC', async () => {
    const { exposed, invoked } = load();
    const api = exposed.vigil as { invoke: (name: string, input: unknown) => Promise<unknown> };
    await api.invoke('health.get', {});
    expect(invoked).toEqual(['vigil:health.get']);
    for (const name of ['fs.readFile', 'vigil:health.get', PUSH_CHANNEL, '__proto__', 'constructor', 'toString']) {
      await expect(api.invoke(name, {}), name).rejects.toThrow(/not a contract channel/);
    }
    expect(invoked).toEqual(['vigil:health.get']);
  });
});
