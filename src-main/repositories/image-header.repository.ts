// An image's width, height and format from its header alone (libvips): what upload checks read before anything decodes.
import sharp from 'sharp';

export interface ImageHeaderRepository {
  /** Null when it is not an image libvips reads. Pixels are never decoded, so a huge header is reported, not refused. */
  dimensions(image: Buffer): Promise<{ width: number; height: number; format: string } | null>;
}

export class SharpImageHeaderRepository implements ImageHeaderRepository {
  async dimensions(image: Buffer): Promise<{ width: number; height: number; format: string } | null> {
    try {
      // sharp's default pixel limit (268 MP) makes metadata() throw for a bigger header, which would read as
      // "undecodable"; the caller compares the size against its own, much lower limit instead.
      const m = await sharp(image, { limitInputPixels: false, failOn: 'none' }).metadata();
      return m.width && m.height && m.format ? { width: m.width, height: m.height, format: m.format } : null;
    } catch {
      return null;
    }
  }
}
