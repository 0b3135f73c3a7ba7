/**
 * Hybrid logical clock stamps, `"<15-digit ms>:<6-digit counter>"`, so string order is clock order.
 * A node's clock never runs backwards and catches up with any stamp it receives, so a branch whose
 * wall clock says 2016 still stamps its edits after the ones it has seen.
 */
export type Hlc = string;

export const HLC_ZERO: Hlc = formatHlc(0, 0);

export function formatHlc(ms: number, counter: number): Hlc {
  return `${String(Math.max(0, Math.floor(ms))).padStart(15, '0')}:${String(counter).padStart(6, '0')}`;
}

export function parseHlc(hlc: Hlc): { ms: number; counter: number } {
  const [ms, counter] = hlc.split(':');
  return { ms: Number(ms), counter: Number(counter) };
}

/** The next local stamp after `last`, given the wall clock `now`. */
export function tickHlc(last: Hlc, now: number): Hlc {
  const prev = parseHlc(last);
  if (now > prev.ms) return formatHlc(now, 0);
  return prev.counter >= 999_999 ? formatHlc(prev.ms + 1, 0) : formatHlc(prev.ms, prev.counter + 1);
}

/** Merges a received stamp into the local clock (the local clock becomes at least as late). */
export function observeHlc(last: Hlc, received: Hlc): Hlc {
  return received > last ? received : last;
}
