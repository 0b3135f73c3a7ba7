import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { layoutTestPage, layoutTicket, type Block, type TestPageInfo, type TicketPrint } from './layout.ts';
import type { MonoBitmap, PrintProfile } from './profile.ts';
import { rasterizeText, type RasterLine } from './raster-text.ts';
import type { Font } from './truetype.ts';

/**
 * PURE: a ticket to ESC/POS bytes for one printer profile. Text goes through the profile's code page
 * (`ESC t n`), the number in large type (`GS !`), the QR code natively (`GS ( k`, model 2), then a cut.
 * Arabic lines, which no printer character set can shape, are drawn with `font` (when given) and
 * sent as raster images (`GS v 0`). No I/O and no clock: everything printed is in the arguments.
 */
export function renderTicket(ticket: TicketPrint, profile: PrintProfile, font: Font | null = null): Uint8Array {
  return renderBlocks(layoutTicket(ticket, profile, { arabic: font !== null }), profile, font);
}

export function renderTestPage(info: TestPageInfo, profile: PrintProfile, font: Font | null = null): Uint8Array {
  return renderBlocks(layoutTestPage(info, profile, { arabic: font !== null }), profile, font);
}

/** Font A is 12×24 dots; Arabic drawn at a 28-dot em reads at the same size. */
export const RASTER_EM_DOTS = 28;

/** A raster-text block as the lines the printer draws (shared with the SVG preview, so both show the same dots). */
export function rasterLines(block: Extract<Block, { kind: 'raster-text' }>, profile: PrintProfile, font: Font): RasterLine[] {
  return rasterizeText(font, block.text, { emDots: RASTER_EM_DOTS * block.size, widthDots: profile.dots, align: block.align, bold: block.bold, invert: block.invert });
}

export function renderBlocks(blocks: readonly Block[], profile: PrintProfile, font: Font | null = null): Uint8Array {
  const encoder = new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns: profile.columns,
    codepageMapping: profile.codepageMapping,
    feedBeforeCut: 4,
    newline: '\n',
  });
  encoder.initialize().codepage(profile.codepage);
  for (const block of blocks) {
    switch (block.kind) {
      case 'logo':
        encoder.raw(logoCommand(block.bitmap));
        break;
      case 'raster-text':
        // Without a font the layout emits none; one left over is skipped rather than printed as '?'.
        if (font) for (const line of rasterLines(block, profile, font)) encoder.raw(rasterTextCommand(line));
        break;
      case 'text':
        encoder.align(block.align).size(block.size, block.size).bold(block.bold).invert(block.invert).line(block.text);
        encoder.invert(false).bold(false).size(1, 1).align('left');
        break;
      case 'qr':
        encoder.align('center').qrcode(block.data, { model: 2, size: block.moduleSize, errorlevel: 'm' }).align('left');
        break;
      case 'rule':
        encoder.rule({ style: 'single' });
        break;
      case 'feed':
        encoder.newline(block.lines);
        break;
      case 'cut':
        encoder.cut(block.type);
        break;
    }
  }
  return encoder.encode();
}

const ALIGN_N = { left: 0, center: 1, right: 2 } as const;

/** `ESC a n`, `GS v 0` (raster bit image, normal density), then `trailer`. */
function rasterCommand(bitmap: MonoBitmap, align: keyof typeof ALIGN_N, trailer: readonly number[]): Uint8Array {
  const widthBytes = Math.ceil(bitmap.width / 8);
  const header = [0x1b, 0x61, ALIGN_N[align], 0x1d, 0x76, 0x30, 0x00, widthBytes & 0xff, widthBytes >> 8, bitmap.height & 0xff, bitmap.height >> 8];
  const out = new Uint8Array(header.length + bitmap.bits.length + trailer.length);
  out.set(header, 0);
  out.set(bitmap.bits, header.length);
  out.set(trailer, header.length + bitmap.bits.length);
  return out;
}

/** A centred logo, a line feed of space under it, back to left alignment. */
function logoCommand(bitmap: MonoBitmap): Uint8Array {
  return rasterCommand(bitmap, 'center', [0x0a, 0x1b, 0x61, 0x00]);
}

/** A line of drawn text: the image feeds the paper by its own height, so no line feed follows. */
function rasterTextCommand(line: RasterLine): Uint8Array {
  return rasterCommand(line.bitmap, line.align, [0x1b, 0x61, 0x00]);
}
