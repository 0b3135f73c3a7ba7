import { describe, expect, it } from 'vitest';
import type { TicketPrint } from '../../../hardware/escpos/layout.ts';
import { layoutWarnings } from '../../../hardware/escpos/layout.ts';
import { parsePrintProfile } from '../../../hardware/escpos/profile.ts';
import { renderTestPage, renderTicket } from '../../../hardware/escpos/render-ticket.ts';
import { printedLines, printedQrCodes, tokenize, type Token } from '../../helpers/escpos-tokenizer.ts';

const ticket: TicketPrint = {
  number: 'A007',
  serviceName: 'Dépôts et retraits',
  siteName: 'Agence Médina',
  issuedAt: Date.UTC(2024, 6, 14, 8, 5), // 09:05 in Casablanca (UTC+1)
  timeZone: 'Africa/Casablanca',
  peopleAhead: 3,
  etaSeconds: 720,
  trackingUrl: 'https://branch.example/t/pub_Xy12',
  duplicate: false,
};

const decode = (bytes: Uint8Array) => {
  const tokens = tokenize(bytes);
  return { tokens, lines: printedLines(tokens), qr: printedQrCodes(tokens) };
};
const lineWith = (lines: ReturnType<typeof printedLines>, part: string) => lines.find((l) => l.text.includes(part));
const last = (tokens: Token[]) => tokens.filter((t) => t.type !== 'newline' && t.type !== 'feed').at(-1);

describe('renderTicket (ESC/POS)', () => {
  it('prints the ticket number alone on its line in large bold type', () => {
    const { lines } = decode(renderTicket(ticket, parsePrintProfile({})));
    const number = lines.find((l) => l.text === 'A007');
    expect(number).toMatchObject({ bold: true });
    expect(number!.maxHeight).toBeGreaterThanOrEqual(3);
    expect(number!.maxWidth).toBeGreaterThanOrEqual(3);
  });

  it('prints French accents through code page 858 by default, euro sign included', () => {
    const { lines, tokens } = decode(renderTicket(ticket, parsePrintProfile({ footer: 'Merci de votre visite — 5 € offerts' })));
    expect(tokens).toContainEqual({ type: 'codepage', n: 19, name: 'cp858' });
    expect(lineWith(lines, 'Dépôts et retraits')).toMatchObject({ codepages: ['cp858'], maxHeight: 2 });
    expect(lineWith(lines, 'Agence Médina')).toBeDefined();
    expect(lineWith(lines, 'Votre numéro')).toBeDefined();
    // The em dash has no cp858 glyph: it degrades to '?', the rest of the line stays intact.
    expect(lineWith(lines, 'Merci de votre visite')!.text).toBe('Merci de votre visite ? 5 € offerts');
  });

  it('prints the same accents through Windows-1252 when the profile asks for it (cp1252 accepted as an alias)', () => {
    const bytes = renderTicket(ticket, parsePrintProfile({ codepage: 'cp1252', footer: 'À bientôt €' }));
    const { lines, tokens } = decode(bytes);
    expect(tokens).toContainEqual({ type: 'codepage', n: 16, name: 'windows1252' });
    expect(lineWith(lines, 'Dépôts')!.codepages).toEqual(['windows1252']);
    expect(lines.map((l) => l.text)).toContain('À bientôt €');
    // é is 0x82 in cp858 but 0xE9 in Windows-1252: the bytes really differ.
    expect([...bytes]).toContain(0xe9);
    expect([...bytes]).not.toContain(0x82);
  });

  it('encodes the phone tracking link in a native QR code (model 2, level M) that is printed', () => {
    const { tokens, qr } = decode(renderTicket(ticket, parsePrintProfile({})));
    expect(qr).toEqual(['https://branch.example/t/pub_Xy12']);
    expect(tokens).toContainEqual({ type: 'qr-model', model: 2 });
    expect(tokens).toContainEqual({ type: 'qr-error', level: 'M' });
    expect(tokens).toContainEqual({ type: 'qr-size', moduleSize: 6 });
  });

  it('shows the issue time in the site time zone, people ahead and the ETA in minutes', () => {
    const { lines } = decode(renderTicket(ticket, parsePrintProfile({ languages: ['fr'] })));
    const texts = lines.map((l) => l.text);
    expect(texts).toContain('14/07/2024 09:05');
    expect(texts).toContain('Personnes avant vous: 3');
    expect(texts).toContain('Attente estimée: ~12 min');
    const inTokyo = decode(renderTicket({ ...ticket, timeZone: 'Asia/Tokyo' }, parsePrintProfile({ languages: ['fr'] }))).lines.map((l) => l.text);
    expect(inTokyo).toContain('14/07/2024 17:05');
  });

  it('tells the first in line that they are next instead of an ETA', () => {
    const texts = decode(renderTicket({ ...ticket, peopleAhead: 0, etaSeconds: 0 }, parsePrintProfile({ languages: ['en'] }))).lines.map((l) => l.text);
    expect(texts).toContain('You are next');
    expect(texts.some((t) => t.startsWith('Estimated wait'))).toBe(false);
  });

  it('ends with a cut (partial by default, full when the profile says so)', () => {
    expect(last(decode(renderTicket(ticket, parsePrintProfile({}))).tokens)).toEqual({ type: 'cut', partial: true });
    expect(last(decode(renderTicket(ticket, parsePrintProfile({ cut: 'full' }))).tokens)).toEqual({ type: 'cut', partial: false });
  });

  it('marks a reprint as a duplicate, at the top in reverse video and at the bottom, keeping the same number', () => {
    const { lines } = decode(renderTicket({ ...ticket, duplicate: true }, parsePrintProfile({})));
    const marks = lines.filter((l) => l.text === 'DUPLICATA / DUPLICATE');
    expect(marks).toHaveLength(2);
    expect(marks[0]!.inverted).toBe(true);
    expect(lines[0]!.text).toBe('DUPLICATA / DUPLICATE');
    expect(lines.filter((l) => l.text === 'A007')).toHaveLength(1);
    expect(decode(renderTicket(ticket, parsePrintProfile({}))).lines.some((l) => l.text.includes('DUPLICA'))).toBe(false);
  });

  it('fits a 58 mm roll: 32 columns, a smaller number and QR modules', () => {
    const { lines, tokens } = decode(renderTicket(ticket, parsePrintProfile({ paper_width: 58 })));
    expect(Math.max(...lines.filter((l) => l.maxWidth === 1).map((l) => l.text.length))).toBeLessThanOrEqual(32);
    expect(lines.find((l) => l.text === 'A007')!.maxWidth).toBe(3);
    expect(tokens).toContainEqual({ type: 'qr-size', moduleSize: 5 });
  });

  it('prints the logo as a raster image before the number', () => {
    const bits = Uint8Array.from([0xff, 0x00, 0x81, 0x81, 0x00, 0xff]);
    const logo = { width: 16, height: 3, data: Buffer.from(bits).toString('base64') };
    const { tokens } = decode(renderTicket(ticket, parsePrintProfile({ logo })));
    const rasterAt = tokens.findIndex((t) => t.type === 'raster');
    const numberAt = tokens.findIndex((t) => t.type === 'text' && t.text === 'A007');
    expect(tokens[rasterAt]).toEqual({ type: 'raster', widthBytes: 2, height: 3, bits });
    expect(rasterAt).toBeLessThan(numberAt);
  });

  it('ignores a logo whose data does not match its size rather than corrupting the stream', () => {
    const logo = { width: 16, height: 30, data: Buffer.from([1, 2, 3]).toString('base64') };
    const { tokens, lines } = decode(renderTicket(ticket, parsePrintProfile({ logo })));
    expect(tokens.some((t) => t.type === 'raster')).toBe(false);
    expect(lines.some((l) => l.text === 'A007')).toBe(true);
  });

  it('falls back to defaults for unreadable profile fields and leaves Arabic out of the printout with a warning', () => {
    const profile = parsePrintProfile({ paper_width: 100, codepage: 'klingon', languages: ['ar', 'fr'] });
    expect(profile).toMatchObject({ paperWidth: 80, codepage: 'cp858', languages: ['ar', 'fr'] });
    expect(layoutWarnings(profile)).toHaveLength(1);
    const texts = decode(renderTicket(ticket, profile)).lines.map((l) => l.text);
    expect(texts).toContain('Votre numéro');
  });

  it('renders a test page with accents, a QR code and a cut', () => {
    const { lines, qr, tokens } = decode(renderTestPage({ printerName: 'Kiosque entrée', transport: 'network', at: ticket.issuedAt, timeZone: 'UTC' }, parsePrintProfile({})));
    expect(lines.map((l) => l.text)).toContain('PAGE DE TEST / TEST PAGE');
    expect(lines.some((l) => l.text.includes('àâçéèêëîïôùûü') && l.text.includes('€'))).toBe(true);
    expect(qr).toHaveLength(1);
    expect(last(tokens)).toMatchObject({ type: 'cut' });
  });
});
