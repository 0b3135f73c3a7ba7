import type { z } from 'zod';
import type { AckMessage } from '../contract/realtime.contract.ts';
import type { Db } from '../db/sqlite.ts';
import { DomainError } from '../domain/errors.ts';
import { recordDisplayAck } from '../use-cases/display-acks.ts';
import type { Client } from './channels.ts';

/**
 * A display's `{type: "ack", ticket_id}`: only the display device on its own display channel may
 * acknowledge a call. Returns the `error` message to send back, or null when recorded.
 */
export function acknowledgeCall(db: Db, client: Client, message: z.infer<typeof AckMessage>, now: number): object | null {
  const state = client.channel?.state;
  const principal = client.principal;
  if (state?.kind !== 'display' || principal.kind !== 'device') {
    return { type: 'error', code: 'forbidden', detail: 'Only a display device acknowledges calls, on its display channel.' };
  }
  try {
    recordDisplayAck(db, {
      tenantId: state.tenantId, displayId: state.displayId, deviceId: principal.deviceId, ticketId: message.ticket_id,
      recallCount: message.recall_count, played: message.played ?? true,
    }, now);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return { type: 'error', code: error.code, detail: error.message };
    throw error;
  }
}
