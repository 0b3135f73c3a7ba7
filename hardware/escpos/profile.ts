import { z } from 'zod';

/**
 * How a printer wants its tickets: paper width, the code page its firmware uses for accented text,
 * the languages of the labels, a footer and an optional logo. Stored as the printer's `profile` JSON
 * (snake_case, as the API sends it); anything missing or unreadable falls back to the defaults, so a
 * bad profile still prints a usable ticket.
 */
export const CODEPAGES = ['cp858', 'cp850', 'cp437', 'windows1252'] as const;
export type Codepage = (typeof CODEPAGES)[number];

/** Printer firmware families differ in which `ESC t n` selects a code page. */
export const CODEPAGE_MAPPINGS = ['epson', 'epson/legacy', 'bixolon', 'citizen', 'xprinter', 'pos-5890', 'pos-8360', 'star'] as const;

export const LANGUAGES = ['fr', 'en', 'ar'] as const;
export type TicketLanguage = (typeof LANGUAGES)[number];

/** A 1-bit image, rows of `ceil(width / 8)` bytes, most significant bit first, 1 = black (as GS v 0 wants). */
export type MonoBitmap = Readonly<{ width: number; height: number; bits: Uint8Array }>;

const Logo = z.object({
  width: z.number().int().min(8).max(576),
  height: z.number().int().min(1).max(400),
  /** Base64 of the packed rows. */
  data: z.string().max(40_000),
});

const ProfileSchema = z.object({
  paper_width: z.union([z.literal(58), z.literal(80)]).catch(80).default(80),
  codepage: z.preprocess((v) => (v === 'cp1252' ? 'windows1252' : v), z.enum(CODEPAGES)).catch('cp858').default('cp858'),
  codepage_mapping: z.enum(CODEPAGE_MAPPINGS).catch('epson').default('epson'),
  languages: z.array(z.enum(LANGUAGES)).min(1).catch(['fr', 'en']).default(['fr', 'en']),
  header: z.string().max(200).catch('').default(''),
  footer: z.string().max(300).catch('').default(''),
  qr_module_size: z.number().int().min(2).max(10).optional().catch(undefined),
  cut: z.enum(['full', 'partial']).catch('partial').default('partial'),
  logo: Logo.nullable().catch(null).default(null),
});

export type PrintProfile = Readonly<{
  paperWidth: 58 | 80;
  /** Characters per line in font A (12×24 dots). */
  columns: number;
  /** Printable width in dots at 203 dpi. */
  dots: number;
  codepage: Codepage;
  codepageMapping: (typeof CODEPAGE_MAPPINGS)[number];
  languages: readonly TicketLanguage[];
  header: string;
  footer: string;
  qrModuleSize: number;
  cut: 'full' | 'partial';
  logo: MonoBitmap | null;
}>;

/** Reads a stored profile; never throws. */
export function parsePrintProfile(stored: unknown): PrintProfile {
  const parsed = ProfileSchema.safeParse(stored ?? {});
  const p = parsed.success ? parsed.data : ProfileSchema.parse({});
  const narrow = p.paper_width === 58;
  return {
    paperWidth: p.paper_width,
    columns: narrow ? 32 : 48,
    dots: narrow ? 384 : 576,
    codepage: p.codepage,
    codepageMapping: p.codepage_mapping,
    languages: p.languages,
    header: p.header,
    footer: p.footer,
    qrModuleSize: p.qr_module_size ?? (narrow ? 5 : 6),
    cut: p.cut,
    logo: decodeLogo(p.logo),
  };
}

function decodeLogo(logo: z.infer<typeof Logo> | null): MonoBitmap | null {
  if (!logo) return null;
  const bits = Uint8Array.from(atob(logo.data), (c) => c.charCodeAt(0));
  // A logo whose data does not match its size would shift every following command: drop it.
  if (bits.length !== Math.ceil(logo.width / 8) * logo.height) return null;
  return { width: logo.width, height: logo.height, bits };
}
