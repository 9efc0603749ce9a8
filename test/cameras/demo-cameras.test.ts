// Integration (real: the app started like `npm run serve` on an empty data dir with demo cameras on, WorkerManager + ffmpeg
// looping resources/demo/vtest.avi and a lavfi pattern; mock: none): demo cameras exist and their snapshots change over time.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src-main/app/config';
import { startApp, type RunningApp } from '../../src-main/app/lifecycle';
import type { Camera } from '../../src-main/shared/contract/cameras.contract';
import { removeDir, tempDataDir } from '../foundation/app-harness';
import { API_KEY, isJpeg, until } from './helpers';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NO_SIGNAL = readFileSync(resolve(ROOT, 'resources', 'demo', 'no-signal.jpg'));
let app: RunningApp;
let dataDir: string;
const get = async (path: string) => fetch(`http://127.0.0.1:${app.container.port()}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });

beforeAll(async () => {
  dataDir = tempDataDir();
  const config = parseConfig(['--port', '0', '--data-dir', dataDir], { VIGIL_API_KEY: API_KEY }, { resourcesDir: resolve(ROOT, 'resources'), rendererDir: null, electron: null });
  expect(config.demo).toBe(true);
  app = await startApp(config, { logStdout: false });
});
afterAll(async () => {
  await app?.stop();
  if (dataDir) removeDir(dataDir);
});

describe('demo cameras', () => {
  it('an empty data dir gets a looping street camera and a test pattern whose snapshots change', async () => {
    const cams = (await (await get('/api/cameras')).json()) as Camera[];
    expect(cams.map((c) => [c.source_kind, c.is_demo, c.enabled])).toEqual([
      ['file', true, true],
      ['pattern', true, true],
    ]);
    expect(cams[0]?.rtsp_url).toMatch(/resources\/demo\/vtest\.avi$/);
    expect(cams[1]?.rtsp_url).toBe('pattern://testsrc2');
    for (const c of cams) {
      const snap = async () => Buffer.from(await (await get(`/api/live/${c.id}/snapshot`)).arrayBuffer());
      const first = await until(`first frame of ${c.name}`, async () => {
        const b = await snap();
        return isJpeg(b) && !b.equals(NO_SIGNAL) ? b : null;
      });
      await until(`${c.name} snapshot changes`, async () => {
        const b = await snap();
        return isJpeg(b) && !b.equals(NO_SIGNAL) && !b.equals(first);
      });
      await until(`${c.name} online`, async () => ((await (await get(`/api/cameras/${c.id}/status`)).json()) as { status: string }).status === 'online');
    }
  });

  it('demo cameras are deletable and not re-created on the next start', async () => {
    const cams = (await (await get('/api/cameras')).json()) as Camera[];
    for (const c of cams) expect((await fetch(`http://127.0.0.1:${app.container.port()}/api/cameras/${c.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(204);
    await app.stop();
    const config = parseConfig(['--port', '0', '--data-dir', dataDir], { VIGIL_API_KEY: API_KEY }, { resourcesDir: resolve(ROOT, 'resources'), rendererDir: null, electron: null });
    app = await startApp(config, { logStdout: false });
    expect((await (await get('/api/cameras')).json()) as Camera[]).toEqual([]);
  });
});
