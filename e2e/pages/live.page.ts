// Page objects: the live grid (tiles, layouts) and the focused camera view (MSE/HLS/MJPEG, recording, snapshot).
import { createHash } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';

export class LiveGridPage {
  readonly root: Locator;
  readonly tiles: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('live-grid');
    this.tiles = page.getByTestId('tile');
  }

  async goto(): Promise<this> {
    await this.page.evaluate(() => (window.location.hash = '#/live'));
    await this.root.waitFor();
    return this;
  }

  tile(cameraId: number): Locator {
    return this.page.locator(`[data-testid="tile"][data-camera-id="${cameraId}"]`);
  }

  async status(cameraId: number): Promise<string | null> {
    return this.tile(cameraId).getAttribute('data-status');
  }

  /** The tile's live picture: its MSE/HLS <video>, or its MJPEG/snapshot <img>. */
  media(cameraId: number): Locator {
    return this.tile(cameraId).locator('[data-testid="tile-video"], [data-testid="tile-image"]').first();
  }

  /** A hash of the tile's current pixels (element screenshot), to see frames change. */
  async imageHash(cameraId: number): Promise<string> {
    const media = this.media(cameraId);
    await media.waitFor();
    return createHash('sha1').update(await media.screenshot({ animations: 'disabled' })).digest('hex');
  }

  /** Whether the tile shows decoded pixels: a <video> with a frame, or an <img> that loaded (never a broken image). */
  async imageLoaded(cameraId: number): Promise<boolean> {
    return this.media(cameraId)
      .evaluate((el) => (el instanceof HTMLVideoElement ? el.readyState >= 2 && el.videoWidth > 0 : (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0))
      .catch(() => false);
  }

  layout(id: '1' | '2x2' | '3x3' | '4x4' | 'auto'): Locator {
    return this.page.getByTestId(`layout-${id}`);
  }
}

export class FocusedViewPage {
  readonly root: Locator;
  readonly hlsButton: Locator;
  readonly mseButton: Locator;
  readonly mjpegButton: Locator;
  readonly video: Locator;
  readonly image: Locator;
  readonly recordButton: Locator;
  readonly lastClipLink: Locator;
  readonly snapshot: Locator;
  readonly miniTimeline: Locator;
  readonly lastFrame: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('focused-view');
    this.hlsButton = page.getByTestId('mode-hls');
    this.mseButton = page.getByTestId('mode-mse');
    this.mjpegButton = page.getByTestId('mode-mjpeg');
    this.video = page.getByTestId('live-video');
    this.image = page.getByTestId('live-image');
    this.recordButton = page.getByTestId('record-button');
    this.lastClipLink = page.getByTestId('last-clip-link');
    this.snapshot = page.getByTestId('snapshot-download');
    this.miniTimeline = page.getByTestId('mini-timeline');
    this.lastFrame = page.getByTestId('last-frame');
  }

  async goto(cameraId: number): Promise<this> {
    await this.page.evaluate((id) => (window.location.hash = `#/live/${id}`), cameraId);
    await this.root.waitFor();
    return this;
  }

  /** The focused view shows pixels: its <video> has a frame, or its MJPEG <img> loaded. */
  async mediaLoaded(): Promise<boolean> {
    return this.page
      .locator('[data-testid="live-video"], [data-testid="live-image"]')
      .first()
      .evaluate((el) => (el instanceof HTMLVideoElement ? el.readyState >= 2 && el.videoWidth > 0 : (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0))
      .catch(() => false);
  }

  async videoTime(): Promise<number> {
    return this.video.evaluate((v) => (v as HTMLVideoElement).currentTime);
  }
}
