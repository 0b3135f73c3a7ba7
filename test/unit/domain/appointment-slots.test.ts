import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { daySlots, isLocalDate, localTime, nextDate, slotStartingAt, zonedInstant } from '../../../branch-server/domain/appointment-slots.ts';

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
});
