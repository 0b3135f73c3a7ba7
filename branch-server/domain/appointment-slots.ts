import { DomainError } from './errors.ts';
import type { EpochMs } from './ids.ts';

/**
 * Appointment slots in a site's local time. Pure: the time zone rules come from Intl, the instant is
 * passed in. A site has opening hours per weekday and closed dates; a service has a slot length and a
 * buffer after each slot (the next slot starts slot + buffer minutes later).
 */
export type DayHours = Readonly<{ open: number; close: number }> | null;

export type SlotConfig = Readonly<{
  /** Monday..Sunday (seven entries): opening minutes of the local day, or null when closed. */
  weekly: readonly DayHours[];
  /** Local dates (YYYY-MM-DD) the site is closed all day. */
  closedDates: readonly string[];
  slotMinutes: number;
  bufferMinutes: number;
}>;

const OFFICE_HOURS: DayHours = { open: 8 * 60, close: 17 * 60 };

/** 08:00–17:00 local every day, 15-minute slots back to back (a site or service without settings). */
export const DEFAULT_SLOT_CONFIG: SlotConfig = {
  weekly: [OFFICE_HOURS, OFFICE_HOURS, OFFICE_HOURS, OFFICE_HOURS, OFFICE_HOURS, OFFICE_HOURS, OFFICE_HOURS],
  closedDates: [],
  slotMinutes: 15,
  bufferMinutes: 0,
};

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

/** 0 = Monday … 6 = Sunday, of a calendar date. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** The opening hours of a local date: null when the site is closed that day. */
export function hoursOn(date: string, config: SlotConfig): DayHours {
  if (config.closedDates.includes(date)) return null;
  return config.weekly[weekdayOf(date)] ?? null;
}

/**
 * The slots of a local day, in order: one per wall-clock start time on the grid. A start time the
 * clock skips (spring forward) has no slot; one the clock shows twice (fall back) has one slot.
 */
export function daySlots(date: string, timeZone: string, config: SlotConfig = DEFAULT_SLOT_CONFIG): Slot[] {
  const hours = hoursOn(date, config);
  if (!hours) return [];
  const slots: Slot[] = [];
  const step = config.slotMinutes + config.bufferMinutes;
  for (let minute = hours.open; minute + config.slotMinutes <= hours.close; minute += step) {
    const startsAt = zonedInstant(date, minute, timeZone);
    const wall = localTime(startsAt, timeZone);
    if (wall.date !== date || wall.minuteOfDay !== minute) continue;
    slots.push({ startsAt, endsAt: startsAt + config.slotMinutes * MINUTE });
  }
  return slots;
}

/** The slot starting exactly at `instant`, or null when `instant` is not a slot start of its local day. */
export function slotStartingAt(instant: EpochMs, timeZone: string, config: SlotConfig = DEFAULT_SLOT_CONFIG): Slot | null {
  const t = localTime(instant, timeZone);
  if (t.secondMs !== 0) return null;
  return daySlots(t.date, timeZone, config).find((slot) => slot.startsAt === instant) ?? null;
}
