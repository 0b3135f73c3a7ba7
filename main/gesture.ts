/**
 * The hidden gestures that ask for the kiosk exit PIN. Pure, and free of Node APIs: the preload (a
 * sandboxed renderer script) uses the touch form.
 */

/** The hidden gesture: Ctrl+Alt+Shift+Q (a USB keyboard plugged into the kiosk by staff). */
export function isExitChord(input: Readonly<{ type: string; key: string; control: boolean; alt: boolean; shift: boolean }>): boolean {
  return input.type === 'keyDown' && input.control && input.alt && input.shift && input.key.toLowerCase() === 'q';
}

/** Five taps in the top-left corner (60 px) within 3 s: the touch-screen form of the gesture. */
export const CORNER_PX = 60;
export const CORNER_TAPS = 5;
export const CORNER_WINDOW_MS = 3_000;

/** Feeds one tap; returns the taps still counting and whether the gesture is complete. */
export function feedCornerTap(taps: readonly number[], tap: Readonly<{ x: number; y: number; at: number }>): { taps: number[]; complete: boolean } {
  if (tap.x > CORNER_PX || tap.y > CORNER_PX) return { taps: [], complete: false };
  const recent = [...taps.filter((t) => tap.at - t < CORNER_WINDOW_MS), tap.at];
  if (recent.length >= CORNER_TAPS) return { taps: [], complete: true };
  return { taps: recent, complete: false };
}
