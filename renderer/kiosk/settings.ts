/** How long a screen waits without a touch before going back to the welcome screen. */
export const IDLE_SECONDS = 45;
/** The ticket screen goes back sooner: the customer has what they came for. */
export const TICKET_IDLE_SECONDS = 20;
/** The feedback thank-you stays this long before the next customer's turn. */
export const THANKS_SECONDS = 8;
/** Waiting counts and ETAs on the welcome and services screens are refreshed this often. */
export const REFRESH_SECONDS = 15;

export type KioskMode = 'tickets' | 'feedback';

export type KioskSettings = Readonly<{
  mode: KioskMode;
  idleMs: number;
  ticketIdleMs: number;
  thanksMs: number;
  refreshMs: number;
}>;

function seconds(value: string | null): number | null {
  if (value === null || !/^\d+(\.\d+)?$/.test(value)) return null;
  const n = Number(value);
  return n > 0 && n <= 3600 ? n : null;
}

/**
 * `?mode=feedback` turns the kiosk into an exit tablet; `?idle=N` sets every idle delay to N seconds
 * (for a demo or a test — the defaults suit a branch).
 */
export function readSettings(search: string): KioskSettings {
  const query = new URLSearchParams(search);
  const idle = seconds(query.get('idle'));
  return {
    mode: query.get('mode') === 'feedback' ? 'feedback' : 'tickets',
    idleMs: (idle ?? IDLE_SECONDS) * 1000,
    ticketIdleMs: (idle ?? TICKET_IDLE_SECONDS) * 1000,
    thanksMs: (idle ?? THANKS_SECONDS) * 1000,
    refreshMs: REFRESH_SECONDS * 1000,
  };
}
