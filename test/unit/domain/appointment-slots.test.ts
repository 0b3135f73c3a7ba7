import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_SLOT_CONFIG, daySlots, isLocalDate, localTime, nextDate, slotStartingAt, weekdayOf, zonedInstant, type SlotConfig } from '../../../branch-server/domain/appointment-slots.ts';

describe('appointment slots', () => {
  it('offers 36 fifteen-minute slots from 08:00 to 17:00 local time', () => {
    const slots = daySlots('2030-03-04', 'Africa/Dakar');
    expect(slots).toHaveLength(36);
    expect(new Date(slots[0]!.startsAt).toISOString()).toBe('2030-03-04T08:00:00.000Z');
    expect(new Date(slots.at(-1)!.endsAt).toISOString()).toBe('2030-03-04T17:00:00.000Z');
  });

  it("places the day in the site's time zone, summer time included", () => {
    expect(new Date(daySlots('2030-07-01', 'Europe/Paris')[0]!.startsAt).toISOString()).toBe('2030-07-01T06:00:00.000Z');
    expect(new Date(daySlots('2030-01-07', 'Europe/Paris')[0]!.startsAt).toISOString()).toBe('2030-01-07T07:00:00.000Z');
    expect(new Date(daySlots('2030-01-07', 'America/New_York')[0]!.startsAt).toISOString()).toBe('2030-01-07T13:00:00.000Z');
  });

  it('keeps 15-minute slots on the day clocks change', () => {
    const slots = daySlots('2030-03-31', 'Europe/Paris');
    expect(slots).toHaveLength(36);
    expect(localTime(slots[0]!.startsAt, 'Europe/Paris').minuteOfDay).toBe(8 * 60);
  });

  it('recognises a slot boundary and refuses times between boundaries or outside opening hours', () => {
    const tz = 'Africa/Dakar';
    expect(slotStartingAt(Date.parse('2030-03-04T09:15:00Z'), tz)).toEqual({
      startsAt: Date.parse('2030-03-04T09:15:00Z'), endsAt: Date.parse('2030-03-04T09:30:00Z'),
    });
    expect(slotStartingAt(Date.parse('2030-03-04T09:10:00Z'), tz)).toBeNull();
    expect(slotStartingAt(Date.parse('2030-03-04T09:15:30Z'), tz)).toBeNull();
    expect(slotStartingAt(Date.parse('2030-03-04T07:45:00Z'), tz)).toBeNull();
    expect(slotStartingAt(Date.parse('2030-03-04T17:00:00Z'), tz)).toBeNull();
    expect(slotStartingAt(Date.parse('2030-03-04T16:45:00Z'), tz)).not.toBeNull();
  });

  it('validates calendar dates', () => {
    expect(isLocalDate('2030-02-28')).toBe(true);
    expect(isLocalDate('2030-02-29')).toBe(false);
    expect(isLocalDate('2030-13-01')).toBe(false);
    expect(isLocalDate('30-01-01')).toBe(false);
    expect(nextDate('2030-12-31')).toBe('2031-01-01');
  });

  it('round-trips every slot of any day through local time', () => {
    const zones = fc.constantFrom('Africa/Dakar', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney');
    const days = fc.integer({ min: 0, max: 3650 }).map((n) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString().slice(0, 10));
    fc.assert(fc.property(days, zones, (date, tz) => {
      for (const slot of daySlots(date, tz)) {
        expect(localTime(slot.startsAt, tz).date).toBe(date);
        expect(slotStartingAt(slot.startsAt, tz)).toEqual(slot);
      }
      expect(zonedInstant(date, 0, tz)).toBeLessThan(zonedInstant(nextDate(date), 0, tz));
    }), { numRuns: 60 });
  });

  const h = (hh: number, mm = 0) => hh * 60 + mm;
  const weekdays: SlotConfig['weekly'] = [
    { open: h(8), close: h(12) }, { open: h(8), close: h(12) }, { open: h(8), close: h(12) }, { open: h(8), close: h(12) },
    { open: h(14), close: h(16, 30) }, null, null,
  ];

  it("follows the site's weekly hours and closed dates, and the service's slot length and buffer", () => {
    const config: SlotConfig = { weekly: weekdays, closedDates: ['2030-03-06'], slotMinutes: 20, bufferMinutes: 10 };
    expect(weekdayOf('2030-03-04')).toBe(0);
    const monday = daySlots('2030-03-04', 'Africa/Dakar', config).map((s) => new Date(s.startsAt).toISOString().slice(11, 16));
    // 20-minute slots every 30 minutes; the last one must end by 12:00.
    expect(monday).toEqual(['08:00', '08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30']);
    expect(daySlots('2030-03-08', 'Africa/Dakar', config).map((s) => new Date(s.startsAt).toISOString().slice(11, 16)))
      .toEqual(['14:00', '14:30', '15:00', '15:30', '16:00']);
    expect(daySlots('2030-03-06', 'Africa/Dakar', config)).toEqual([]); // a closed date
    expect(daySlots('2030-03-09', 'Africa/Dakar', config)).toEqual([]); // Saturday
    expect(slotStartingAt(Date.parse('2030-03-04T08:20:00Z'), 'Africa/Dakar', config)).toBeNull(); // in the buffer
    expect(slotStartingAt(Date.parse('2030-03-04T08:30:00Z'), 'Africa/Dakar', config)).toEqual({
      startsAt: Date.parse('2030-03-04T08:30:00Z'), endsAt: Date.parse('2030-03-04T08:50:00Z'),
    });
    expect(slotStartingAt(Date.parse('2030-03-06T08:30:00Z'), 'Africa/Dakar', config)).toBeNull();
  });

  const allDay: SlotConfig = { ...DEFAULT_SLOT_CONFIG, weekly: Array.from({ length: 7 }, () => ({ open: 0, close: 24 * 60 })) };

  it('skips the hour the clock jumps over in spring and offers the repeated hour once in autumn (Paris, New York)', () => {
    for (const [tz, spring, autumn] of [['Europe/Paris', '2030-03-31', '2030-10-27'], ['America/New_York', '2030-03-10', '2030-11-03']] as const) {
      const springSlots = daySlots(spring, tz, allDay);
      const springWall = springSlots.map((s) => localTime(s.startsAt, tz).minuteOfDay);
      expect(springSlots, tz).toHaveLength(23 * 4);
      expect(springWall.filter((m) => m >= h(2) && m < h(3)), tz).toEqual([]);
      const autumnSlots = daySlots(autumn, tz, allDay);
      expect(autumnSlots, tz).toHaveLength(24 * 4);
      expect(new Set(autumnSlots.map((s) => localTime(s.startsAt, tz).minuteOfDay)).size, tz).toBe(24 * 4);
      for (const [day, slots] of [[spring, springSlots], [autumn, autumnSlots]] as const) {
        // Every slot lasts 15 real minutes, starts after the previous one and on the local day asked for.
        slots.forEach((slot, i) => {
          expect(slot.endsAt - slot.startsAt).toBe(15 * 60_000);
          if (i > 0) expect(slot.startsAt).toBeGreaterThan(slots[i - 1]!.startsAt);
          expect(localTime(slot.startsAt, tz).date).toBe(day);
        });
      }
      // Office hours move in UTC with the clock: 08:00 New York is 13:00Z in winter, 12:00Z in summer.
      const dayBefore = new Date(Date.parse(`${spring}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      const before = daySlots(dayBefore, tz)[0]!;
      const after = daySlots(nextDate(spring), tz)[0]!;
      expect(localTime(before.startsAt, tz).minuteOfDay).toBe(h(8));
      expect(localTime(after.startsAt, tz).minuteOfDay).toBe(h(8));
      expect((after.startsAt - before.startsAt) / 3_600_000).toBe(2 * 24 - 1);
    }
  });

  it('gives the same wall-clock slots on both sides of a time zone boundary (Dakar vs Kolkata, half-hour offset)', () => {
    const dakar = daySlots('2030-03-04', 'Africa/Dakar');
    const kolkata = daySlots('2030-03-04', 'Asia/Kolkata');
    expect(kolkata.map((s) => localTime(s.startsAt, 'Asia/Kolkata').minuteOfDay)).toEqual(dakar.map((s) => localTime(s.startsAt, 'Africa/Dakar').minuteOfDay));
    expect(dakar[0]!.startsAt - kolkata[0]!.startsAt).toBe(5.5 * 3_600_000);
  });
});
