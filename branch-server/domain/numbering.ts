import { DomainError } from './errors.ts';
import type { EpochMs } from './ids.ts';

const PREFIX_PATTERN = /^[A-Z]{1,3}$/;
const MIN_DIGITS = 3;

// Building an Intl.DateTimeFormat is slow relative to formatting with it; ticket creation is hot.
const formatters = new Map<string, Intl.DateTimeFormat>();

function dateFormatter(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
  } catch {
    throw new DomainError('validation-failed', `Unknown time zone '${timeZone}'.`, { timeZone });
  }
  formatters.set(timeZone, formatter);
  return formatter;
}

/**
 * The site's local calendar date ('YYYY-MM-DD') at `now`. Ticket numbers are unique by
 * (queue, business date, seq), so numbering restarts at the site's local midnight, DST included.
 */
export function businessDate(now: EpochMs, timeZone: string): string {
  if (!Number.isFinite(now)) {
    throw new DomainError('validation-failed', 'The instant must be a finite epoch-milliseconds value.', { now });
  }
  // Time-zone offsets are whole minutes, so the local date cannot change within a UTC minute: the
  // last answer per zone is kept for its minute (formatToParts costs ~5 µs on every ticket issued).
  const minute = Math.floor(now / 60_000);
  const last = lastDates.get(timeZone);
  if (last?.minute === minute) return last.date;
  const parts = dateFormatter(timeZone).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
  lastDates.set(timeZone, { minute, date });
  return date;
}

const lastDates = new Map<string, Readonly<{ minute: number; date: string }>>();

/** A queue prefix is 1 to 3 uppercase ASCII letters (it is printed and announced). */
export function isValidPrefix(prefix: string): boolean {
  return PREFIX_PATTERN.test(prefix);
}

/** 'A' + 1 → 'A001'; pads to 3 digits and grows beyond (A1000) rather than wrapping, so numbers stay unique. */
export function formatTicketNumber(prefix: string, seq: number): string {
  if (!isValidPrefix(prefix)) {
    throw new DomainError('validation-failed', `Ticket prefix '${prefix}' must be 1 to 3 uppercase letters.`, { prefix });
  }
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new DomainError('validation-failed', `Ticket sequence must be a positive integer, got ${seq}.`, { seq });
  }
  return `${prefix}${String(seq).padStart(MIN_DIGITS, '0')}`;
}
