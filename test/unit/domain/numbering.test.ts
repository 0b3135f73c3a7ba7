import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessDate, formatTicketNumber, isValidPrefix } from '../../../branch-server/domain/numbering.ts';
import { expectDomainError } from './expect-domain-error.ts';

const at = (iso: string): number => Date.parse(iso);

describe('businessDate', () => {
  it.each([
    // Africa/Dakar is UTC+0 all year.
    ['Africa/Dakar', '2025-03-10T23:59:59.999Z', '2025-03-10'],
    ['Africa/Dakar', '2025-03-11T00:00:00.000Z', '2025-03-11'],
    // Asia/Tokyo is UTC+9: local midnight is 15:00 UTC the day before.
    ['Asia/Tokyo', '2025-03-10T14:59:59.999Z', '2025-03-10'],
    ['Asia/Tokyo', '2025-03-10T15:00:00.000Z', '2025-03-11'],
    ['Asia/Tokyo', '2024-12-31T15:00:00.000Z', '2025-01-01'],
    // America/New_York is UTC-5 in winter: local midnight is 05:00 UTC.
    ['America/New_York', '2025-01-15T04:59:59.999Z', '2025-01-14'],
    ['America/New_York', '2025-01-15T05:00:00.000Z', '2025-01-15'],
  ])('gives the local date in %s at %s', (zone, iso, expected) => {
    expect(businessDate(at(iso), zone)).toBe(expected);
  });

  it.each([
    // Spring forward on 2024-03-10: the day starts in EST (05:00 UTC) and the next one in EDT (04:00 UTC).
    ['2024-03-10T04:59:59.999Z', '2024-03-09'],
    ['2024-03-10T05:00:00.000Z', '2024-03-10'],
    ['2024-03-10T07:30:00.000Z', '2024-03-10'],
    ['2024-03-11T03:59:59.999Z', '2024-03-10'],
    ['2024-03-11T04:00:00.000Z', '2024-03-11'],
    // Fall back on 2024-11-03: a 25-hour day from 04:00 UTC to 05:00 UTC the next day.
    ['2024-11-03T03:59:59.999Z', '2024-11-02'],
    ['2024-11-03T04:00:00.000Z', '2024-11-03'],
    ['2024-11-04T04:30:00.000Z', '2024-11-03'],
    ['2024-11-04T05:00:00.000Z', '2024-11-04'],
  ])('resets numbering at New York local midnight across a DST change (%s)', (iso, expected) => {
    expect(businessDate(at(iso), 'America/New_York')).toBe(expected);
  });

  it('matches the UTC calendar date in UTC for any instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), (now) => {
        expect(businessDate(now, 'UTC')).toBe(new Date(now).toISOString().slice(0, 10));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects an unknown time zone', () => {
    const error = expectDomainError(() => businessDate(0, 'Mars/Olympus'), 'validation-failed');
    expect(error.message).toBe("Unknown time zone 'Mars/Olympus'.");
  });

  it('rejects an instant that is not a finite number', () => {
    expectDomainError(() => businessDate(Number.NaN, 'UTC'), 'validation-failed');
  });
});

describe('formatTicketNumber', () => {
  it.each([
    ['A', 1, 'A001'],
    ['A', 42, 'A042'],
    ['A', 999, 'A999'],
    ['A', 1000, 'A1000'],
    ['RDV', 7, 'RDV007'],
    ['VP', 12345, 'VP12345'],
  ])('numbers %s with sequence %i as %s', (prefix, seq, expected) => {
    expect(formatTicketNumber(prefix, seq)).toBe(expected);
  });

  it.each([[''], ['a'], ['ABCD'], ['A1'], ['É'], [' A']])('rejects the prefix %j', (prefix) => {
    expect(isValidPrefix(prefix)).toBe(false);
    expectDomainError(() => formatTicketNumber(prefix, 1), 'validation-failed');
  });

  it.each([[0], [-1], [1.5], [Number.NaN]])('rejects the sequence %d', (seq) => {
    expectDomainError(() => formatTicketNumber('A', seq), 'validation-failed');
  });

  it('gives distinct numbers to distinct sequences of one prefix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 1e6 }), (a, b) => {
        fc.pre(a !== b);
        expect(formatTicketNumber('B', a)).not.toBe(formatTicketNumber('B', b));
      }),
      { numRuns: 300 },
    );
  });
});
