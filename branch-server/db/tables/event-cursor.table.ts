import type { Insertable, Selectable, Updateable } from 'kysely';

/** How far a reader (notifier, webhook dispatcher) has read an append-only table, by rowid. */
export interface EventCursorTable {
  name: string;
  position: number;
}

export type EventCursorRow = Selectable<EventCursorTable>;
export type NewEventCursorRow = Insertable<EventCursorTable>;
export type EventCursorRowUpdate = Updateable<EventCursorTable>;
