import type { Insertable, Selectable } from 'kysely';

/** A call (ticket + recall_count) that a display rendered and announced. Append-only telemetry. */
export interface DisplayAckTable {
  ticket_id: string;
  recall_count: number;
  display_id: string;
  tenant_id: string;
  device_id: string | null;
  /** 1 when the announcement audio (or the speech fallback) played, 0 when the call was only shown. */
  played: 0 | 1;
  acked_at: number;
}

export type DisplayAckRow = Selectable<DisplayAckTable>;
export type NewDisplayAckRow = Insertable<DisplayAckTable>;
