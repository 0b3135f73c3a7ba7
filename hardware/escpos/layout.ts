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

const LOCALES: Readonly<Record<Exclude<TicketLanguage, 'ar'>, string>> = { fr: 'fr-FR', en: 'en-GB' };

/**
 * Arabic needs shaping and right-to-left layout that thermal printers cannot do in text mode; it
 * must be printed as an image rasterised by a font renderer, which this build does not have. Arabic
 * is left out of printed tickets (the kiosk screen and phone page show it) and reported as a warning.
 */
export function printableLanguages(profile: PrintProfile): Array<Exclude<TicketLanguage, 'ar'>> {
  const latin = profile.languages.filter((l): l is Exclude<TicketLanguage, 'ar'> => l !== 'ar');
  return latin.length > 0 ? latin : ['fr'];
}

export function layoutWarnings(profile: PrintProfile): string[] {
  return profile.languages.includes('ar') ? ['arabic-not-printed: Arabic lines need a raster font renderer; printed in Latin languages only'] : [];
}

const joined = (langs: ReadonlyArray<keyof typeof LABELS>, pick: (l: Labels) => string): string => langs.map((l) => pick(LABELS[l])).join(' / ');

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

function formatEta(etaSeconds: number, langs: ReadonlyArray<keyof typeof LABELS>): string {
  if (etaSeconds < 60) return joined(langs, (l) => l.lessThanAMinute);
  return `~${Math.round(etaSeconds / 60)} min`;
}

export function layoutTicket(ticket: TicketPrint, profile: PrintProfile): Block[] {
  const langs = printableLanguages(profile);
  const blocks: Block[] = [];
  if (ticket.duplicate) blocks.push(text(` ${joined(langs, (l) => l.duplicate)} `, { bold: true, invert: true }), { kind: 'feed', lines: 1 });
  if (profile.logo) blocks.push({ kind: 'logo', bitmap: profile.logo });
  if (profile.header) blocks.push(text(profile.header, { bold: true }));
  blocks.push(text(ticket.siteName, { bold: true }), { kind: 'rule' });
  blocks.push(text(joined(langs, (l) => l.number)));
  blocks.push(text(ticket.number, { size: profile.paperWidth === 58 ? 3 : 4, bold: true }));
  blocks.push(text(ticket.serviceName, { size: 2, bold: true }), { kind: 'feed', lines: 1 });
  if (ticket.peopleAhead !== null) {
    blocks.push(text(ticket.peopleAhead === 0 ? joined(langs, (l) => l.next) : `${joined(langs, (l) => l.ahead)}: ${ticket.peopleAhead}`));
  }
  if (ticket.etaSeconds !== null && ticket.peopleAhead !== 0) {
    blocks.push(text(`${joined(langs, (l) => l.eta)}: ${formatEta(ticket.etaSeconds, langs)}`));
  }
  blocks.push(text(formatIssuedAt(ticket.issuedAt, ticket.timeZone, langs[0]!)), { kind: 'feed', lines: 1 });
  blocks.push(text(joined(langs, (l) => l.track)), { kind: 'qr', data: ticket.trackingUrl, moduleSize: profile.qrModuleSize });
  if (profile.footer) blocks.push({ kind: 'feed', lines: 1 }, text(profile.footer));
  if (ticket.duplicate) blocks.push(text(joined(langs, (l) => l.duplicate), { bold: true }));
  blocks.push({ kind: 'cut', type: profile.cut });
  return blocks;
}

export type TestPageInfo = Readonly<{ printerName: string; transport: string; at: number; timeZone: string }>;

/** A page that shows the printer works and its code page prints French accents and the euro sign. */
export function layoutTestPage(info: TestPageInfo, profile: PrintProfile): Block[] {
  const langs = printableLanguages(profile);
  return [
    text(joined(langs, (l) => l.testPage), { size: 2, bold: true }),
    text(info.printerName, { bold: true }),
    text(`${info.transport} · ${profile.paperWidth} mm · ${profile.codepage}`),
    text(formatIssuedAt(info.at, info.timeZone, langs[0]!)),
    { kind: 'rule' },
    text('àâçéèêëîïôùûü ÀÂÇÉÈÊÔÙ € 0123456789', { align: 'left' }),
    text('A001', { size: profile.paperWidth === 58 ? 3 : 4, bold: true }),
    { kind: 'qr', data: 'SmartQueue test', moduleSize: profile.qrModuleSize },
    { kind: 'cut', type: profile.cut },
  ];
}
