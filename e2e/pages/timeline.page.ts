// Page object: the canvas timeline (coverage pixels, hover sprite preview, playback).
import type { Locator, Page } from 'playwright-core';

/** The coverage bar colour drawn by the timeline canvas (#2f81f7). */
const COVERAGE_RGB = [0x2f, 0x81, 0xf7] as const;

export class TimelinePage {
  readonly root: Locator;
  readonly canvas: Locator;
  readonly hoverSprite: Locator;
  readonly vod: Locator;
  readonly exportButton: Locator;
  readonly exportRows: Locator;
  readonly exportDownload: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('timeline-screen');
    this.canvas = page.getByTestId('timeline').locator('canvas');
    this.hoverSprite = page.getByTestId('hover-sprite');
    this.vod = page.getByTestId('vod-video');
    this.exportButton = page.getByTestId('export-button');
    this.exportRows = page.getByTestId('export-row');
    this.exportDownload = page.getByTestId('export-download');
  }

  async goto(cameraId: number, t?: number): Promise<this> {
    await this.page.evaluate(([id, at]) => (window.location.hash = `#/timeline?camera=${id}${at ? `&t=${at}` : ''}`), [cameraId, t ?? 0] as const);
    await this.canvas.waitFor();
    return this;
  }

  /** Canvas x positions (CSS px) whose coverage-band row is painted in the coverage colour, in lane 0. */
  async coveredColumns(): Promise<number[]> {
    return this.canvas.evaluate((el, rgb) => {
      const c = el as HTMLCanvasElement;
      const ctx = c.getContext('2d');
      if (!ctx) return [];
      const dpr = c.width / c.clientWidth;
      const laneTop = 18;
      const laneH = (c.clientHeight - laneTop) / 1;
      const y = Math.round((laneTop + laneH * 0.5) * dpr);
      const data = ctx.getImageData(0, y, c.width, 1).data;
      const xs: number[] = [];
      for (let x = 0; x < c.width; x++) {
        const i = x * 4;
        if (Math.abs(data[i]! - rgb[0]) < 8 && Math.abs(data[i + 1]! - rgb[1]) < 8 && Math.abs(data[i + 2]! - rgb[2]) < 8) xs.push(x / dpr);
      }
      return xs;
    }, COVERAGE_RGB);
  }

  async hover(x: number): Promise<void> {
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error('timeline canvas not visible');
    await this.page.mouse.move(box.x + x, box.y + 18 + (box.height - 18) / 2);
  }

  /** Whether the hover sprite's strip image is loaded and non-empty. */
  async spriteLoaded(): Promise<boolean> {
    return this.hoverSprite.evaluate(async (el) => {
      const m = /url\("?(.*?)"?\)/.exec(getComputedStyle(el).backgroundImage);
      if (!m?.[1]) return false;
      const img = new Image();
      img.src = m[1];
      await img.decode().catch(() => undefined);
      return img.naturalWidth === 1600 && img.naturalHeight === 90;
    });
  }
}
