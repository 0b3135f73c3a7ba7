import { z } from 'zod';
import { IsoDateTime, NullableIso, TenantIdParams } from './common.ts';
import { DisplayType } from './displays.contract.ts';
import { defineRoutes, scope } from './route.ts';

/** One display's acknowledgement of one call of a ticket (a recall is another call). */
export const DisplayAckDto = z.object({
  display_id: z.string(),
  display_name: z.string(),
  recall_count: z.number().int().describe('0: the first call; n: the n-th recall'),
  played: z.boolean().describe('the announcement was heard (audio or speech fallback); false: shown only'),
  acked_at: IsoDateTime,
});

export const TicketDisplayAcksDto = z.object({
  ticket_id: z.string(),
  number: z.string(),
  recall_count: z.number().int().describe("the ticket's current call"),
  called_at: NullableIso,
  shown: z.boolean().describe('at least one display acknowledged the current call'),
  /** Every display that shows this ticket's queue, with its acknowledgement of the current call (null: none yet). */
  displays: z.array(z.object({
    id: z.string(),
    name: z.string(),
    type: DisplayType,
    acked_at: NullableIso,
    played: z.boolean().nullable(),
  })),
  /** Every acknowledgement of every call of this ticket, oldest first. */
  acks: z.array(DisplayAckDto),
});
export type TicketDisplayAcksDto = z.infer<typeof TicketDisplayAcksDto>;

export const displayAckRoutes = defineRoutes({
  ticketDisplayAcks: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/:id/display-acks/', tag: 'displays', access: scope('read:ticket'),
    summary: 'Which displays showed and announced the calls of a ticket (so an agent can see a call no screen showed)',
    params: TenantIdParams, response: TicketDisplayAcksDto,
  },
});
