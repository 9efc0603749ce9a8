// Starts the real app in-process (real SQLite file in a fresh temp dir, port 0 on 127.0.0.1) for foundation integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, type AppConfig } from '../../src-main/app/config';
import { buildContainer, type Container, type ContainerDeps } from '../../src-main/app/container';
import { startApp, type RunningApp } from '../../src-main/app/lifecycle';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const tempDataDir = (): string => mkdtempSync(join(tmpdir(), 'vigil-it-'));

export function testConfig(o: { dataDir: string; host?: string; apiKey?: string | null; args?: string[]; env?: NodeJS.ProcessEnv }): AppConfig {
  const env: NodeJS.ProcessEnv = { ...(o.apiKey ? { VIGIL_API_KEY: o.apiKey } : {}), ...o.env };
  return parseConfig(['--data-dir', o.dataDir, '--port', '0', '--host', o.host ?? '127.0.0.1', '--no-demo', ...(o.args ?? [])], env, {
    resourcesDir: join(ROOT, 'resources'),
    rendererDir: null,
    electron: null,
  });
}

export interface TestApp {
  app: RunningApp;
  base: string;
  key: string;
  dataDir: string;
  /** fetch with the bearer key unless a header set says otherwise or `auth: false`. */
  req(path: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startTestApp(o: { dataDir?: string; apiKey?: string | null; args?: string[]; env?: NodeJS.ProcessEnv; deps?: ContainerDeps } = {}): Promise<TestApp> {
  const dataDir = o.dataDir ?? tempDataDir();
  const app = await startApp(testConfig({ dataDir, apiKey: o.apiKey ?? null, args: o.args, env: o.env }), { logStdout: false, ...o.deps });
  const base = `http://127.0.0.1:${app.container.port()}`;
  const key = () => app.container.auth.keyInfo().api_key;
  return {
    app,
    base,
    get key() {
      return key();
    },
    dataDir,
    req(path, init = {}) {
      const { auth = true, headers, ...rest } = init;
      const h = new Headers(headers);
      if (auth && !h.has('authorization')) h.set('authorization', `Bearer ${key()}`);
      return fetch(base + path, { ...rest, headers: h });
    },
    stop: () => app.stop(),
  };
}

/** A container that is built but never listens: requests go through fastify's inject(), so nothing binds (used for LAN-bind cases). */
export async function injectOnly(o: { dataDir: string; host: string; apiKey?: string | null }): Promise<Container> {
  return buildContainer(testConfig(o), { logStdout: false });
}

export function closeContainer(c: Container): void {
  c.db.close();
  c.closeLog();
}

export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });
