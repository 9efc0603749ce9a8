// File cameras read only from the owner's media folders, and "missing" and "not allowed" look the same (issue 8, item 10).
// real: app + fastify on 127.0.0.1:0, SQLite file, ffprobe, files and symlinks in temp dirs. mock: nothing.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, tempDataDir, type TestApp } from '../foundation/app-harness';
import { call } from './helpers';
import { MEDIA_FILE_REFUSED } from '../../src-main/services/cameras/camera-sources';
import { VTEST } from '../support/rtsp-server';

let t: TestApp;
let media: string;
let elsewhere: string;

beforeAll(async () => {
  media = mkdtempSync(join(tmpdir(), 'vigil-media-'));
  elsewhere = mkdtempSync(join(tmpdir(), 'vigil-elsewhere-'));
  copyFileSync(VTEST, join(media, 'street.avi'));
  copyFileSync(VTEST, join(elsewhere, 'street.avi'));
  symlinkSync(join(elsewhere, 'street.avi'), join(media, 'sneaky.avi'));
  symlinkSync('/etc', join(media, 'etc'));
  t = await startTestApp({ args: ['--media-dir', media] });
});

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
  removeDir(media);
  removeDir(elsewhere);
});

const refused = { status: 422, detail: [{ loc: ['body', 'rtsp_url'], msg: MEDIA_FILE_REFUSED, type: 'value_error' }] };

describe('file cameras and probes', () => {
  it('accept a file inside a media folder', async () => {
    const res = await call<{ source_kind: string }>(t, 'POST', '/api/cameras', { name: 'Street', rtsp_url: join(media, 'street.avi'), enabled: false });
    expect(res.status).toBe(201);
    expect(res.body.source_kind).toBe('file');
    const probe = await call<{ ok: boolean; width: number }>(t, 'POST', '/api/cameras/probe', { rtsp_url: `file://${join(media, 'street.avi')}` });
    expect(probe.body).toMatchObject({ ok: true, width: 768 });
  });

  it('give one answer for a missing file, a file outside, /etc/shadow, and symlinks out of the folder', async () => {
    const tries = ['/etc/shadow', '/etc/passwd', join(elsewhere, 'street.avi'), join(media, 'missing.avi'), join(media, 'sneaky.avi'), join(media, 'etc', 'passwd'), `${media}/../${elsewhere.split('/').pop()}/street.avi`];
    for (const path of tries) {
      const res = await call<{ detail: unknown }>(t, 'POST', '/api/cameras', { name: 'x', rtsp_url: path, enabled: false });
      expect({ status: res.status, detail: res.body.detail }, path).toEqual(refused);
      const probe = await call<{ ok: boolean; error: string }>(t, 'POST', '/api/cameras/probe', { rtsp_url: path, source_kind: 'file' });
      expect(probe.body, path).toMatchObject({ ok: false, error: MEDIA_FILE_REFUSED });
    }
  });

  it('the data folder\'s media/ is the default media folder', async () => {
    const dir = tempDataDir();
    const other = await startTestApp({ dataDir: dir });
    try {
      mkdirSync(join(dir, 'media'), { recursive: true });
      copyFileSync(VTEST, join(dir, 'media', 'clip.avi'));
      expect((await call(other, 'POST', '/api/cameras', { name: 'ok', rtsp_url: join(dir, 'media', 'clip.avi'), enabled: false })).status).toBe(201);
      expect((await call(other, 'POST', '/api/cameras', { name: 'no', rtsp_url: join(media, 'street.avi'), enabled: false })).status).toBe(422);
    } finally {
      await other.stop();
      removeDir(dir);
    }
  });
});
