import type { z } from 'zod';
import type { AckMessage } from '../contract/realtime.contract.ts';
import type { Db } from '../db/sqlite.ts';
import { DomainError } from '../domain/errors.ts';
import { newAckLookups, recordDisplayAck, type AckLookups } from '../use-cases/display-acks.ts';
import type { Client } from './channels.ts';
import type { Logger } from 'pino';
import { reportFailure } from '../ops/logger.ts';

/**
 * A display's `{type: "ack", ticket_id}`: only the display device on its own display channel may
 * acknowledge a call. Returns the `error` message to send back, or null when recorded.
 */
export function acknowledgeCall(db: Db, client: Client, message: z.infer<typeof AckMessage>, now: number, lookups: AckLookups = newAckLookups()): object | null {
  const state = client.channel?.state;
  const principal = client.principal;
  if (state?.kind !== 'display' || principal.kind !== 'device') {
    return { type: 'error', code: 'forbidden', detail: 'Only a display device acknowledges calls, on its display channel.' };
  }
  try {
    recordDisplayAck(db, {
      tenantId: state.tenantId, displayId: state.displayId, deviceId: principal.deviceId, ticketId: message.ticket_id,
      recallCount: message.recall_count, played: message.played ?? true,
    }, now, lookups);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return { type: 'error', code: error.code, detail: error.message };
    throw error;
  }
}

type PendingAck = Readonly<{ client: Client; message: z.infer<typeof AckMessage>; now: number }>;

/** How long acks are gathered before they are written together. */
export const ACK_BATCH_MS = 50;

/**
 * Group commit of display acks. Every display acknowledges every call it shows, so at a rush of
 * 1,000 calls a minute, 200 displays send about a thousand acks a second, each in its own ws message;
 * one transaction (one fsync) each would spend the disk on telemetry and slow every ticket issued
 * meanwhile. Acks are gathered for ACK_BATCH_MS and recorded in one transaction, each in its own
 * savepoint so a refused one fails alone; refusals are answered after the commit. `flush()` writes
 * what is pending at once: the hub calls it before answering a ping, so a pong means "your acks are
 * recorded".
 */
export class AckRecorder {
  readonly #db: Db;
  readonly #reply: (client: Client, message: object) => void;
  readonly #logger: Logger | undefined;
  #pending: PendingAck[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(db: Db, reply: (client: Client, message: object) => void, logger?: Logger) {
    this.#db = db;
    this.#reply = reply;
    this.#logger = logger;
  }

  record(client: Client, message: z.infer<typeof AckMessage>, now: number): void {
    this.#pending.push({ client, message, now });
    this.#timer ??= setTimeout(() => this.flush(), ACK_BATCH_MS);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    if (!this.#db.sqlite.open) return; // the server closed meanwhile
    let refusals: { client: Client; message: object }[];
    try {
      const lookups = newAckLookups();
      refusals = this.#db.tx(() => batch.flatMap((item) => {
        try {
          const refused = this.#db.savepoint(() => acknowledgeCall(this.#db, item.client, item.message, item.now, lookups));
          return refused ? [{ client: item.client, message: refused }] : [];
        } catch (error) {
          reportFailure(this.#logger, 'display ack failed', error);
          return [{ client: item.client, message: { type: 'error', code: 'internal', detail: 'The acknowledgement could not be recorded.' } }];
        }
      }));
    } catch (error) {
      reportFailure(this.#logger, 'display acks could not be committed', error);
      refusals = batch.map((item) => ({ client: item.client, message: { type: 'error', code: 'internal', detail: 'The acknowledgement could not be recorded.' } }));
    }
    for (const { client, message } of refusals) this.#reply(client, message);
  }
}
