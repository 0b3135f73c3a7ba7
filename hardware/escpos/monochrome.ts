import type { MonoBitmap } from './profile.ts';

/** One grey level per pixel, rows top to bottom: 0 = black … 255 = white. */
export type GreyImage = Readonly<{ width: number; height: number; grey: Uint8Array }>;

export type MonochromeOptions = Readonly<{
  maxWidth: number;
  maxHeight: number;
  /** threshold: flat logos (crisp edges); dither: photos and gradients (Floyd–Steinberg). */
  mode: 'threshold' | 'dither';
  /** Grey levels below this print black (threshold mode). */
  threshold: number;
}>;

/** Near-white margins are cut: paper is not spent on an image's empty border. */
const MARGIN_WHITE = 250;

/**
 * PURE: an image to the 1-bit bitmap a thermal printer prints with `GS v 0`: margins trimmed,
 * scaled down (never up) to fit `maxWidth` × `maxHeight` by averaging, then thresholded or dithered.
 * Returns null for an image with nothing to print (blank).
 */
export function toMonoBitmap(image: GreyImage, options: MonochromeOptions): MonoBitmap | null {
  const box = inkBox(image);
  if (!box) return null;
  const srcW = box.right - box.left + 1;
  const srcH = box.bottom - box.top + 1;
  const scale = Math.min(1, options.maxWidth / srcW, options.maxHeight / srcH);
  const width = Math.max(1, Math.round(srcW * scale));
  const height = Math.max(1, Math.round(srcH * scale));

  // Area average: each output pixel is the mean of the source pixels it covers.
  const levels = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) {
    const sy0 = box.top + (y * srcH) / height;
    const sy1 = box.top + ((y + 1) * srcH) / height;
    for (let x = 0; x < width; x += 1) {
      const sx0 = box.left + (x * srcW) / width;
      const sx1 = box.left + ((x + 1) * srcW) / width;
      let sum = 0;
      let weight = 0;
      for (let sy = Math.floor(sy0); sy < Math.ceil(sy1); sy += 1) {
        const wy = Math.min(sy + 1, sy1) - Math.max(sy, sy0);
        for (let sx = Math.floor(sx0); sx < Math.ceil(sx1); sx += 1) {
          const w = wy * (Math.min(sx + 1, sx1) - Math.max(sx, sx0));
          sum += w * image.grey[sy * image.width + sx]!;
          weight += w;
        }
      }
      levels[y * width + x] = sum / weight;
    }
  }

  const rowBytes = Math.ceil(width / 8);
  const bits = new Uint8Array(rowBytes * height);
  const black = (x: number, y: number) => {
    bits[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
  };
  if (options.mode === 'threshold') {
    for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) if (levels[y * width + x]! < options.threshold) black(x, y);
  } else {
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const old = levels[y * width + x]!;
        const ink = old < 128;
        if (ink) black(x, y);
        const error = old - (ink ? 0 : 255);
        const spread = (dx: number, dy: number, share: number) => {
          const nx = x + dx;
          const ny = y + dy;
          if (nx >= 0 && nx < width && ny < height) levels[ny * width + nx]! += (error * share) / 16;
        };
        spread(1, 0, 7);
        spread(-1, 1, 3);
        spread(0, 1, 5);
        spread(1, 1, 1);
      }
    }
  }
  return { width, height, bits };
}

function inkBox(image: GreyImage): { left: number; top: number; right: number; bottom: number } | null {
  let left = image.width;
  let right = -1;
  let top = image.height;
  let bottom = -1;
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 0; x < image.width; x += 1) {
      if (image.grey[y * image.width + x]! >= MARGIN_WHITE) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return right < 0 ? null : { left, top, right, bottom };
}
