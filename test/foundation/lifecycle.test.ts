// Integration (real: app restarts over one SQLite file, SSE over HTTP, pino log file, the built server CLI; mock: none).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApp, StartupError } from '../../src-main/app/lifecycle';
import { openDatabase } from '../../src-main/repositories/db/database';
import { SqliteSettingsRepository } from '../../src-main/repositories/settings.repository';
import { removeDir, startTestApp, tempDataDir, testConfig } from './app-harness';

const json = { 'content-type': 'application/json' };
const SERVER_JS = resolve(import.meta.dirname, '..', '..', 'out', 'main', 'server.js');

/** Reads SSE frames from /api/push until `match` finds one, or the deadline passes. */
async function nextPush(res: Response, match: (event: string, data: unknown) => boolean, timeoutMs = 10_000): Promise<{ event: string; data: unknown }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (chunk === null || chunk.done) break;
      buf += decoder.decode(chunk.value, { stream: true });
      let sep: number;
      while ((sep = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, sep);
        buf = buf.slice(sep + 2);
        const event = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (event && data !== undefined) {
          const parsed: unknown = JSON.parse(data);
          if (match(event, parsed)) return { event, data: parsed };
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  throw new Error('no matching push event before the deadline');
}

describe('lifecycle, settings persistence and push', () => {
  it('persists settings across a restart and pushes settings.changed over SSE', async () => {
    const dataDir = tempDataDir();
    try {
      let t = await startTestApp({ dataDir });
      const push = await t.req('/api/push');
      expect(push.status).toBe(200);
      expect(push.headers.get('content-type')).toBe('text/event-stream');
      const seen = nextPush(push, (e, d) => e === 'settings.changed' && (d as { live_mjpeg_fps?: number }).live_mjpeg_fps === 5);
      const put = await t.req('/api/settings', { method: 'PUT', headers: json, body: JSON.stringify({ live_mjpeg_fps: 5, ui_grid_layout: '2x2' }) });
      expect(put.status).toBe(200);
      const pushed = await seen;
      expect((pushed.data as { ui_grid_layout: string }).ui_grid_layout).toBe('2x2');
      await t.stop();

      t = await startTestApp({ dataDir });
      const got = (await (await t.req('/api/settings')).json()) as { live_mjpeg_fps: number; ui_grid_layout: string; segment_seconds: number };
      expect(got.live_mjpeg_fps).toBe(5);
      expect(got.ui_grid_layout).toBe('2x2');
      expect(got.segment_seconds).toBe(4);
      await t.stop();

      const log = readFileSync(join(dataDir, 'logs', 'vigil.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; module?: string; level: number });
      expect(log.some((l) => l.msg === 'Vigil started' && l.module === 'lifecycle')).toBe(true);
      expect(log.some((l) => l.msg === 'settings changed' && l.module === 'settings')).toBe(true);
      expect(log.some((l) => l.msg === 'migration applied' && l.module === 'db')).toBe(true);
    } finally {
      removeDir(dataDir);
    }
  });

  it('refuses to bind to the LAN while auth_required is off', async () => {
    const dataDir = tempDataDir();
    const dirs = [dataDir];
    try {
      const t = await startTestApp({ dataDir });
      const off = await t.req('/api/settings', { method: 'PUT', headers: json, body: JSON.stringify({ auth_required: false }) });
      expect(off.status).toBe(200);
      const anon = await t.req('/api/system', { auth: false });
      expect(anon.status).toBe(200);
      expect(((await anon.json()) as { user: { via: string } }).user.via).toBe('anonymous');
      await t.stop();

      await expect(startApp(testConfig({ dataDir, host: '0.0.0.0' }), { logStdout: false })).rejects.toBeInstanceOf(StartupError);

      // The built CLI gets its own dir at schema v1, so a stale out/ (older than the source's migrations) cannot confuse it.
      const cliDir = tempDataDir();
      dirs.push(cliDir);
      const db = openDatabase({ file: join(cliDir, 'vigil.db'), targetVersion: 1 });
      new SqliteSettingsRepository(db).writeMany({ auth_required: false });
      db.close();
      expect(existsSync(SERVER_JS), 'out/ must be built (npm test builds first)').toBe(true);
      const cli = spawnSync(process.execPath, [SERVER_JS, '--host', '0.0.0.0', '--port', '0', '--data-dir', cliDir, '--no-demo'], { encoding: 'utf8', timeout: 30_000 });
      expect(cli.status, cli.stderr).toBe(2);
      expect(cli.stderr).toContain('refusing to bind to 0.0.0.0: auth_required is off');
    } finally {
      dirs.forEach(removeDir);
    }
  });

  it('prints usage and exits 2 on a bad flag', () => {
    const cli = spawnSync(process.execPath, [SERVER_JS, '--port', 'eighty'], { encoding: 'utf8', timeout: 30_000 });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('invalid port eighty');
    expect(cli.stderr).toContain('Usage: npm run serve');
  });
});
