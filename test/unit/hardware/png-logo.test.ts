import { describe, expect, it } from 'vitest';
import { toMonoBitmap, type GreyImage } from '../../../hardware/escpos/monochrome.ts';
import { parsePrintProfile } from '../../../hardware/escpos/profile.ts';
import { renderTicket } from '../../../hardware/escpos/render-ticket.ts';
import { decodePng, PngError } from '../../../hardware/images/png.ts';
import { withTenantLogo } from '../../../branch-server/use-cases/ticket-logo.ts';
import { tokenize } from '../../helpers/escpos-tokenizer.ts';
import { encodePng, type PngSpec } from '../../helpers/png-encoder.ts';

/** A 20×12 test card: black frame and a grey centre on white. */
const W = 20;
const H = 12;
const level = (x: number, y: number) => (x === 0 || y === 0 || x === W - 1 || y === H - 1 ? 0 : x >= 8 && x < 12 ? 100 : 255);

const expectGreys = (image: GreyImage, expected: (x: number, y: number) => number) => {
  expect([image.width, image.height]).toEqual([W, H]);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(image.grey[y * W + x], `${x},${y}`).toBe(expected(x, y));
};

describe('PNG decoding for ticket logos', () => {
  it.each([
    ['grey 8 bit', { colour: 0, depth: 8, pixel: (x: number, y: number) => [level(x, y)] }],
    ['grey 16 bit', { colour: 0, depth: 16, pixel: (x: number, y: number) => [level(x, y) * 257] }],
    ['RGB 8 bit', { colour: 2, depth: 8, pixel: (x: number, y: number) => [level(x, y), level(x, y), level(x, y)] }],
    ['RGBA 16 bit', { colour: 6, depth: 16, pixel: (x: number, y: number) => [level(x, y) * 257, level(x, y) * 257, level(x, y) * 257, 65535] }],
    ['grey+alpha', { colour: 4, depth: 8, pixel: (x: number, y: number) => [level(x, y), 255] }],
    ['Adam7 interlaced RGB', { colour: 2, depth: 8, interlace: true, pixel: (x: number, y: number) => [level(x, y), level(x, y), level(x, y)] }],
  ] as Array<[string, Omit<PngSpec, 'width' | 'height'>]>)('reads %s, every row filter included', (_name, spec) => {
    expectGreys(decodePng(encodePng({ width: W, height: H, ...spec })), level);
  });

  it('reads 1-bit palettes and 2-bit grey, and composites transparency over white paper', () => {
    const palette = encodePng({
      width: W, height: H, colour: 3, depth: 1, palette: [[255, 255, 255], [0, 0, 0]],
      pixel: (x, y) => [level(x, y) === 0 ? 1 : 0],
    });
    expectGreys(decodePng(palette), (x, y) => (level(x, y) === 0 ? 0 : 255));
    const grey2 = encodePng({ width: W, height: H, colour: 0, depth: 2, pixel: (x, y) => [level(x, y) === 0 ? 0 : 3] });
    expectGreys(decodePng(grey2), (x, y) => (level(x, y) === 0 ? 0 : 255));
    // Black everywhere, but transparent outside the frame: only the frame is ink.
    const rgba = encodePng({ width: W, height: H, colour: 6, depth: 8, pixel: (x, y) => [0, 0, 0, level(x, y) === 0 ? 255 : 0] });
    expectGreys(decodePng(rgba), (x, y) => (level(x, y) === 0 ? 0 : 255));
    const keyed = encodePng({
      width: W, height: H, colour: 3, depth: 8, palette: [[0, 0, 0], [0, 0, 0]], transparency: [255, 0],
      pixel: (x, y) => [level(x, y) === 0 ? 0 : 1],
    });
    expectGreys(decodePng(keyed), (x, y) => (level(x, y) === 0 ? 0 : 255));
  });

  it('refuses what is not a PNG, a truncated one, and one too large to be a logo, with a reason', () => {
    expect(() => decodePng(Buffer.from('GIF89a...'))).toThrow(PngError);
    const good = encodePng({ width: W, height: H, colour: 0, depth: 8, pixel: () => [0] });
    expect(() => decodePng(good.subarray(0, 40))).toThrow(/cut short|ends before/);
    const huge = Buffer.from(good);
    huge.writeUInt32BE(100_000, 16);
    huge.writeUInt32BE(100_000, 20);
    expect(() => decodePng(huge)).toThrow(/too large/);
  });
});

describe('logo to 1-bit bitmap and onto the ticket', () => {
  const card: GreyImage = { width: W, height: H, grey: Uint8Array.from({ length: W * H }, (_, i) => level(i % W, Math.floor(i / W))) };

  it('trims white margins, thresholds, and packs rows MSB first as GS v 0 wants', () => {
    const padded: GreyImage = {
      width: W + 10, height: H + 4,
      grey: Uint8Array.from({ length: (W + 10) * (H + 4) }, (_, i) => {
        const x = (i % (W + 10)) - 5;
        const y = Math.floor(i / (W + 10)) - 2;
        return x >= 0 && x < W && y >= 0 && y < H ? level(x, y) : 255;
      }),
    };
    const bitmap = toMonoBitmap(padded, { maxWidth: 384, maxHeight: 200, mode: 'threshold', threshold: 128 })!;
    expect([bitmap.width, bitmap.height]).toEqual([W, H]);
    const at = (x: number, y: number) => ((bitmap.bits[y * 3 + (x >> 3)]! >> (7 - (x & 7))) & 1) === 1;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(at(x, y), `${x},${y}`).toBe(level(x, y) < 128);
  });

  it('scales down to fit, keeps the aspect ratio, dithers greys into a pattern, and returns null for a blank image', () => {
    const small = toMonoBitmap(card, { maxWidth: 10, maxHeight: 100, mode: 'threshold', threshold: 128 })!;
    expect([small.width, small.height]).toEqual([10, 6]);
    const greyPatch: GreyImage = { width: 16, height: 16, grey: new Uint8Array(256).fill(128) };
    // A border of black keeps the 50 % grey from being trimmed as margin.
    for (let i = 0; i < 16; i++) greyPatch.grey[i] = 0;
    const dithered = toMonoBitmap(greyPatch, { maxWidth: 384, maxHeight: 200, mode: 'dither', threshold: 128 })!;
    const inner = Array.from({ length: 15 * 16 }, (_, i) => (dithered.bits[(1 + Math.floor(i / 16)) * 2 + ((i % 16) >> 3)]! >> (7 - (i % 8))) & 1);
    const share = inner.reduce((a, b) => a + b, 0) / inner.length;
    expect(share).toBeGreaterThan(0.35);
    expect(share).toBeLessThan(0.65);
    expect(toMonoBitmap({ width: 4, height: 4, grey: new Uint8Array(16).fill(255) }, { maxWidth: 384, maxHeight: 200, mode: 'threshold', threshold: 128 })).toBeNull();
  });

  it("prints the tenant logo at the head of the ticket unless the printer's profile has its own", () => {
    const logo = toMonoBitmap(card, { maxWidth: 384, maxHeight: 200, mode: 'threshold', threshold: 128 })!;
    const ticket = { number: 'A001', serviceName: 'S', siteName: 'Site', issuedAt: 0, timeZone: 'UTC', peopleAhead: 0, etaSeconds: 0, trackingUrl: 'http://x/t/a', duplicate: false };
    const tokens = tokenize(renderTicket(ticket, withTenantLogo(parsePrintProfile({}), logo)));
    const raster = tokens.find((tk) => tk.type === 'raster');
    expect(raster).toEqual({ type: 'raster', widthBytes: 3, height: H, bits: logo.bits });
    expect(tokens.indexOf(raster!)).toBeLessThan(tokens.findIndex((tk) => tk.type === 'text' && tk.text === 'A001'));
    const own = { width: 8, height: 1, data: Buffer.from([0xff]).toString('base64') };
    const mine = tokenize(renderTicket(ticket, withTenantLogo(parsePrintProfile({ logo: own }), logo))).find((tk) => tk.type === 'raster');
    expect(mine).toMatchObject({ widthBytes: 1, height: 1 });
  });
});
