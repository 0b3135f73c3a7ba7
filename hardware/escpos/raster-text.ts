import { arabicForDisplay, hasArabic } from './arabic-shaping.ts';
import type { MonoBitmap } from './profile.ts';
import type { Contour, Font } from './truetype.ts';

/**
 * PURE: text drawn as a 1-bit image, for what a printer cannot print from its character set —
 * Arabic above all (see arabic-shaping.ts). Glyph outlines are filled with the non-zero winding
 * rule at 4×4 subsamples per dot; a dot is black when at least 7 of its 16 samples are inside,
 * which keeps thin strokes without bleeding at 203 dpi.
 */
export type RasterTextOptions = Readonly<{
  /** Em size in dots (font A is 24 dots tall; 28 reads alike for Arabic). */
  emDots: number;
  /** The printable width in dots; longer text is wrapped at spaces (a single longer word is cut). */
  widthDots: number;
  align: 'left' | 'center' | 'right';
  /** Emboldening: each dot also inks its right neighbour. */
  bold: boolean;
  /** White on black (a duplicate's banner). */
  invert: boolean;
}>;

const SUB = 4;
const THRESHOLD = 7;

export type RasterLine = Readonly<{ bitmap: MonoBitmap; align: RasterTextOptions['align'] }>;

/**
 * The text as printed lines: each an image as wide as its text (a multiple of 8 dots, as GS v 0
 * wants), placed on the paper by `align` — for a right-to-left line, "left" means its start, the
 * right edge. Inverted lines get a black margin of 8 dots either side, as the text mode's reverse does.
 */
export function rasterizeText(font: Font, text: string, options: RasterTextOptions): RasterLine[] {
  const rtl = hasArabic(text);
  const align = rtl ? rtlAlign(options.align) : options.align;
  return wrapWords(font, text, options, rtl).map((line) => ({ bitmap: rasterizeLine(font, rtl ? arabicForDisplay(line) : line, options), align }));
}

/** Centred stays centred; the start of a right-to-left line is its right edge. */
function rtlAlign(align: RasterTextOptions['align']): RasterTextOptions['align'] {
  return align === 'center' ? 'center' : align === 'left' ? 'right' : 'left';
}

/** Width in dots of a string already in display order. */
export function measure(font: Font, display: string, emDots: number): number {
  let units = 0;
  for (const ch of display) units += font.advance(font.glyphIndex(ch.codePointAt(0)!));
  return Math.ceil((units * emDots) / font.unitsPerEm);
}

function wrapWords(font: Font, text: string, options: RasterTextOptions, rtl: boolean): string[] {
  const room = options.widthDots - (options.invert ? 16 : 0) - (options.bold ? 1 : 0);
  const fits = (candidate: string) => measure(font, rtl ? arabicForDisplay(candidate) : candidate, options.emDots) <= room;
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = current ? `${current} ${word}` : word;
    if (!current || fits(candidate)) current = candidate;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current || lines.length === 0) lines.push(current);
  return lines;
}

function rasterizeLine(font: Font, display: string, options: RasterTextOptions): MonoBitmap {
  const scale = options.emDots / font.unitsPerEm;
  const ascent = Math.ceil(font.ascender * scale);
  const height = ascent + Math.ceil(-font.descender * scale) + 2;
  const pad = options.invert ? 8 : 0;
  const maxWidth = Math.floor(options.widthDots / 8) * 8;
  const width = Math.max(8, Math.min(maxWidth, Math.ceil((measure(font, display, options.emDots) + (options.bold ? 1 : 0) + 2 * pad) / 8) * 8));
  const x0 = pad;

  // Edges of every glyph, in subsample coordinates (y down).
  const edges: Array<{ x1: number; y1: number; x2: number; y2: number }> = [];
  let penUnits = 0;
  for (const ch of display) {
    const glyph = font.glyphIndex(ch.codePointAt(0)!);
    const dx = x0 + penUnits * scale;
    for (const contour of font.outline(glyph)) addEdges(edges, contour, (pt) => [(dx + pt.x * scale) * SUB, (ascent + 1 - pt.y * scale) * SUB]);
    penUnits += font.advance(glyph);
  }

  const coverage = new Uint8Array(width * height);
  const crossings: Array<{ x: number; winding: number }> = [];
  for (let sy = 0; sy < height * SUB; sy += 1) {
    const y = sy + 0.5;
    crossings.length = 0;
    for (const e of edges) {
      if ((e.y1 <= y && e.y2 > y) || (e.y2 <= y && e.y1 > y)) {
        crossings.push({ x: e.x1 + ((y - e.y1) * (e.x2 - e.x1)) / (e.y2 - e.y1), winding: e.y2 > e.y1 ? 1 : -1 });
      }
    }
    crossings.sort((a, b) => a.x - b.x);
    let winding = 0;
    for (let k = 0; k < crossings.length - 1; k += 1) {
      winding += crossings[k]!.winding;
      if (winding === 0) continue;
      // Subsample columns whose centre lies inside [x_k, x_k+1).
      const from = Math.max(0, Math.ceil(crossings[k]!.x - 0.5));
      const to = Math.min(width * SUB - 1, Math.ceil(crossings[k + 1]!.x - 0.5) - 1);
      const row = Math.floor(sy / SUB) * width;
      for (let sx = from; sx <= to; sx += 1) coverage[row + Math.floor(sx / SUB)]! += 1;
    }
  }

  const rowBytes = Math.ceil(width / 8);
  const bits = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const inked = coverage[y * width + x]! >= THRESHOLD || (options.bold && x > 0 && coverage[y * width + x - 1]! >= THRESHOLD);
      if (inked !== options.invert) bits[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { width, height, bits };
}

function addEdges(edges: Array<{ x1: number; y1: number; x2: number; y2: number }>, contour: Contour, map: (pt: Contour[number]) => [number, number]): void {
  for (let i = 0; i < contour.length; i += 1) {
    const [x1, y1] = map(contour[i]!);
    const [x2, y2] = map(contour[(i + 1) % contour.length]!);
    if (y1 !== y2) edges.push({ x1, y1, x2, y2 });
  }
}
