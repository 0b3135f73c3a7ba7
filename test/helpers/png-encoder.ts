import { crc32, deflateSync } from 'node:zlib';

/**
 * A PNG writer for tests, independent of the decoder under test: any colour type and bit depth of
 * the format, rows filtered with each of the five filters in turn, optional Adam7 interlacing.
 */
export type PngSpec = Readonly<{
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colour: 0 | 2 | 3 | 4 | 6;
  depth: 1 | 2 | 4 | 8 | 16;
  /** Sample values per pixel, row by row (palette: the index). */
  pixel(x: number, y: number): readonly number[];
  palette?: ReadonlyArray<readonly [number, number, number]>;
  /** tRNS chunk body (palette alphas, or the transparent grey as 2 bytes). */
  transparency?: readonly number[];
  interlace?: boolean;
}>;

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

function packRow(spec: PngSpec, xs: readonly number[], y: number): Uint8Array {
  const channels = CHANNELS[spec.colour];
  const bits = xs.length * channels * spec.depth;
  const row = new Uint8Array(Math.ceil(bits / 8));
  let bit = 0;
  for (const x of xs) {
    for (const value of spec.pixel(x, y).slice(0, channels)) {
      if (spec.depth === 16) {
        row[bit >> 3] = value >> 8;
        row[(bit >> 3) + 1] = value & 0xff;
      } else if (spec.depth === 8) {
        row[bit >> 3] = value;
      } else {
        row[bit >> 3]! |= value << (8 - spec.depth - (bit & 7));
      }
      bit += spec.depth;
    }
  }
  return row;
}

function filterRow(type: number, row: Uint8Array, previous: Uint8Array, bpp: number): Uint8Array {
  const out = new Uint8Array(row.length + 1);
  out[0] = type;
  for (let i = 0; i < row.length; i++) {
    const left = i >= bpp ? row[i - bpp]! : 0;
    const up = previous[i] ?? 0;
    const upLeft = i >= bpp ? previous[i - bpp] ?? 0 : 0;
    let predictor = 0;
    if (type === 1) predictor = left;
    else if (type === 2) predictor = up;
    else if (type === 3) predictor = (left + up) >> 1;
    else if (type === 4) {
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }
    out[i + 1] = (row[i]! - predictor) & 0xff;
  }
  return out;
}

export function encodePng(spec: PngSpec): Buffer {
  const bpp = Math.max(1, (CHANNELS[spec.colour] * spec.depth) >> 3);
  const passes = spec.interlace ? ADAM7 : [[0, 0, 1, 1] as const];
  const rows: Uint8Array[] = [];
  let filter = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const xs: number[] = [];
    for (let x = x0; x < spec.width; x += dx) xs.push(x);
    if (xs.length === 0) continue;
    let previous: Uint8Array = new Uint8Array(0);
    for (let y = y0; y < spec.height; y += dy) {
      const row = packRow(spec, xs, y);
      rows.push(filterRow(filter++ % 5, row, previous, bpp));
      previous = row;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(spec.width, 0);
  ihdr.writeUInt32BE(spec.height, 4);
  ihdr[8] = spec.depth;
  ihdr[9] = spec.colour;
  ihdr[12] = spec.interlace ? 1 : 0;
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (spec.palette) parts.push(chunk('PLTE', Uint8Array.from(spec.palette.flat())));
  if (spec.transparency) parts.push(chunk('tRNS', Uint8Array.from(spec.transparency)));
  const data = deflateSync(Buffer.concat(rows));
  // Two IDAT chunks: the decoder must join them.
  parts.push(chunk('IDAT', data.subarray(0, data.length >> 1)), chunk('IDAT', data.subarray(data.length >> 1)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}
