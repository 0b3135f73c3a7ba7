import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shapeArabic, visualOrderRtl } from '../../../hardware/escpos/arabic-shaping.ts';
import { layoutWarnings } from '../../../hardware/escpos/layout.ts';
import { previewTicketSvg } from '../../../hardware/escpos/preview-svg.ts';
import { parsePrintProfile } from '../../../hardware/escpos/profile.ts';
import { rasterizeText } from '../../../hardware/escpos/raster-text.ts';
import { renderTestPage, renderTicket } from '../../../hardware/escpos/render-ticket.ts';
import { parseTrueType, type Font } from '../../../hardware/escpos/truetype.ts';
import { printedLines, tokenize, type Token } from '../../helpers/escpos-tokenizer.ts';

const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const GOLDEN = join(import.meta.dirname, 'golden');
// CI installs fonts-dejavu-core (.ci/run); without it the raster tests are skipped, saying why.
if (!existsSync(DEJAVU)) console.warn(`Arabic raster tests skipped: ${DEJAVU} is missing (apt-get install fonts-dejavu-core)`);
const font: Font | null = existsSync(DEJAVU) ? parseTrueType(readFileSync(DEJAVU)) : null;

const cps = (text: string) => [...text].map((ch) => ch.codePointAt(0)!.toString(16).toUpperCase());

const ticket = {
  number: 'A007', serviceName: 'Ouverture de compte', siteName: 'Agence Plateau', issuedAt: Date.parse('2030-03-04T09:05:00Z'),
  timeZone: 'Africa/Dakar', peopleAhead: 3, etaSeconds: 720, trackingUrl: 'https://branch.example/t/abcdefghijklmnop', duplicate: false,
} as const;

type Raster = Extract<Token, { type: 'raster' }>;
const dot = (r: { widthBytes: number; bits: Uint8Array }, x: number, y: number) => ((r.bits[y * r.widthBytes + (x >> 3)]! >> (7 - (x & 7))) & 1) === 1;

/** Plain PBM (P1): the raster as a text file people can open, and diff. */
function toPbm(r: Raster): string {
  const rows: string[] = [];
  for (let y = 0; y < r.height; y++) rows.push(Array.from({ length: r.widthBytes * 8 }, (_, x) => (dot(r, x, y) ? '1' : '0')).join(''));
  return `P1\n${r.widthBytes * 8} ${r.height}\n${rows.join('\n')}\n`;
}

/** 8-connected groups of black dots: joined letters make one group, separate letters and dots several. */
function components(r: { widthBytes: number; height: number; bits: Uint8Array }): Array<{ minX: number; maxX: number; size: number }> {
  const width = r.widthBytes * 8;
  const seen = new Uint8Array(width * r.height);
  const found: Array<{ minX: number; maxX: number; size: number }> = [];
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < width; x++) {
      if (!dot(r, x, y) || seen[y * width + x]) continue;
      const group = { minX: x, maxX: x, size: 0 };
      const stack = [[x, y]];
      seen[y * width + x] = 1;
      while (stack.length > 0) {
        const [cx, cy] = stack.pop()!;
        group.size += 1;
        group.minX = Math.min(group.minX, cx!);
        group.maxX = Math.max(group.maxX, cx!);
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = cx! + dx;
            const ny = cy! + dy;
            if (nx < 0 || ny < 0 || nx >= width || ny >= r.height || seen[ny * width + nx] || !dot(r, nx, ny)) continue;
            seen[ny * width + nx] = 1;
            stack.push([nx, ny]);
          }
        }
      }
      found.push(group);
    }
  }
  return found;
}

const raster = (text: string) => {
  const [line] = rasterizeText(font!, text, { emDots: 28, widthDots: 576, align: 'center', bold: false, invert: false });
  const bitmap = line!.bitmap;
  return { widthBytes: Math.ceil(bitmap.width / 8), height: bitmap.height, bits: bitmap.bits };
};

describe('Arabic shaping (presentation forms) and right-to-left order', () => {
  it('gives each letter its contextual form: isolated reh, initial qaf, medial meem, final kaf', () => {
    expect(cps(shapeArabic('رقمك'))).toEqual(['FEAD', 'FED7', 'FEE4', 'FEDA']);
  });

  it('writes lam + alef as the mandatory ligature, final after a joining letter, and restarts after it', () => {
    // ا ل س ل ا م: alef alone, lam initial, seen medial, lam-alef final, meem alone (alef never joins forward).
    expect(cps(shapeArabic('السلام'))).toEqual(['FE8D', 'FEDF', 'FEB4', 'FEFC', 'FEE1']);
    expect(cps(shapeArabic('لا'))).toEqual(['FEFB']);
  });

  it('drops short-vowel marks and leaves Latin, digits and hamza alone', () => {
    expect(cps(shapeArabic('مَرْحَبًا'))).toEqual(cps(shapeArabic('مرحبا')));
    expect(shapeArabic('A-12 ء')).toBe('A-12 ء');
  });

  it('lays a right-to-left line out from the right, keeping digits and Latin runs in their own order', () => {
    expect(visualOrderRtl('سلم 12')).toBe('12 ملس');
    expect(visualOrderRtl('رقم A-001: تم')).toBe('مت :A-001 مقر');
    expect(visualOrderRtl('(نعم)')).toBe('(معن)');
  });
});

describe.skipIf(!font)('Arabic lines rasterised with DejaVu Sans (GS v 0)', () => {
  it('prints the Arabic label as a raster image decoded byte for byte to the golden bitmap', () => {
    const bytes = renderTicket(ticket, parsePrintProfile({ languages: ['fr', 'en', 'ar'] }), font);
    const tokens = tokenize(bytes);
    const label = tokens.findIndex((tk) => tk.type === 'text' && tk.text.includes('Votre numéro / Your number'));
    const image = tokens.slice(label).find((tk): tk is Raster => tk.type === 'raster')!;
    const number = tokens.findIndex((tk) => tk.type === 'text' && tk.text === 'A007');
    expect(tokens.indexOf(image)).toBeLessThan(number);
    // Centred (ESC a 1) like the labels, as wide as the text only: a short line costs few bytes on a serial link.
    expect(tokens[tokens.indexOf(image) - 1]).toEqual({ type: 'setting', command: 'ESC a', value: 1 });
    expect(image.widthBytes * 8).toBeLessThan(120);
    const golden = join(GOLDEN, 'label-raqmuka.pbm');
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, toPbm(image));
    expect(toPbm(image)).toBe(readFileSync(golden, 'utf8'));
  });

  it('joins the letters of a word into one stroke, where isolated forms would stay apart', () => {
    // س ل م have no dots: shaped they are one connected shape; the same letters unjoined are three.
    expect(components(raster('سلم'))).toHaveLength(1);
    expect(components(raster('\uFEB1 \uFEDD \uFEE1'))).toHaveLength(3);
  });

  it('draws a word then a number right to left: the number ends up on the left', () => {
    const groups = components(raster('سلم 12')).sort((a, b) => b.size - a.size);
    const word = groups[0]!;
    const digits = groups.slice(1);
    expect(digits).toHaveLength(2);
    for (const digit of digits) expect(digit.maxX).toBeLessThan(word.minX);
  });

  it('prints every label of the ticket in Arabic too, and nothing is left out or warned about', () => {
    const profile = parsePrintProfile({ languages: ['fr', 'en', 'ar'] });
    const tokens = tokenize(renderTicket({ ...ticket, duplicate: true }, profile, font));
    const rasters = tokens.filter((tk): tk is Raster => tk.type === 'raster');
    // duplicate banner, number, people ahead, wait, track, duplicate footer.
    expect(rasters).toHaveLength(6);
    for (const r of rasters) {
      expect(r.widthBytes * 8).toBeLessThanOrEqual(576);
      expect(r.height).toBeGreaterThan(20);
    }
    // The duplicate banner is white on black: mostly black dots.
    const first = rasters[0]!;
    const black = Array.from({ length: first.widthBytes * 8 * first.height }, (_, i) => dot(first, i % (first.widthBytes * 8), Math.floor(i / (first.widthBytes * 8)))).filter(Boolean).length;
    expect(black / (first.widthBytes * 8 * first.height)).toBeGreaterThan(0.6);
    expect(printedLines(tokens).map((l) => l.text)).toContain('Votre numéro / Your number');
    expect(layoutWarnings(profile, { arabic: true })).toEqual([]);
  });

  it('prints a profile in Arabic only without Latin labels, and wraps lines wider than a 58 mm roll', () => {
    const tokens = tokenize(renderTicket(ticket, parsePrintProfile({ languages: ['ar'], paper_width: 58 }), font));
    const texts = printedLines(tokens).map((l) => l.text);
    expect(texts.some((t) => t.includes('Votre') || t.includes('Your'))).toBe(false);
    expect(texts).toContain('A007');
    const rasters = tokens.filter((tk): tk is Raster => tk.type === 'raster');
    expect(rasters.length).toBeGreaterThanOrEqual(4);
    for (const r of rasters) expect(r.widthBytes * 8).toBeLessThanOrEqual(384);
    const wrapped = rasterizeText(font!, 'تابع دورك على هاتفك تابع دورك على هاتفك تابع دورك', { emDots: 28, widthDots: 384, align: 'center', bold: false, invert: false });
    expect(wrapped.length).toBeGreaterThan(1);
  });

  it('draws Arabic site and service names as images, and shows the same dots in the SVG preview', () => {
    const profile = parsePrintProfile({ languages: ['fr', 'ar'] });
    const arabicSite = { ...ticket, siteName: 'وكالة الهضبة' };
    const tokens = tokenize(renderTicket(arabicSite, profile, font));
    expect(printedLines(tokens).some((l) => l.text.includes('?'))).toBe(false);
    const svg = previewTicketSvg(arabicSite, profile, font);
    expect(svg).toContain('data-text="وكالة الهضبة"');
    expect(svg).toContain('data-text="رقمك"');
  });

  it('prints an Arabic line on the test page', () => {
    const tokens = tokenize(renderTestPage({ printerName: 'Borne', transport: 'network', at: ticket.issuedAt, timeZone: 'UTC' }, parsePrintProfile({ languages: ['fr', 'ar'] }), font));
    expect(tokens.filter((tk) => tk.type === 'raster').length).toBe(2);
  });
});
