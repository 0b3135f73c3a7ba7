import { existsSync, readFileSync } from 'node:fs';
import { parseTrueType, type Font } from '../escpos/truetype.ts';

/**
 * Where a TrueType font with Arabic glyphs (and Unicode presentation forms) is usually found: DejaVu
 * Sans from the distribution's fonts package (Debian/Ubuntu fonts-dejavu-core, Fedora, Arch), then
 * fonts that ship with macOS and Windows.
 */
export const FONT_CANDIDATES: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/System/Library/Fonts/Supplemental/Arial Unicode.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

/** Arabic letters the ticket labels use, in the presentation forms the shaper maps to. */
const REQUIRED = [0xfe8d, 0xfedf, 0xfefb, 0xfeb3, 0xfee4, 0xfeea];

export class TicketFontError extends Error {
  override readonly name = 'TicketFontError';
}

/** Reads and checks one font file: it must be TrueType and draw Arabic presentation forms. */
export function readTicketFont(path: string): Font {
  let font: Font;
  try {
    font = parseTrueType(readFileSync(path));
  } catch (error) {
    throw new TicketFontError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const missing = REQUIRED.filter((cp) => font.glyphIndex(cp) === 0);
  if (missing.length > 0) throw new TicketFontError(`${path} has no glyphs for Arabic presentation forms (U+${missing[0]!.toString(16).toUpperCase()}…)`);
  return font;
}

/**
 * The font Arabic ticket lines are drawn with: `configured` (TICKET_FONT) must work, or the start
 * fails saying why; otherwise the first usable candidate, or null — Arabic lines are then left out
 * of printed tickets, with a warning on each job and in the preview.
 */
export function loadTicketFont(configured: string | null, candidates: readonly string[] = FONT_CANDIDATES): Font | null {
  if (configured) return readTicketFont(configured);
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    try {
      return readTicketFont(path);
    } catch {
      // not usable: try the next one
    }
  }
  return null;
}
