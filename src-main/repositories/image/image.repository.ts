// Image work through libvips (sharp, N-API: no Electron rebuild): boxes drawn on JPEGs, size checks before decoding, crops.
import { readFile, rename, writeFile } from 'node:fs/promises';
import sharp from 'sharp';

export interface DrawBox {
  /** Normalised [x, y, w, h]. */
  box: [number, number, number, number];
  label: string;
  score?: number;
  /** Shown after the label, e.g. a track id or a recognised name. */
  note?: string;
}

export interface ImageRepository {
  /** The JPEG with boxes and labels drawn on it (re-encoded). */
  annotate(jpeg: Buffer, boxes: DrawBox[], quality?: number): Promise<Buffer>;
  /** Draws boxes onto a JPEG file in place (written to a temp file, then renamed). */
  annotateFile(path: string, boxes: DrawBox[]): Promise<void>;
  /** Writes a JPEG with boxes drawn on it to `path` (temp file, then rename). */
  writeAnnotated(jpeg: Buffer, boxes: DrawBox[], path: string): Promise<void>;
  /**
   * Decodes an image into packed RGB fitted inside fit×fit (aspect kept, never enlarged; libvips shrinks on load, so a
   * 1080p JPEG is never decoded at full size for a 416 px model). Null when it cannot be decoded. Check its size first.
   */
  rgbFit(image: Buffer, fit: number): Promise<{ width: number; height: number; data: Buffer } | null>;
}

/** Box colours by class, so a person and a car are told apart at a glance. */
const PALETTE: Record<string, string> = { person: '#3fb950', car: '#58a6ff', truck: '#58a6ff', bus: '#58a6ff', motorcycle: '#d29922', bicycle: '#d29922', dog: '#f778ba', cat: '#f778ba', motion: '#e3b341' };
const colourOf = (label: string): string => PALETTE[label] ?? '#a371f7';

const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);

/** The SVG overlay for boxes on a width×height image (pure; exported for tests). */
export function boxesSvg(width: number, height: number, boxes: DrawBox[]): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 160));
  const font = Math.max(11, Math.round(height / 36));
  const parts = boxes.map((b) => {
    const [nx, ny, nw, nh] = b.box;
    const x = Math.max(0, Math.round(nx * width));
    const y = Math.max(0, Math.round(ny * height));
    const w = Math.max(1, Math.min(width - x, Math.round(nw * width)));
    const h = Math.max(1, Math.min(height - y, Math.round(nh * height)));
    const c = colourOf(b.label);
    const text = escapeXml([b.label, b.score !== undefined ? `${Math.round(b.score * 100)}%` : null, b.note ?? null].filter(Boolean).join(' '));
    const tw = Math.round(text.length * font * 0.6) + 8;
    const ty = y >= font + 4 ? y - font - 4 : y;
    return (
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${c}" stroke-width="${stroke}"/>` +
      `<rect x="${x}" y="${ty}" width="${tw}" height="${font + 4}" fill="${c}"/>` +
      `<text x="${x + 4}" y="${ty + font}" font-family="sans-serif" font-size="${font}" fill="#0d1117">${text}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

export class SharpImageRepository implements ImageRepository {
  constructor() {
    // libvips' own thread pool does the pixel work; keep its cache small (frames are never re-read).
    sharp.cache({ memory: 32, files: 0, items: 64 });
  }

  async annotate(jpeg: Buffer, boxes: DrawBox[], quality = 80): Promise<Buffer> {
    if (!boxes.length) return jpeg;
    const img = sharp(jpeg, { failOn: 'truncated' });
    const meta = await img.metadata();
    if (!meta.width || !meta.height) return jpeg;
    return img
      .composite([{ input: Buffer.from(boxesSvg(meta.width, meta.height, boxes)), top: 0, left: 0 }])
      .jpeg({ quality, mozjpeg: false })
      .toBuffer();
  }

  async annotateFile(path: string, boxes: DrawBox[]): Promise<void> {
    if (!boxes.length) return;
    await this.writeAnnotated(await readFile(path), boxes, path);
  }

  async writeAnnotated(jpeg: Buffer, boxes: DrawBox[], path: string): Promise<void> {
    const out = await this.annotate(jpeg, boxes, 85);
    const tmp = `${path}.annotated`;
    await writeFile(tmp, out);
    await rename(tmp, path);
  }

  async rgbFit(image: Buffer, fit: number): Promise<{ width: number; height: number; data: Buffer } | null> {
    try {
      const { data, info } = await sharp(image, { failOn: 'truncated' })
        .rotate()
        .resize(fit, fit, { fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      return info.channels === 3 ? { width: info.width, height: info.height, data } : null;
    } catch {
      return null;
    }
  }
}
