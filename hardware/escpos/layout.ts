import { hasArabic } from './arabic-shaping.ts';
import type { MonoBitmap, PrintProfile, TicketLanguage } from './profile.ts';

/**
 * What a printed ticket says, captured when the ticket is issued (people ahead and ETA are those of
 * that moment; a reprint shows the same values, marked as a duplicate).
 */
export type TicketPrint = Readonly<{
  number: string;
  serviceName: string;
  siteName: string;
  /** Epoch ms of issuance; shown in `timeZone` (the site's). */
  issuedAt: number;
  timeZone: string;
  peopleAhead: number | null;
  etaSeconds: number | null;
  /** `{publicUrl}/t/{public_id}`: encoded in the QR code. */
  trackingUrl: string;
  duplicate: boolean;
}>;

export type Align = 'left' | 'center' | 'right';

/** The device-independent layout both renderers (ESC/POS bytes, SVG preview) draw from. */
export type Block =
  | Readonly<{ kind: 'logo'; bitmap: MonoBitmap }>
  | Readonly<{ kind: 'text'; text: string; align: Align; size: 1 | 2 | 3 | 4; bold: boolean; invert: boolean }>
  /** Text the printer's character set cannot print (Arabic): drawn from a font as an image. */
  | Readonly<{ kind: 'raster-text'; text: string; align: Align; size: 1 | 2; bold: boolean; invert: boolean }>
  | Readonly<{ kind: 'qr'; data: string; moduleSize: number }>
  | Readonly<{ kind: 'rule' }>
  | Readonly<{ kind: 'feed'; lines: number }>
  | Readonly<{ kind: 'cut'; type: 'full' | 'partial' }>;

type Labels = Readonly<{
  number: string; ahead: string; eta: string; track: string; duplicate: string; testPage: string; next: string; lessThanAMinute: string;
}>;

const LABELS: Readonly<Record<Exclude<TicketLanguage, 'ar'>, Labels>> = {
  fr: {
    number: 'Votre numéro', ahead: 'Personnes avant vous', eta: 'Attente estimée', track: 'Suivez votre tour sur votre téléphone',
    duplicate: 'DUPLICATA', testPage: 'PAGE DE TEST', next: 'Vous êtes le prochain', lessThanAMinute: "moins d'une minute",
  },
  en: {
    number: 'Your number', ahead: 'People ahead', eta: 'Estimated wait', track: 'Follow your turn on your phone',
    duplicate: 'DUPLICATE', testPage: 'TEST PAGE', next: 'You are next', lessThanAMinute: 'under a minute',
  },
};

const ARABIC: Labels = {
  number: 'رقمك', ahead: 'عدد الأشخاص قبلك', eta: 'الانتظار المتوقع', track: 'تابع دورك على هاتفك',
  duplicate: 'نسخة مكررة', testPage: 'صفحة اختبار', next: 'أنت التالي', lessThanAMinute: 'أقل من دقيقة',
};
const ARABIC_MINUTES = 'دقيقة';

const LOCALES: Readonly<Record<Exclude<TicketLanguage, 'ar'>, string>> = { fr: 'fr-FR', en: 'en-GB' };

/**
 * What the layout can draw besides the printer's own characters. Arabic needs shaping and
 * right-to-left order that thermal printers cannot do in text mode: its lines are drawn as images
 * from a font (raster-text.ts) — when the branch server has one with Arabic glyphs.
 */
export type LayoutOptions = Readonly<{ arabic: boolean }>;
const NO_ARABIC: LayoutOptions = { arabic: false };

/** The Latin languages of the labels; French when the profile names none (or only Arabic that cannot be drawn). */
export function printableLanguages(profile: PrintProfile, options: LayoutOptions = NO_ARABIC): Array<Exclude<TicketLanguage, 'ar'>> {
  const latin = profile.languages.filter((l): l is Exclude<TicketLanguage, 'ar'> => l !== 'ar');
  return latin.length > 0 || (options.arabic && profile.languages.includes('ar')) ? latin : ['fr'];
}

export function layoutWarnings(profile: PrintProfile, options: LayoutOptions = NO_ARABIC): string[] {
  return profile.languages.includes('ar') && !options.arabic
    ? ['arabic-not-printed: no font with Arabic glyphs on the branch server (install fonts-dejavu-core or set TICKET_FONT); printed in Latin languages only']
    : [];
}

const joined = (langs: ReadonlyArray<keyof typeof LABELS>, pick: (l: Labels) => string): string => langs.map((l) => pick(LABELS[l])).join(' / ');

/**
 * A label line in the Latin languages (one text line, "fr / en"), then in Arabic (an image line)
 * when the profile asks for it and it can be drawn. `suffix` follows both (": 3").
 */
function label(
  langs: ReadonlyArray<keyof typeof LABELS>, arabic: boolean, pick: (l: Labels) => string, suffix = '',
  style: Partial<Omit<Extract<Block, { kind: 'text' }>, 'kind' | 'text'>> = {},
): Block[] {
  const blocks: Block[] = [];
  if (langs.length > 0) blocks.push(text(`${joined(langs, pick)}${suffix}`, style));
  if (arabic) blocks.push({ kind: 'raster-text', text: `${pick(ARABIC)}${suffix}`, align: style.align ?? 'center', size: 1, bold: style.bold ?? false, invert: style.invert ?? false });
  return blocks;
}

function text(value: string, options: Partial<Omit<Extract<Block, { kind: 'text' }>, 'kind' | 'text'>> = {}): Block {
  return { kind: 'text', text: value, align: options.align ?? 'center', size: options.size ?? 1, bold: options.bold ?? false, invert: options.invert ?? false };
}

function formatIssuedAt(issuedAt: number, timeZone: string, lang: keyof typeof LOCALES): string {
  const options: Intl.DateTimeFormatOptions = { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false };
  try {
    return new Intl.DateTimeFormat(LOCALES[lang], options).format(issuedAt).replace(',', '');
  } catch {
    // An unknown zone name must not stop a ticket from printing.
    return new Intl.DateTimeFormat(LOCALES[lang], { ...options, timeZone: 'UTC' }).format(issuedAt).replace(',', '') + ' UTC';
  }
}

export function layoutTicket(ticket: TicketPrint, profile: PrintProfile, options: LayoutOptions = NO_ARABIC): Block[] {
  const langs = printableLanguages(profile, options);
  const arabic = options.arabic && profile.languages.includes('ar');
  const blocks: Block[] = [];
  if (ticket.duplicate) {
    if (langs.length > 0) blocks.push(text(` ${joined(langs, (l) => l.duplicate)} `, { bold: true, invert: true }));
    if (arabic) blocks.push({ kind: 'raster-text', text: ` ${ARABIC.duplicate} `, align: 'center', size: 1, bold: true, invert: true });
    blocks.push({ kind: 'feed', lines: 1 });
  }
  if (profile.logo) blocks.push({ kind: 'logo', bitmap: profile.logo });
  if (profile.header) blocks.push(lineOf(profile.header, { bold: true }));
  blocks.push(lineOf(ticket.siteName, { bold: true }), { kind: 'rule' });
  blocks.push(...label(langs, arabic, (l) => l.number));
  blocks.push(text(ticket.number, { size: profile.paperWidth === 58 ? 3 : 4, bold: true }));
  blocks.push(lineOf(ticket.serviceName, { size: 2, bold: true }), { kind: 'feed', lines: 1 });
  if (ticket.peopleAhead !== null) {
    blocks.push(...(ticket.peopleAhead === 0 ? label(langs, arabic, (l) => l.next) : label(langs, arabic, (l) => l.ahead, `: ${ticket.peopleAhead}`)));
  }
  if (ticket.etaSeconds !== null && ticket.peopleAhead !== 0) {
    const eta = ticket.etaSeconds;
    if (langs.length > 0) blocks.push(text(`${joined(langs, (l) => l.eta)}: ${eta < 60 ? joined(langs, (l) => l.lessThanAMinute) : `~${Math.round(eta / 60)} min`}`));
    if (arabic) blocks.push(rasterLine(`${ARABIC.eta}: ${eta < 60 ? ARABIC.lessThanAMinute : `~${Math.round(eta / 60)} ${ARABIC_MINUTES}`}`));
  }
  blocks.push(text(formatIssuedAt(ticket.issuedAt, ticket.timeZone, langs[0] ?? 'fr')), { kind: 'feed', lines: 1 });
  blocks.push(...label(langs, arabic, (l) => l.track), { kind: 'qr', data: ticket.trackingUrl, moduleSize: profile.qrModuleSize });
  if (profile.footer) blocks.push({ kind: 'feed', lines: 1 }, lineOf(profile.footer));
  if (ticket.duplicate) blocks.push(...label(langs, arabic, (l) => l.duplicate, '', { bold: true }));
  blocks.push({ kind: 'cut', type: profile.cut });
  return blocks;

  /** Free text (site, service, header, footer): drawn as an image when it is Arabic and can be, else as text. */
  function lineOf(value: string, style: Partial<Omit<Extract<Block, { kind: 'text' }>, 'kind' | 'text'>> = {}): Block {
    if (!(options.arabic && hasArabic(value))) return text(value, style);
    return { kind: 'raster-text', text: value, align: style.align ?? 'center', size: style.size === 1 || style.size === undefined ? 1 : 2, bold: style.bold ?? false, invert: style.invert ?? false };
  }
}

function rasterLine(value: string): Block {
  return { kind: 'raster-text', text: value, align: 'center', size: 1, bold: false, invert: false };
}

export type TestPageInfo = Readonly<{ printerName: string; transport: string; at: number; timeZone: string }>;

/** A page that shows the printer works and its code page prints French accents and the euro sign. */
export function layoutTestPage(info: TestPageInfo, profile: PrintProfile, options: LayoutOptions = NO_ARABIC): Block[] {
  const langs = printableLanguages(profile, options);
  const arabic = options.arabic && profile.languages.includes('ar');
  return [
    ...(langs.length > 0 ? [text(joined(langs, (l) => l.testPage), { size: 2, bold: true })] : []),
    ...(arabic ? [{ kind: 'raster-text', text: ARABIC.testPage, align: 'center', size: 2, bold: true, invert: false } as const] : []),
    text(info.printerName, { bold: true }),
    text(`${info.transport} · ${profile.paperWidth} mm · ${profile.codepage}`),
    text(formatIssuedAt(info.at, info.timeZone, langs[0] ?? 'fr')),
    { kind: 'rule' },
    text('àâçéèêëîïôùûü ÀÂÇÉÈÊÔÙ € 0123456789', { align: 'left' }),
    ...(arabic ? [rasterLine('مرحبا بكم — السلام عليكم 0123456789')] : []),
    text('A001', { size: profile.paperWidth === 58 ? 3 : 4, bold: true }),
    { kind: 'qr', data: 'SmartQueue test', moduleSize: profile.qrModuleSize },
    { kind: 'cut', type: profile.cut },
  ];
}
