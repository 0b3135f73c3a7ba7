import { sql } from 'kysely';
import type { ZodError } from 'zod';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { BRANCH_PAYLOADS } from '../../protocol/entities.ts';
import type { OutboxRow, PushRequest, PushResponse } from '../../protocol/messages.ts';
import type { CloudTx } from '../db/database.ts';
import type { CloudDeps, CloudDevice } from '../http/context.ts';
import { applyCustomerChange, resolveCustomer, toCustomerEdit } from './customers.ts';

/** A row that can never apply (bad shape, another tenant's or branch's ids): dead-lettered, not retried. */
class RowRejected extends Error {}

/**
 * Applies a branch's outbox batch exactly once: in one transaction, with the device row locked, rows
 * at or below the stream's `last_applied_seq` are counted as duplicates and skipped, the rest must
 * follow on without a gap (409 otherwise), each applies in its own savepoint so an invalid row is
 * dead-lettered without blocking the others, and `last_applied_seq` moves in the same commit.
 */
export async function applyPush(deps: CloudDeps, device: CloudDevice, body: PushRequest): Promise<PushResponse> {
  const now = deps.now();
  for (let i = 1; i < body.rows.length; i += 1) {
    if (body.rows[i]!.seq !== body.rows[i - 1]!.seq + 1) {
      throw new DomainError('validation-failed', `rows: seq must be consecutive (row ${i} has ${body.rows[i]!.seq} after ${body.rows[i - 1]!.seq}).`);
    }
  }
  const result = await deps.cloud.withTenant(device.tenantId, async (trx) => {
    const current = await trx.selectFrom('device').select(['stream_id', 'last_applied_seq']).where('id', '=', device.deviceId)
      .forUpdate().executeTakeFirstOrThrow();
    const first = body.rows[0]!;
    // A new stream (first push, or a database restored or rebuilt at the branch) starts where it says.
    const last = current.stream_id === body.stream_id ? current.last_applied_seq : first.seq - 1;
    const fresh = body.rows.filter((row) => row.seq > last);
    const duplicates = body.rows.length - fresh.length;
    if (fresh.length > 0 && fresh[0]!.seq !== last + 1) {
      throw new DomainError('sync-gap', `Expected seq ${last + 1} next; got ${fresh[0]!.seq}. Resend from ${last + 1}.`, { expected_seq: last + 1 });
    }
    const rejected: { seq: number; mutation_id: string; error: string }[] = [];
    let applied = 0;
    for (const row of fresh) {
      await deps.faults?.at('push:row');
      await sql`SAVEPOINT outbox_row`.execute(trx);
      try {
        await applyRow(trx, device, body, row, now);
        await sql`RELEASE SAVEPOINT outbox_row`.execute(trx);
        applied += 1;
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT outbox_row`.execute(trx);
        const reason = rejectionReason(error);
        if (reason === null) throw error;
        rejected.push({ seq: row.seq, mutation_id: row.mutation_id, error: reason });
        await trx.insertInto('sync_dead_letter').values({
          id: uuidv7(now), tenant_id: device.tenantId, device_id: device.deviceId, seq: row.seq, mutation_id: row.mutation_id,
          entity: row.entity, entity_id: row.entity_id, payload: row.payload, error: reason, created_at: now,
        }).execute();
      }
    }
    const lastApplied = fresh.length > 0 ? fresh[fresh.length - 1]!.seq : last;
    await trx.updateTable('device').set((eb) => ({
      stream_id: body.stream_id,
      last_applied_seq: lastApplied,
      duplicates_skipped: eb('duplicates_skipped', '+', duplicates),
      rows_applied: eb('rows_applied', '+', applied),
      rows_rejected: eb('rows_rejected', '+', rejected.length),
      outbox_depth: body.outbox_depth,
      oldest_unsent_ms: body.oldest_unsent_ms,
      clock_offset_ms: body.clock_offset_ms,
      app_version: body.app_version,
      last_push_at: now,
      last_seen_at: now,
    })).where('id', '=', device.deviceId).execute();
    await deps.faults?.at('push:before-commit');
    return { last_applied_seq: lastApplied, applied, duplicates, rejected };
  });
  await deps.faults?.at('push:after-commit');
  return { ...result, epoch: deps.config.epoch, server_time: now };
}

function rejectionReason(error: unknown): string | null {
  if (error instanceof RowRejected) return error.message;
  if (isZodError(error)) return error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
  const code = String((error as { code?: unknown })?.code ?? '');
  // Integrity (23xxx), data (22xxx) and row-level security (42501) errors are the row's fault.
  if (/^2[23]\d{3}$/.test(code) || code === '42501') return `rejected by the database: ${(error as Error).message}`;
  return null;
}

function isZodError(error: unknown): error is ZodError {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'ZodError';
}

async function applyRow(trx: CloudTx, device: CloudDevice, body: PushRequest, row: OutboxRow, now: number): Promise<void> {
  if (row.entity === 'customer') {
    const edit = toCustomerEdit(row.payload, row.op);
    ownedByThisTenant(device, edit.tenant_id);
    if (edit.id !== row.entity_id) throw new RowRejected('entity_id does not match the payload id.');
    await applyCustomerChange(trx, device.tenantId, edit, device.deviceId, false, now);
    return;
  }
  const payload = BRANCH_PAYLOADS[row.entity].parse(row.payload) as Record<string, unknown> & { id: string; tenant_id: string };
  ownedByThisTenant(device, payload.tenant_id);
  if (payload.id !== row.entity_id) throw new RowRejected('entity_id does not match the payload id.');
  if ('site_id' in payload && payload['site_id'] !== device.siteId) {
    throw new RowRejected(`site_id ${String(payload['site_id'])} is not this branch's site.`);
  }
  const common = { tenant_id: device.tenantId, site_id: device.siteId, device_id: device.deviceId, received_at: now };
  const customerId = typeof payload['customer_id'] === 'string' ? await resolveCustomer(trx, payload['customer_id']) : null;
  const data = customerId ? { ...payload, customer_id: customerId } : payload;

  switch (row.entity) {
    case 'ticket': {
      const p = data as typeof data & { queue_id: string; number: string; status: string; channel: string; priority: number;
        agent_id: string | null; created_at: number; called_at: number | null; started_at: number | null; ended_at: number | null; updated_at: number };
      const columns = {
        queue_id: p.queue_id, number: p.number, status: p.status, channel: p.channel, priority: p.priority, agent_id: p.agent_id,
        customer_id: customerId, created_at: p.created_at, called_at: p.called_at, started_at: p.started_at, ended_at: p.ended_at,
        updated_at: p.updated_at, clock_offset_ms: body.clock_offset_ms, received_at: now, data,
      };
      await upsertOwned('ticket', payload.id, () => trx.insertInto('ticket').values({ id: payload.id, ...common, ...columns })
        .onConflict((oc) => oc.column('id').doUpdateSet(columns).where('ticket.device_id', '=', device.deviceId))
        .returning('id').executeTakeFirst());
      return;
    }
    case 'ticket_event': {
      const p = data as typeof data & { ticket_id: string; type: string; created_at: number };
      await insertOnce(trx, 'ticket_event', payload.id, device, () => trx.insertInto('ticket_event').values({
        id: payload.id, ...common, ticket_id: p.ticket_id, type: p.type, created_at: p.created_at, data,
      }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst());
      return;
    }
    case 'feedback': {
      const p = data as typeof data & { ticket_id: string | null; csat: number | null; nps: number | null; created_at: number };
      const columns = { ticket_id: p.ticket_id, customer_id: customerId, csat: p.csat, nps: p.nps, created_at: p.created_at, received_at: now, data };
      await upsertOwned('feedback', payload.id, () => trx.insertInto('feedback').values({ id: payload.id, ...common, ...columns })
        .onConflict((oc) => oc.column('id').doUpdateSet(columns).where('feedback.device_id', '=', device.deviceId))
        .returning('id').executeTakeFirst());
      return;
    }
    case 'audit_log': {
      const p = data as typeof data & { action: string; entity: string; entity_id: string; created_at: number; prev_hash: string; hash: string };
      await insertOnce(trx, 'audit_log', payload.id, device, () => trx.insertInto('audit_log').values({
        id: payload.id, ...common, branch_seq: row.seq, action: p.action, entity: p.entity, entity_id: p.entity_id,
        created_at: p.created_at, prev_hash: p.prev_hash, hash: p.hash, data,
      }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst());
      return;
    }
    case 'appointment': {
      const p = data as typeof data & { service_id: string; starts_at: number; status: string; updated_at: number };
      const columns = { service_id: p.service_id, customer_id: customerId, starts_at: p.starts_at, status: p.status, updated_at: p.updated_at, received_at: now, data };
      await upsertOwned('appointment', payload.id, () => trx.insertInto('appointment').values({ id: payload.id, ...common, ...columns })
        .onConflict((oc) => oc.column('id').doUpdateSet(columns).where('appointment.device_id', '=', device.deviceId))
        .returning('id').executeTakeFirst());
      return;
    }
  }
}

function ownedByThisTenant(device: CloudDevice, tenantId: string): void {
  if (tenantId !== device.tenantId) throw new RowRejected(`tenant_id ${tenantId} is not this branch's tenant.`);
}

/** Insert or update a row this branch owns; a row with the same id from another branch is refused. */
async function upsertOwned(table: string, id: string, run: () => Promise<{ id: string } | undefined>): Promise<void> {
  const written = await run();
  if (!written) throw new RowRejected(`${table} ${id} belongs to another branch.`);
}

/**
 * Append-only rows: the first write wins and a replay with the same id is a no-op, unless that id is
 * taken by another branch's row, or by a row this tenant cannot see (row-level security hides it):
 * then the row is refused.
 */
async function insertOnce(
  trx: CloudTx,
  table: 'ticket_event' | 'audit_log',
  id: string,
  device: CloudDevice,
  run: () => Promise<{ id: string } | undefined>,
): Promise<void> {
  if (await run()) return;
  const existing = await trx.selectFrom(table).select('device_id').where('id', '=', id).executeTakeFirst();
  if (!existing) throw new RowRejected(`${table} ${id} belongs to another tenant.`);
  if (existing.device_id !== device.deviceId) throw new RowRejected(`${table} ${id} belongs to another branch.`);
}
