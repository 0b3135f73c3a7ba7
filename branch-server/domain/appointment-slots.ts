import { DomainError } from './errors.ts';
import type { EpochMs } from './ids.ts';

/**
 * Appointment slots in a site's local time. Pure: the time zone rules come from Intl, the instant is
 * passed in. The model is deliberately simple for now: the same opening hours every day.
 */
export type SlotConfig = Readonly<{ openMinute: number; closeMinute: number; slotMinutes: number }>;

/** 08:00–17:00 local, 15-minute slots. */
export const DEFAULT_SLOT_CONFIG: SlotConfig = { openMinute: 8 * 60, closeMinute: 17 * 60, slotMinutes: 15 };

export type Slot = Readonly<{ startsAt: EpochMs; endsAt: EpochMs }>;

const MINUTE = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', calendar: 'gregory', numberingSystem: 'latn',
        year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch {
      throw new DomainError('validation-failed', `Unknown time zone '${timeZone}'.`, { timeZone });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

export type LocalTime = Readonly<{ date: string; minuteOfDay: number; secondMs: number }>;

/** The wall-clock date and time at `instant` in `timeZone`. `secondMs` is the ms past the minute. */
export function localTime(instant: EpochMs, timeZone: string): LocalTime {
  const parts = formatter(timeZone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const date = `${String(get('year')).padStart(4, '0')}-${String(get('month')).padStart(2, '0')}-${String(get('day')).padStart(2, '0')}`;
  const ms = ((instant % 1000) + 1000) % 1000;
  return { date, minuteOfDay: get('hour') * 60 + get('minute'), secondMs: get('second') * 1000 + ms };
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isLocalDate(date: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

/** The next calendar date. */
export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function wallAsUtc(instant: EpochMs, timeZone: string): number {
  const t = localTime(instant, timeZone);
  const [y, m, d] = t.date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) + t.minuteOfDay * MINUTE + Math.floor(t.secondMs / 1000) * 1000;
}

/**
 * The instant when the wall clock of `timeZone` shows `date` at `minuteOfDay` (minute may be 1440,
 * the next midnight). Across a DST jump the offset in force after the jump is used.
 */
export function zonedInstant(date: string, minuteOfDay: number, timeZone: string): EpochMs {
  if (!isLocalDate(date)) throw new DomainError('validation-failed', `'${date}' is not a date (YYYY-MM-DD).`, { date });
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d) + minuteOfDay * MINUTE;
  const firstOffset = wallAsUtc(guess, timeZone) - guess;
  const candidate = guess - firstOffset;
  const secondOffset = wallAsUtc(candidate, timeZone) - candidate;
  return secondOffset === firstOffset ? candidate : guess - secondOffset;
}

/** The slots of a local day, in order. */
export function daySlots(date: string, timeZone: string, config: SlotConfig = DEFAULT_SLOT_CONFIG): Slot[] {
  const slots: Slot[] = [];
  for (let minute = config.openMinute; minute + config.slotMinutes <= config.closeMinute; minute += config.slotMinutes) {
    const startsAt = zonedInstant(date, minute, timeZone);
    slots.push({ startsAt, endsAt: startsAt + config.slotMinutes * MINUTE });
  }
  return slots;
}

/** The slot starting exactly at `instant`, or null when `instant` is not a slot boundary within opening hours. */
export function slotStartingAt(instant: EpochMs, timeZone: string, config: SlotConfig = DEFAULT_SLOT_CONFIG): Slot | null {
  const t = localTime(instant, timeZone);
  const offset = t.minuteOfDay - config.openMinute;
  if (t.secondMs !== 0 || offset < 0 || offset % config.slotMinutes !== 0) return null;
  if (t.minuteOfDay + config.slotMinutes > config.closeMinute) return null;
  return { startsAt: instant, endsAt: instant + config.slotMinutes * MINUTE };
}
