import type { EpochMs } from './ids.ts';

/**
 * What happens to an appointment as time passes. Pure: the instant is passed in.
 */
export type ReminderKind = 'h24' | 'h1';

const HOUR = 3_600_000;
export const REMINDER_LEAD_MS: Readonly<Record<ReminderKind, number>> = { h24: 24 * HOUR, h1: HOUR };

export type ReminderState = Readonly<{
  startsAt: EpochMs;
  createdAt: EpochMs;
  h24At: EpochMs | null;
  h1At: EpochMs | null;
}>;

/**
 * The reminders of a scheduled appointment due at `now`: each once, from its lead time before the
 * start until the next reminder (or the start) takes over, so a server that was down sends only the
 * latest one that still makes sense. None for a booking made after the lead time had passed (the
 * customer just booked: the H-24 message would repeat the confirmation).
 */
export function dueReminders(a: ReminderState, now: EpochMs): ReminderKind[] {
  const due: ReminderKind[] = [];
  const h24From = a.startsAt - REMINDER_LEAD_MS.h24;
  const h1From = a.startsAt - REMINDER_LEAD_MS.h1;
  if (a.h24At === null && a.createdAt < h24From && now >= h24From && now < h1From) due.push('h24');
  if (a.h1At === null && a.createdAt < h1From && now >= h1From && now < a.startsAt) due.push('h1');
  return due;
}

/** An appointment nobody checked in becomes a no-show once its grace after the slot start has passed. */
export function isPastGrace(startsAt: EpochMs, graceMinutes: number, now: EpochMs): boolean {
  return now > startsAt + graceMinutes * 60_000;
}

/** A customer checking in later than the grace has lost the slot: the ticket queues as a walk-in. */
export const isLateArrival = isPastGrace;

export type ClosingRule = 'expire' | 'carry_over';

/**
 * A waiting ticket at closing time: a remote ticket never checked in is a no-show; the others follow
 * their service's rule (closed as expired, or kept waiting for the next day).
 */
export function atClosing(ticket: Readonly<{ remote: boolean }>, rule: ClosingRule): 'no_show' | 'expire' | 'carry_over' {
  if (ticket.remote) return 'no_show';
  return rule;
}
