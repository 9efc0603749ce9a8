// Float32 vectors as little-endian BLOBs (never a pickle-like format), the byte layout every table and model shares.
import { endianness } from 'node:os';

const LE = endianness() === 'LE';

export function encodeF32(v: Float32Array): Buffer {
  if (LE) return Buffer.from(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  const b = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) b.writeFloatLE(v[i] as number, i * 4);
  return b;
}

export function decodeF32(b: Buffer | Uint8Array): Float32Array {
  if (b.byteLength % 4 !== 0) throw new Error(`a float32 blob of ${b.byteLength} bytes`);
  const out = new Float32Array(b.byteLength / 4);
  if (LE) {
    new Uint8Array(out.buffer).set(b);
    return out;
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
