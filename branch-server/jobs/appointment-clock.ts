import type { Db } from '../db/sqlite.ts';
import type { EventBus } from '../use-cases/events.ts';
import type { AppointmentReminders } from '../use-cases/appointment-reminders.ts';
import { markNoShows, sendDueReminders, type SentReminder } from '../use-cases/appointment-clock.ts';
import { closeDueDays, type SealedDay } from '../use-cases/end-of-day.ts';
import type { Logger } from 'pino';
import { reportFailure } from '../ops/logger.ts';

export type AppointmentClockOptions = Readonly<{
  /** How often the clock looks (reminders, no-shows, closing time). 0: only when `tick()` is called. */
  intervalMs: number;
}>;

export const DEFAULT_APPOINTMENT_CLOCK: AppointmentClockOptions = { intervalMs: 30_000 };

export type ClockReport = Readonly<{ reminders: SentReminder[]; noShows: string[]; sealed: SealedDay[] }>;

export type AppointmentClock = Readonly<{ tick(): Promise<ClockReport>; stop(): Promise<void> }>;

/**
 * The branch's day keeper: every `intervalMs` it sends due appointment reminders, marks no-shows
 * and closes the day of each site whose closing time has passed. Its state lives in the database
 * (reminder columns, appointment status, the day summary row), so a restart resumes where it was.
 * One tick at a time; a tick asked for while one runs waits for it and runs after.
 */
export function startAppointmentClock(
  deps: Readonly<{ db: Db; events: EventBus; now: () => number; reminders: AppointmentReminders; publicBase: () => string; logger?: Logger }>,
  options: AppointmentClockOptions = DEFAULT_APPOINTMENT_CLOCK,
): AppointmentClock {
  let running: Promise<ClockReport> = Promise.resolve({ reminders: [], noShows: [], sealed: [] });
  let stopped = false;
  const once = async (): Promise<ClockReport> => {
    const now = deps.now();
    const reminders = await sendDueReminders(deps.db, deps.reminders, now, deps.logger);
    const noShows = markNoShows(deps.db, now, deps.publicBase());
    const sealed = closeDueDays({ db: deps.db, events: deps.events }, now);
    return { reminders, noShows, sealed };
  };
  const tick = (): Promise<ClockReport> => {
    running = running.catch(() => undefined).then(once);
    return running;
  };
  const timer = options.intervalMs > 0
    ? setInterval(() => {
      if (!stopped) tick().catch((error: unknown) => reportFailure(deps.logger, 'appointment clock tick failed', error));
    }, options.intervalMs)
    : null;
  timer?.unref?.();
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
