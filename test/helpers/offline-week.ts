import { randomBytes } from 'node:crypto';
import { GENESIS_HASH, hashAuditRow } from '../../branch-server/db/repositories/audit.repository.ts';
import type { Db } from '../../branch-server/db/sqlite.ts';
import { uuidv7 } from '../../branch-server/ids.ts';

export type OfflineWeek = Readonly<{ tickets: number; eventsPerTicket: number; auditRows: number }>;

/** A week offline at a busy branch (issue 6, test 8): 50,000 tickets, 200,000 events, 20,000 audit rows. */
export const FULL_WEEK: OfflineWeek = { tickets: 50_000, eventsPerTicket: 4, auditRows: 20_000 };

const DAY = 86_400_000;
const STATUSES = [['created', null, 'en_attente'], ['called', 'en_attente', 'appele'], ['started', 'appele', 'en_service'], ['closed', 'en_service', 'clos']] as const;

/**
 * Writes a week of closed tickets with their events and a chained audit log straight into a branch
 * database, each row with its outbox row, as the use-cases would have left them while the link was
 * down. Fast (prepared statements in large transactions) so the drain, not the loading, is measured.
 */
export function loadOfflineWeek(db: Db, target: Readonly<{ tenantId: string; siteId: string; queueIds: readonly string[] }>, week: OfflineWeek, now = Date.now()): void {
  const s = db.sqlite;
  const insertTicket = s.prepare(`INSERT INTO ticket (id, tenant_id, site_id, queue_id, public_id, number, seq, business_date, channel, priority,
    status, created_at, called_at, started_at, ended_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'kiosk', 0, 'clos', ?, ?, ?, ?, ?)`);
  const insertEvent = s.prepare(`INSERT INTO ticket_event (id, tenant_id, ticket_id, type, from_status, to_status, reason, data, created_at)
    VALUES (?, ?, ?, ?, ?, ?, '', '{}', ?)`);
  const insertOutbox = s.prepare(`INSERT INTO sync_outbox (mutation_id, tenant_id, entity, entity_id, op, payload, created_at) VALUES (?, ?, ?, ?, 'insert', ?, ?)`);
  const selectRow = (table: string) => s.prepare(`SELECT * FROM ${table} WHERE id = ?`);
  const ticketRow = selectRow('ticket');
  const eventRow = selectRow('ticket_event');
  const start = now - 7 * DAY;
  const perDay = Math.ceil(week.tickets / 7);
  const write = s.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const day = Math.floor(i / perDay);
      const created = start + day * DAY + 8 * 3600_000 + (i % perDay) * 20_000;
      const id = uuidv7(created);
      const queueId = target.queueIds[i % target.queueIds.length]!;
      const seq = (i % perDay) + 1;
      const date = new Date(start + day * DAY).toISOString().slice(0, 10);
      insertTicket.run(id, target.tenantId, target.siteId, queueId, randomBytes(16).toString('base64url'), `W${String(seq).padStart(4, '0')}`,
        seq, date, created, created + 300_000, created + 320_000, created + 600_000, created + 600_000);
      insertOutbox.run(uuidv7(created), target.tenantId, 'ticket', id, JSON.stringify(ticketRow.get(id)), created);
      for (let e = 0; e < week.eventsPerTicket; e += 1) {
        const [type, from, toStatus] = STATUSES[e % STATUSES.length]!;
        const eventId = uuidv7(created + e);
        insertEvent.run(eventId, target.tenantId, id, type, from, toStatus, created + e * 100_000);
        insertOutbox.run(uuidv7(created + e), target.tenantId, 'ticket_event', eventId, JSON.stringify(eventRow.get(eventId)), created + e * 100_000);
      }
    }
  });
  for (let i = 0; i < week.tickets; i += 5_000) write(i, Math.min(week.tickets, i + 5_000));

  const last = s.prepare('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1').pluck().get() as string | undefined;
  let prev = last ?? GENESIS_HASH;
  const insertAudit = s.prepare(`INSERT INTO audit_log (id, tenant_id, actor_user_id, actor_device_id, action, entity, entity_id, before, after,
    ip, user_agent, endpoint, created_at, prev_hash, hash) VALUES (@id, @tenant_id, @actor_user_id, @actor_device_id, @action, @entity,
    @entity_id, @before, @after, @ip, @user_agent, @endpoint, @created_at, @prev_hash, @hash)`);
  const auditRow = selectRow('audit_log');
  const audit = s.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const created = start + Math.floor((i * 7 * DAY) / week.auditRows);
      const row = {
        id: uuidv7(created), tenant_id: target.tenantId, actor_user_id: null, actor_device_id: null, action: 'ticket.closed',
        entity: 'ticket', entity_id: uuidv7(created), before: null, after: JSON.stringify({ i }), ip: '10.0.0.7', user_agent: 'agent desk',
        endpoint: 'POST /api/v1/tenants/x/tickets/', created_at: created, prev_hash: prev,
      };
      const hash = hashAuditRow(row);
      insertAudit.run({ ...row, hash });
      // The payload is the stored row (every column the use-cases upload), without the local seq.
      const { seq: _seq, ...stored } = auditRow.get(row.id) as Record<string, unknown>;
      insertOutbox.run(uuidv7(created), target.tenantId, 'audit_log', row.id, JSON.stringify(stored), created);
      prev = hash;
    }
  });
  for (let i = 0; i < week.auditRows; i += 5_000) audit(i, Math.min(week.auditRows, i + 5_000));
}
