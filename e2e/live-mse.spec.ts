// E2E (real: built headless server, a file camera of an H.264 + AAC clip looped by ffmpeg, SQLite in a temp dir, Debian
// Chromium): the focused view plays the camera's own stream over MSE with its sound, no transcoding.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useE2E } from './support/e2e';
import { waitFor } from './support/net';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';
import { FocusedViewPage } from './pages/live.page';

const EXPECTED_401 = /status of 401/;
const media = mkdtempSync(join(tmpdir(), 'vigil-e2e-media-'));
const clip = join(media, 'av.mp4');
execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);

describe('live view over MSE e2e', () => {
  const e2e = useE2E({ demo: false, extraArgs: ['--media-dir', media] });
  afterAll(() => rmSync(media, { recursive: true, force: true }));

  it('a camera with sound plays in the focused view over MSE: the <video> advances and decodes audio', async () => {
    const res = await e2e.server.api('/api/cameras', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'AV', rtsp_url: clip, enabled: true, analysis_mode: 'off' }) });
    expect(res.status).toBe(201);
    const cam = (await res.json()) as { id: number };
    await waitFor('the camera online', async () => ((await (await e2e.server.api(`/api/cameras/${cam.id}`)).json()) as { status: string }).status === 'online' || undefined, { timeoutMs: 30_000, intervalMs: 500 });
    const page = await e2e.newPage({ allow: [EXPECTED_401] });
    await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
    await new AppShell(page).waitUntilReady();
    const focused = await new FocusedViewPage(page).goto(cam.id);
    await focused.video.waitFor();
    const t1 = await waitFor('MSE playback', async () => {
      const t = await focused.videoTime();
      return t > 0.3 ? t : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    await expect.poll(() => focused.videoTime(), { timeout: 10_000 }).toBeGreaterThan(t1 + 1);
    // Chromium counts the audio it decoded for a media element: sound arrived with the video (no second connection, no transcode of video).
    const audioBytes = await focused.video.evaluate((v) => (v as HTMLVideoElement & { webkitAudioDecodedByteCount?: number }).webkitAudioDecodedByteCount ?? -1);
    expect(audioBytes).toBeGreaterThan(0);
    expect(await page.getByTestId('live-fallback').count()).toBe(0);
  });
});
