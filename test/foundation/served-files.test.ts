// Every served file is resolved to its real path and checked against the data root (issue 8, item 4).
// real: app + fastify on 127.0.0.1:0, SQLite file, files and symlinks in a temp data dir. mock: nothing.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from './app-harness';
import { call } from '../cameras/helpers';
import { realContained, servedFile } from '../../src-main/repositories/contained-path';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-DATA-ROOT';
let t: TestApp;
let outside: string;
let cam: number;

function link(target: string, at: string): void {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at);
}

beforeAll(async () => {
  t = await startTestApp();
  outside = mkdtempSync(join(tmpdir(), 'vigil-outside-'));
  for (const name of ['secret.ts', 'seg00002.ts', 'secret.mp4', 'secret.jpg']) writeFileSync(join(outside, name), SECRET);
  cam = (await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Cam', rtsp_url: 'pattern://testsrc2', enabled: false })).body.id;
});

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
  removeDir(outside);
});

async function expectRefused(path: string): Promise<void> {
  const res = await t.req(path);
  const body = await res.text();
  expect(body, path).not.toContain(SECRET);
  expect([400, 404], `${path} → ${res.status} ${body}`).toContain(res.status);
  expect(res.headers.get('content-type'), path).toMatch(/application\/json/);
}

describe('symlinks never lead out of the data root', () => {
  it('live HLS: a symlinked segment and a symlinked session folder', async () => {
    link('/etc/passwd', join(t.dataDir, 'hls', String(cam), 'seg00001.ts'));
    await expectRefused(`/api/live/${cam}/hls/seg00001.ts`);
    const res = await t.req(`/api/live/${cam}/hls/seg00001.ts`);
    expect(await res.text()).not.toContain('root:');
    removeDir(join(t.dataDir, 'hls', String(cam)));
    link(outside, join(t.dataDir, 'hls', String(cam)));
    await expectRefused(`/api/live/${cam}/hls/seg00002.ts`);
  });

  it('recorded segments: a symlinked file and a symlinked day folder', async () => {
    const db = t.app.container.db;
    const ins = db.prepare('INSERT INTO segments (camera_id, path, start_ms, end_ms, bytes) VALUES (?, ?, ?, ?, 10)');
    link(join(outside, 'secret.ts'), join(t.dataDir, 'segments', String(cam), '2024-01-01', '00', '1.ts'));
    const a = Number(ins.run(cam, `segments/${cam}/2024-01-01/00/1.ts`, 1000, 2000).lastInsertRowid);
    link(outside, join(t.dataDir, 'segments', String(cam), '2024-01-02'));
    const b = Number(ins.run(cam, `segments/${cam}/2024-01-02/secret.ts`, 3000, 4000).lastInsertRowid);
    await expectRefused(`/api/recordings/${cam}/segments/${a}.ts`);
    await expectRefused(`/api/recordings/${cam}/segments/${b}.ts`);
    await expectRefused(`/api/recordings/${cam}/frame.jpg?ts=1500`);
  });

  it('event clips, thumbnails and sprites', async () => {
    link(join(outside, 'secret.mp4'), join(t.dataDir, 'clips', String(cam), 'e.mp4'));
    link(join(outside, 'secret.jpg'), join(t.dataDir, 'thumbs', String(cam), 'e.jpg'));
    link(outside, join(t.dataDir, 'sprites', String(cam)));
    const id = Number(
      t.app.container.db
        .prepare("INSERT INTO events (camera_id, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, post_ms, boxes, clip_path, thumb_path, sprite_path) VALUES (?, 'person', 'manual', 1, 1, 2, 2, 1, 2, 0, '[]', ?, ?, ?)")
        .run(cam, `clips/${cam}/e.mp4`, `thumbs/${cam}/e.jpg`, `sprites/${cam}/secret.jpg`).lastInsertRowid,
    );
    for (const kind of ['clip', 'thumbnail', 'sprite']) await expectRefused(`/api/events/${id}/${kind}`);
  });

  it('exports', async () => {
    link(join(outside, 'secret.mp4'), join(t.dataDir, 'exports', 'x1.mp4'));
    t.app.container.db.prepare("INSERT INTO exports (id, camera_id, from_ms, to_ms, state, percent, file_path) VALUES ('x1', ?, 0, 1, 'done', 100, 'exports/x1.mp4')").run(cam);
    await expectRefused('/api/recordings/exports/x1/file');
  });

  it('the shared helper: lexical escapes are 400, symlink escapes 400, missing files 404', () => {
    const root = t.dataDir;
    writeFileSync(join(root, 'inside.txt'), 'ok');
    expect(servedFile(root, 'inside.txt').size).toBe(2);
    expect(() => servedFile(root, '../../etc/passwd')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => servedFile(root, 'inside.txt\0.jpg')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => servedFile(root, 'exports/x1.mp4')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => servedFile(root, 'nope/missing.jpg')).toThrow(expect.objectContaining({ status: 404 }));
    expect(realContained(root, `hls/${cam}`)).toBeNull();
    expect(realContained(root, 'inside.txt')).toMatch(/inside\.txt$/);
  });
});
