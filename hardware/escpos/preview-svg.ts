import QRCode from 'qrcode';
import { layoutTestPage, layoutTicket, type Block, type TestPageInfo, type TicketPrint } from './layout.ts';
import type { MonoBitmap, PrintProfile } from './profile.ts';
import { rasterLines } from './render-ticket.ts';
import type { Font } from './truetype.ts';

/**
 * PURE: the same layout as the printed ticket, drawn as SVG at printer resolution (1 unit = 1 dot at
 * 203 dpi; font A cells are 12×24 dots), for the manager console's preview. The QR code is the same
 * symbol the printer draws (model 2, level M, same module size); logos and Arabic lines are the same
 * dots as the raster images sent to the printer.
 */
export function previewTicketSvg(ticket: TicketPrint, profile: PrintProfile, font: Font | null = null): string {
  return drawSvg(layoutTicket(ticket, profile, { arabic: font !== null }), profile, font);
}

export function previewTestPageSvg(info: TestPageInfo, profile: PrintProfile, font: Font | null = null): string {
  return drawSvg(layoutTestPage(info, profile, { arabic: font !== null }), profile, font);
}

/** A 1-bit image as one SVG path of its black dots (runs of a row merged). */
export function bitmapPath(bitmap: MonoBitmap, x0: number, y0: number): string {
  const rowBytes = Math.ceil(bitmap.width / 8);
  let path = '';
  for (let r = 0; r < bitmap.height; r++) {
    let runStart = -1;
    for (let c = 0; c <= bitmap.width; c++) {
      const on = c < bitmap.width && ((bitmap.bits[r * rowBytes + (c >> 3)] ?? 0) >> (7 - (c & 7))) & 1;
      if (on && runStart < 0) runStart = c;
      if (!on && runStart >= 0) {
        path += `M${x0 + runStart} ${y0 + r}h${c - runStart}v1h-${c - runStart}z`;
        runStart = -1;
      }
    }
  }
  return path;
}

const CELL_W = 12;
const CELL_H = 24;
const MARGIN = 16;

export function drawSvg(blocks: readonly Block[], profile: PrintProfile, font: Font | null = null): string {
  const width = profile.dots;
  const parts: string[] = [];
  let y = MARGIN;
  for (const block of blocks) {
    switch (block.kind) {
      case 'logo': {
        const x0 = Math.floor((width - block.bitmap.width) / 2);
        parts.push(`<path d="${bitmapPath(block.bitmap, x0, y)}" fill="#000" data-logo=""/>`);
        y += block.bitmap.height + 4;
        break;
      }
      case 'raster-text': {
        if (!font) break;
        for (const line of rasterLines(block, profile, font)) {
          const w = line.bitmap.width;
          const x0 = line.align === 'center' ? Math.floor((width - w) / 2) : line.align === 'right' ? width - w : 0;
          parts.push(`<path d="${bitmapPath(line.bitmap, x0, y)}" fill="#000" data-text="${escapeXml(block.text)}"/>`);
          y += line.bitmap.height;
        }
        break;
      }
      case 'text': {
        const perLine = Math.max(1, Math.floor(profile.columns / block.size));
        for (const line of wrap(block.text, perLine)) {
          const h = CELL_H * block.size;
          const lineWidth = line.length * CELL_W * block.size;
          const x = block.align === 'center' ? (width - lineWidth) / 2 : block.align === 'right' ? width - lineWidth : 0;
          if (block.invert) parts.push(`<rect x="${x}" y="${y}" width="${lineWidth}" height="${h}" fill="#000"/>`);
          parts.push(
            `<text x="${x}" y="${y + h * 0.8}" font-family="monospace" font-size="${20 * block.size}" textLength="${lineWidth}" lengthAdjust="spacingAndGlyphs"`
            + `${block.bold ? ' font-weight="bold"' : ''} fill="${block.invert ? '#fff' : '#000'}">${escapeXml(line)}</text>`,
          );
          y += h;
        }
        break;
      }
      case 'qr': {
        const qr = QRCode.create(block.data, { errorCorrectionLevel: 'M' });
        const n = qr.modules.size;
        const size = n * block.moduleSize;
        const x0 = Math.floor((width - size) / 2);
        let path = '';
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < n; c++) {
            if (qr.modules.get(r, c)) path += `M${x0 + c * block.moduleSize} ${y + r * block.moduleSize}h${block.moduleSize}v${block.moduleSize}h-${block.moduleSize}z`;
          }
        }
        parts.push(`<path d="${path}" fill="#000" data-qr="${escapeXml(block.data)}"/>`);
        y += size + CELL_H / 2;
        break;
      }
      case 'rule':
        parts.push(`<line x1="0" y1="${y + CELL_H / 2}" x2="${width}" y2="${y + CELL_H / 2}" stroke="#000" stroke-width="2"/>`);
        y += CELL_H;
        break;
      case 'feed':
        y += CELL_H * block.lines;
        break;
      case 'cut':
        y += CELL_H;
        parts.push(`<line x1="0" y1="${y}" x2="${width}" y2="${y}" stroke="#999" stroke-width="2" stroke-dasharray="8 6"/>`);
        y += 4;
        break;
    }
  }
  const height = y + MARGIN;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`
    + `<rect width="${width}" height="${height}" fill="#fff"/>${parts.join('')}</svg>`;
}

/** Word wrap at the printer's column count, as the printer (and the encoder) does. */
function wrap(text: string, perLine: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const candidate = current ? `${current} ${word}` : word;
    if (candidate.length <= perLine) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = word;
    while (current.length > perLine) {
      lines.push(current.slice(0, perLine));
      current = current.slice(perLine);
    }
  }
  if (current || lines.length === 0) lines.push(current);
  return lines;
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
