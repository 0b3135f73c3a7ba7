import QRCode from 'qrcode';

/** The options of the on-screen QR code (dark on white, a quiet zone, medium error correction for a photo of a screen). */
export const QR_OPTIONS = { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#0f1b2d', light: '#ffffff' } } as const;

/** An SVG QR code as a data: URL (the page's CSP allows data: images; no markup is injected). */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, QR_OPTIONS);
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
