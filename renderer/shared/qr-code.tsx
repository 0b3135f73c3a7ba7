import { useMemo } from 'react';
import { create } from 'qrcode';

/**
 * A QR code drawn as one SVG path (no canvas, no data: URL, no inline script: nothing the page's
 * CSP has to allow), with the standard 4-module quiet zone so phone cameras find it.
 */
export function QrCode({ text, label, size = 200, className = 'mg-qr' }: Readonly<{ text: string; label: string; size?: number; className?: string }>) {
  const { d, total } = useMemo(() => {
    const modules = create(text, { errorCorrectionLevel: 'M' }).modules;
    const quiet = 4;
    let path = '';
    for (let row = 0; row < modules.size; row += 1) {
      for (let col = 0; col < modules.size; col += 1) {
        if (modules.get(row, col)) path += `M${col + quiet} ${row + quiet}h1v1h-1z`;
      }
    }
    return { d: path, total: modules.size + quiet * 2 };
  }, [text]);
  return (
    <svg className={className} role="img" data-qr-text={text} aria-label={label} viewBox={`0 0 ${total} ${total}`} width={size} height={size} shapeRendering="crispEdges">
      <rect width={total} height={total} fill="#fff" />
      <path d={d} fill="#0f1b2d" />
    </svg>
  );
}
