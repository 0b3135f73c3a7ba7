import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { previewTicketSvg } from '../../../hardware/escpos/preview-svg.ts';
import { parsePrintProfile } from '../../../hardware/escpos/profile.ts';

const ticket = {
  number: 'B012', serviceName: 'Crédit & <Épargne>', siteName: 'Agence Centre', issuedAt: Date.UTC(2024, 0, 2, 10, 0),
  timeZone: 'Europe/Paris', peopleAhead: 2, etaSeconds: 300, trackingUrl: 'https://b.example/t/abc', duplicate: false,
};

describe('previewTicketSvg', () => {
  it('draws the ticket at the printer width with the number, escaped text and the same QR symbol', () => {
    const svg = previewTicketSvg(ticket, parsePrintProfile({ paper_width: 58 }));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="384" /);
    expect(svg).toContain('>B012</text>');
    // Double-width text wraps at 16 columns on 58 mm paper, as the printer does.
    expect(svg).toContain('>Crédit &amp;</text>');
    expect(svg).toContain('>&lt;Épargne&gt;</text>');
    expect(svg).toContain('data-qr="https://b.example/t/abc"');
    const modules = QRCode.create(ticket.trackingUrl, { errorCorrectionLevel: 'M' }).modules;
    let dark = 0;
    for (let r = 0; r < modules.size; r++) for (let c = 0; c < modules.size; c++) if (modules.get(r, c)) dark++;
    const qrPath = /<path d="([^"]+)" fill="#000" data-qr=/.exec(svg)![1]!;
    expect(qrPath.split('M').length - 1).toBe(dark);
  });

  it('shows the duplicate mark on a reprint preview', () => {
    expect(previewTicketSvg({ ...ticket, duplicate: true }, parsePrintProfile({ languages: ['fr'] }))).toContain('DUPLICATA');
  });
});
