import { inflateSync } from 'node:zlib';

import type { GreyImage } from '../escpos/monochrome.ts';

/**
 * A PNG decoder for uploaded ticket logos (node:zlib for the inflate; nothing else): every colour
 * type and bit depth, palettes and tRNS transparency (palette and grey), Adam7 interlacing. The
 * result is one grey level per pixel, transparent areas composited over white paper — all a 1-bit
 * printer needs.
 */

export class PngError extends Error {
  override readonly name = 'PngError';
}

/** Larger images are refused before inflating: a logo is a few hundred dots wide. */
export const MAX_PNG_PIXELS = 4096 * 4096;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

export function decodePng(bytes: Uint8Array): GreyImage {
  if (!isPng(bytes)) throw new PngError('not a PNG image');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let header: { width: number; height: number; depth: number; colour: number; interlace: number } | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const data: Uint8Array[] = [];
  for (;;) {
    if (at + 8 > bytes.length) throw new PngError('the PNG ends before its IEND chunk');
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (body.length !== length) throw new PngError(`the PNG's ${type} chunk is cut short`);
    at += 12 + length;
    if (type === 'IHDR') {
      const b = new DataView(body.buffer, body.byteOffset, body.byteLength);
      header = { width: b.getUint32(0), height: b.getUint32(4), depth: body[8]!, colour: body[9]!, interlace: body[12]! };
      if (body[10] !== 0 || body[11] !== 0) throw new PngError('unknown PNG compression or filter method');
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') transparency = body;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
  }
  if (!header) throw new PngError('the PNG has no header');
  const { width, height, depth, colour, interlace } = header;
  const channels = CHANNELS[colour];
  const validDepth = colour === 0 ? [1, 2, 4, 8, 16] : colour === 3 ? [1, 2, 4, 8] : [8, 16];
  if (channels === undefined || !validDepth.includes(depth)) throw new PngError(`unsupported PNG colour type ${colour} at ${depth} bits`);
  if (width === 0 || height === 0 || width * height > MAX_PNG_PIXELS) throw new PngError(`a ${width}×${height} image is too large for a ticket logo`);
  if (colour === 3 && !palette) throw new PngError('the PNG has no palette');

  const bitsPerPixel = channels * depth;
  const passes = interlace === 1 ? ADAM7 : [[0, 0, 1, 1] as const];
  const passSize = passes.map(([x0, y0, dx, dy]) => ({ w: Math.ceil((width - x0) / dx), h: Math.ceil((height - y0) / dy) }));
  const expected = passSize.reduce((sum, { w, h }) => sum + (w > 0 && h > 0 ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0), 0);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(data), { maxOutputLength: expected + 1024 });
  } catch (error) {
    throw new PngError(`the PNG's image data cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (raw.length < expected) throw new PngError('the PNG has less image data than its size says');

  const grey = new Uint8Array(width * height);
  const maxSample = (1 << depth) - 1;
  let offset = 0;
  passes.forEach(([x0, y0, dx, dy], pass) => {
    const { w, h } = passSize[pass]!;
    if (w <= 0 || h <= 0) return;
    const stride = Math.ceil((w * bitsPerPixel) / 8);
    const bpp = Math.max(1, bitsPerPixel >> 3);
    let previous = new Uint8Array(stride);
    for (let row = 0; row < h; row += 1) {
      const filter = raw[offset]!;
      const line = Uint8Array.from(raw.subarray(offset + 1, offset + 1 + stride));
      offset += 1 + stride;
      unfilter(filter, line, previous, bpp);
      previous = line;
      const sample = (index: number): number => {
        if (depth === 8) return line[index]!;
        if (depth === 16) return line[index * 2]!; // the high byte is enough for 1-bit output
        const bit = index * depth;
        return (line[bit >> 3]! >> (8 - depth - (bit & 7))) & maxSample;
      };
      const to8 = (v: number) => (depth === 16 || depth === 8 ? v : Math.round((v * 255) / maxSample));
      for (let col = 0; col < w; col += 1) {
        const s = col * channels;
        let r: number;
        let g: number;
        let b: number;
        let a = 255;
        if (colour === 3) {
          const index = sample(s);
          r = palette![index * 3] ?? 0;
          g = palette![index * 3 + 1] ?? 0;
          b = palette![index * 3 + 2] ?? 0;
          a = transparency && index < transparency.length ? transparency[index]! : 255;
        } else if (colour === 0 || colour === 4) {
          const value = sample(s);
          r = g = b = to8(value);
          if (colour === 4) a = to8(sample(s + 1));
          else if (transparency && transparency.length >= 2) {
            const full = depth === 16 ? (line[s * 2]! << 8) | line[s * 2 + 1]! : value;
            if (full === ((transparency[0]! << 8) | transparency[1]!)) a = 0;
          }
        } else {
          r = to8(sample(s));
          g = to8(sample(s + 1));
          b = to8(sample(s + 2));
          if (colour === 6) a = to8(sample(s + 3));
        }
        const luma = 0.299 * r + 0.587 * g + 0.114 * b;
        grey[(y0 + row * dy) * width + x0 + col * dx] = Math.round((luma * a + 255 * (255 - a)) / 255);
      }
    }
  });
  return { width, height, grey };
}

function unfilter(filter: number, line: Uint8Array, previous: Uint8Array, bpp: number): void {
  for (let i = 0; i < line.length; i += 1) {
    const left = i >= bpp ? line[i - bpp]! : 0;
    const up = previous[i]!;
    const upLeft = i >= bpp ? previous[i - bpp]! : 0;
    let add: number;
    switch (filter) {
      case 0: add = 0; break;
      case 1: add = left; break;
      case 2: add = up; break;
      case 3: add = (left + up) >> 1; break;
      case 4: {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        add = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
        break;
      }
      default: throw new PngError(`unknown PNG row filter ${filter}`);
    }
    line[i] = (line[i]! + add) & 0xff;
  }
}
