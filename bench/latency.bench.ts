// Bench: glass-to-glass live latency: a clock camera's stamped frames read off the <video> in Chromium, over MSE and live HLS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { launchChromium } from '../e2e/support/browser';
import { waitFor } from '../e2e/support/net';
import { REPO_ROOT, startServer } from '../e2e/support/server';
import { AppShell } from '../e2e/pages/app-shell.page';
import { FocusedViewPage } from '../e2e/pages/live.page';
import { LoginPage } from '../e2e/pages/login.page';
import { CLOCK_CELL_MEANS_JS, CLOCK_LAYOUT, clockAge, clockCellMeans, clockFeedArgs, clockRows, decodeClockCells } from '../test/support/clock-code';
import { startRtspServer } from '../test/support/rtsp-server';
import { median, percentile, sleep, type BenchRow, runIfMain } from './bench-util';

const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const FEED = { width: 1280, height: 720, fps: 15, gop: 15 };
const LAYOUT = CLOCK_LAYOUT;

/** Decodes the clock off one frame of the RTSP camera with ffmpeg + sharp: the overlay must read back before any figure is trusted. */
async function selfCheck(url: string): Promise<{ age: number }> {
  const png = await new Promise<Buffer>((resolve, reject) => {
    const c = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
    c.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && out.length) resolve(Buffer.concat(out));
      else reject(new Error(`could not grab a frame of the clock camera: ${err.trim()}`));
    });
  });
  const now = Date.now();
  const { data, info } = await sharp(png)
    .extract({ left: LAYOUT.x, top: LAYOUT.y, width: LAYOUT.cols * LAYOUT.cell, height: clockRows(LAYOUT) * LAYOUT.cell })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const v = decodeClockCells(clockCellMeans()(data, info.width, LAYOUT));
  if (v === null) throw new Error('the clock overlay did not decode from a frame of the camera');
  const age = clockAge(v, now);
  if (age < 0 || age > 10_000) throw new Error(`the clock overlay decoded to an implausible age (${age} ms)`);
  return { age };
}

/**
 * Installed in the page on a <video>: on every presented frame (requestVideoFrameCallback) the clock patch is drawn to a
 * canvas and its cell means recorded with the frame's expected display time on the wall clock. Plain JavaScript, so what
 * runs in Chromium is exactly the source the unit test decodes with.
 */
const SAMPLER_JS = `(function (args) {
  var cellMeans = ${CLOCK_CELL_MEANS_JS};
  var v = document.querySelector(args.selector);
  if (!v || !v.requestVideoFrameCallback) throw new Error('no video or no requestVideoFrameCallback');
  var L = args.layout, w = L.cols * L.cell, h = args.rows * L.cell;
  var canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  var ctx = canvas.getContext('2d', { willReadFrequently: true });
  var out = [];
  var state = { out: out, stop: false, size: '' };
  window.__clockSampler = state;
  function onFrame(now, meta) {
    if (state.stop) return;
    var shown = performance.timeOrigin + (meta.expectedDisplayTime || now);
    state.size = v.videoWidth + 'x' + v.videoHeight;
    ctx.drawImage(v, L.x, L.y, w, h, 0, 0, w, h);
    out.push({ shown: shown, means: cellMeans(ctx.getImageData(0, 0, w, h).data, w, L) });
    v.requestVideoFrameCallback(onFrame);
  }
  v.requestVideoFrameCallback(onFrame);
})`;

interface Sample {
  shown: number;
  means: number[];
}

interface Measured {
  ages: number[];
  frames: number;
  size: string;
}

/** Waits until the selected <video> plays, then samples SECONDS of presented frames and decodes their stamps. */
async function sample(page: Page, selector: string, startTimeoutMs: number): Promise<Measured> {
  await waitFor(
    `${selector} playing`,
    async () => ((await page.evaluate(`(function(){ var v = document.querySelector(${JSON.stringify(selector)}); return !!v && v.readyState >= 2 && v.currentTime > 0.2 && !v.paused; })()`)) as boolean) || undefined,
    { timeoutMs: startTimeoutMs, intervalMs: 200 },
  );
  // A second for the player to settle (a live player jumps or speeds up to the live edge when it starts).
  await sleep(1000);
  await page.evaluate(`(${SAMPLER_JS})(${JSON.stringify({ selector, layout: LAYOUT, rows: clockRows(LAYOUT)})})`);
  await sleep(SECONDS * 1000);
  const got = (await page.evaluate('(function(){ var s = window.__clockSampler; s.stop = true; return { out: s.out, size: s.size }; })()')) as { out: Sample[]; size: string };
  const ages: number[] = [];
  for (const s of got.out) {
    const v = decodeClockCells(s.means);
    if (v !== null) ages.push(clockAge(v, s.shown));
  }
  return { ages, frames: got.out.length, size: got.size };
}

function rowsFor(label: string, m: Measured, goal: string, how: string): BenchRow[] {
  if (m.ages.length < m.frames * 0.9 || m.ages.length < 10) throw new Error(`${label}: only ${m.ages.length} of ${m.frames} presented frames carried a readable clock (${m.size})`);
  return [
    { name: `${label} latency median`, value: median(m.ages), unit: 'ms', note: `${goal}; ${how}` },
    { name: `${label} latency p95`, value: percentile(m.ages, 95), unit: 'ms', note: `min ${Math.min(...m.ages).toFixed(0)} ms, max ${Math.max(...m.ages).toFixed(0)} ms; ${m.ages.length} of ${m.frames} presented ${m.size} frames decoded over ${SECONDS} s` },
  ];
}

/** A page of Vigil's own origin (intercepted, never reaching the server) playing the live playlist with hls.js in low-latency mode. */
function hlsPage(cameraId: number): string {
  return `<!doctype html><meta charset="utf-8"><title>bench hls</title>
<video id="v" muted autoplay playsinline style="width:640px"></video>
<script src="hls.min.js"></script>
<script>
  var v = document.getElementById('v');
  var hls = new Hls({ lowLatencyMode: true });
  hls.on(Hls.Events.MANIFEST_PARSED, function () { v.play().catch(function () {}); });
  hls.on(Hls.Events.ERROR, function (_e, d) { if (d.fatal) { window.__hlsError = d.details; if (d.type === Hls.ErrorTypes.NETWORK_ERROR) setTimeout(function () { hls.startLoad(); }, 1000); } });
  hls.loadSource('/api/live/${cameraId}/hls/index.m3u8');
  hls.attachMedia(v);
</script>`;
}

export async function run(): Promise<BenchRow[]> {
  const rtsp = await startRtspServer({ feed: clockFeedArgs(FEED) });
  const rows: BenchRow[] = [];
  try {
    const check = await selfCheck(rtsp.url);
    const server = await startServer();
    try {
      const res = await server.api('/api/cameras', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Clock', rtsp_url: rtsp.url, enabled: true, analysis_mode: 'off' }) });
      if (res.status !== 201) throw new Error(`camera create answered ${res.status}: ${await res.text()}`);
      const cam = (await res.json()) as { id: number };
      await waitFor('the clock camera online', async () => ((await (await server.api(`/api/cameras/${cam.id}`)).json()) as { status: string }).status === 'online' || undefined, { timeoutMs: 30_000, intervalMs: 300 });
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        // MSE: the renderer's own player (MseVideo) in the focused view, logged in with the API key like a user.
        await (await new LoginPage(page).goto(server.url)).login(server.apiKey as string);
        await new AppShell(page).waitUntilReady();
        const focused = await new FocusedViewPage(page).goto(cam.id);
        await focused.video.waitFor();
        const mse = await sample(page, '[data-testid="live-video"]', 20_000);
        rows.push(...rowsFor('MSE glass-to-glass', mse, 'goal median < 1 s', "the renderer's MseVideo in the focused view; clock camera 1280x720 15 fps GOP 1 s, x264 ultrafast zerolatency -> RTSP server -> Vigil ingest (copy) -> WebSocket fMP4 -> Chromium; stamp read at the frame's expected display time"));

        // HLS as the focused view plays it (its "HLS + sound" mode: the renderer's HlsVideo and its own hls.js settings).
        await page.evaluate(`document.querySelector('[data-testid="live-video"]').setAttribute('data-bench-old', '1')`);
        await focused.hlsButton.click();
        const appHls = await sample(page, '[data-testid="live-video"]:not([data-bench-old])', 60_000);
        rows.push(...rowsFor("HLS (renderer's player) glass-to-glass", appHls, 'for information', "the focused view's HLS mode: the renderer's HlsVideo on /api/live/{id}/hls/index.m3u8"));

        // HLS with hls.js in low-latency mode on the live playlist (whatever it serves: classic or LL-HLS), same session cookie.
        const hlsJs = readFileSync(join(REPO_ROOT, 'node_modules', 'hls.js', 'dist', 'hls.min.js'));
        const base = server.url.replace(/\/$/, '');
        await page.route(`${base}/bench/hls.min.js`, (r) => r.fulfill({ status: 200, contentType: 'text/javascript', body: hlsJs }));
        await page.route(`${base}/bench/hls.html`, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: hlsPage(cam.id) }));
        const t0 = Date.now();
        await page.goto(`${base}/bench/hls.html`);
        const hls = await sample(page, '#v', 60_000);
        rows.push(...rowsFor('HLS (hls.js lowLatencyMode) glass-to-glass', hls, 'for information (issue: segment length or better)', `hls.js ${hlsVersion()} lowLatencyMode on /api/live/{id}/hls/index.m3u8 as served (classic or LL-HLS); ${((Date.now() - t0) / 1000 - SECONDS - 1).toFixed(1)} s from page load to playback`));
      } finally {
        await browser.close();
      }
    } finally {
      await server.stop();
    }
    rows.push({ name: 'clock overlay self-check (ffmpeg + sharp)', value: check.age, unit: 'ms', note: 'sanity check before the figures: a fresh ffmpeg decodes one frame off the RTSP camera and its clock reads back; the age is mostly ffmpeg probing the stream, not camera latency' });
  } finally {
    await rtsp.stop();
  }
  return rows;
}

function hlsVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'hls.js', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

runIfMain(import.meta.url, run);
