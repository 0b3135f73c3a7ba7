import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { layoutTestPage, layoutTicket, type Block, type TestPageInfo, type TicketPrint } from './layout.ts';
import type { MonoBitmap, PrintProfile } from './profile.ts';

/**
 * PURE: a ticket to ESC/POS bytes for one printer profile. Text goes through the profile's code page
 * (`ESC t n`), the number in large type (`GS !`), the QR code natively (`GS ( k`, model 2), then a cut.
 * No I/O and no clock: everything printed is in the arguments.
 */
export function renderTicket(ticket: TicketPrint, profile: PrintProfile): Uint8Array {
  return renderBlocks(layoutTicket(ticket, profile), profile);
}

export function renderTestPage(info: TestPageInfo, profile: PrintProfile): Uint8Array {
  return renderBlocks(layoutTestPage(info, profile), profile);
}

export function renderBlocks(blocks: readonly Block[], profile: PrintProfile): Uint8Array {
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
        encoder.raw(rasterCommand(block.bitmap));
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

/** `ESC a 1`, `GS v 0` (raster bit image, normal density), `ESC a 0`: a centred logo. */
function rasterCommand(bitmap: MonoBitmap): Uint8Array {
  const widthBytes = Math.ceil(bitmap.width / 8);
  const header = [0x1b, 0x61, 0x01, 0x1d, 0x76, 0x30, 0x00, widthBytes & 0xff, widthBytes >> 8, bitmap.height & 0xff, bitmap.height >> 8];
  const out = new Uint8Array(header.length + bitmap.bits.length + 4);
  out.set(header, 0);
  out.set(bitmap.bits, header.length);
  out.set([0x0a, 0x1b, 0x61, 0x00], header.length + bitmap.bits.length);
  return out;
}
