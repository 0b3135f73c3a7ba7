import { sql } from 'kysely';
import type { ZodError } from 'zod';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { BRANCH_PAYLOADS, ERASED_CUSTOMER_SCRUB } from '../../protocol/entities.ts';
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
    const rejected = await applyRows(trx, deps, device, body, fresh, now);
    const applied = fresh.length - rejected.length;
    if (rejected.length > 0) {
      const bySeq = new Map(fresh.map((r) => [r.seq, r]));
      await trx.insertInto('sync_dead_letter').values(rejected.map((r) => {
        const row = bySeq.get(r.seq)!;
        return {
          id: uuidv7(now), tenant_id: device.tenantId, device_id: device.deviceId, seq: row.seq, mutation_id: row.mutation_id,
          entity: row.entity, entity_id: row.entity_id, payload: row.payload, error: r.error, created_at: now,
        };
      })).execute();
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

type Rejection = { seq: number; mutation_id: string; error: string };
type BulkEntity = 'ticket' | 'ticket_event' | 'feedback' | 'audit_log' | 'appointment' | 'day_summary';

/**
 * Applies a batch's fresh rows. Customers go one by one (each is a merge). The other rows are checked
 * in memory, then written with one multi-row statement per table (the batch's last state of a row
 * wins, as it would applied in order); a statement the database refuses is retried row by row, each
 * in a savepoint, so only the guilty row is dead-lettered. Returns the rejected rows.
 */
async function applyRows(trx: CloudTx, deps: CloudDeps, device: CloudDevice, body: PushRequest, fresh: readonly OutboxRow[], now: number): Promise<Rejection[]> {
  const rejected: Rejection[] = [];
  const reject = (row: OutboxRow, error: string) => rejected.push({ seq: row.seq, mutation_id: row.mutation_id, error });
  const groups = new Map<BulkEntity, OutboxRow[]>();
  for (const row of fresh) {
    await deps.faults?.at('push:row');
    if (row.entity === 'customer') {
      await applyOneRow(trx, device, body, row, now, reject);
      continue;
    }
    const problem = checkRow(device, row);
    if (problem) {
      reject(row, problem);
      continue;
    }
    const group = groups.get(row.entity) ?? [];
    group.push(row);
    groups.set(row.entity, group);
  }
  for (const [entity, rows] of groups) {
    await sql`SAVEPOINT outbox_bulk`.execute(trx);
    try {
      const refused = await writeBulk(trx, device, body, entity, rows, now);
      await sql`RELEASE SAVEPOINT outbox_bulk`.execute(trx);
      for (const { row, error } of refused) reject(row, error);
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT outbox_bulk`.execute(trx);
      if (rejectionReason(error) === null) throw error;
      for (const row of rows) await applyOneRow(trx, device, body, row, now, reject);
    }
  }
  return rejected.sort((a, b) => a.seq - b.seq);
}

async function applyOneRow(trx: CloudTx, device: CloudDevice, body: PushRequest, row: OutboxRow, now: number, reject: (row: OutboxRow, error: string) => void): Promise<void> {
  await sql`SAVEPOINT outbox_row`.execute(trx);
  try {
    await applyRow(trx, device, body, row, now);
    await sql`RELEASE SAVEPOINT outbox_row`.execute(trx);
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT outbox_row`.execute(trx);
    const reason = rejectionReason(error);
    if (reason === null) throw error;
    reject(row, reason);
  }
}

/** The checks that need no database: shape, tenant, id, site. */
function checkRow(device: CloudDevice, row: OutboxRow): string | null {
  const parsed = BRANCH_PAYLOADS[row.entity].safeParse(row.payload);
  if (!parsed.success) return rejectionReason(parsed.error);
  const payload = parsed.data as Record<string, unknown>;
  if (payload['tenant_id'] !== device.tenantId) return `tenant_id ${String(payload['tenant_id'])} is not this branch's tenant.`;
  if (payload['id'] !== row.entity_id) return 'entity_id does not match the payload id.';
  if ('site_id' in payload && payload['site_id'] !== device.siteId) return `site_id ${String(payload['site_id'])} is not this branch's site.`;
  return null;
}

/**
 * What became of the customers the rows name since the branch wrote them: merged away (the row names
 * the survivor) or erased (null: the row is scrubbed). Customers unchanged are not in the map.
 *
 * **Important:** the customers are read FOR SHARE, held until this push commits. A merge or an
 * erasure in another transaction rewrites the rows naming the customer it changes, but cannot see
 * rows this push has not committed yet; without the lock a ticket read "not merged" before that
 * transaction committed kept naming the duplicate at the cloud for good (seen in the cloud-kill
 * test). With it, a merge that came first is waited for and seen, and one that comes later waits
 * for this push and then rewrites its rows too. Share locks do not block one another: pushes naming
 * the same customer do not wait for each other.
 */
async function survivorsOf(trx: CloudTx, ids: readonly string[]): Promise<Map<string, string | null>> {
  const result = new Map<string, string | null>();
  if (ids.length === 0) return result;
  const named = await trx.selectFrom('customer').select(['id', 'merged_into', 'deleted']).where('id', 'in', [...new Set(ids)])
    .orderBy('id').forShare().execute();
  const changed = named.filter((c) => c.merged_into !== null || c.deleted !== null);
  for (const { id, merged_into, deleted } of changed) {
    const survivor = merged_into ? await resolveCustomer(trx, id) : id;
    const erased = deleted !== null
      || (survivor !== id && (await trx.selectFrom('customer').select('deleted').where('id', '=', survivor).executeTakeFirst())?.deleted != null);
    result.set(id, erased ? null : survivor);
  }
  return result;
}

const CHUNK = 250;

async function writeBulk(
  trx: CloudTx, device: CloudDevice, body: PushRequest, entity: BulkEntity, rows: readonly OutboxRow[], now: number,
): Promise<{ row: OutboxRow; error: string }[]> {
  // Upserted tables keep the batch's last state of each row; append-only ones its first.
  const upsert = entity === 'ticket' || entity === 'feedback' || entity === 'appointment';
  const byId = new Map<string, OutboxRow>();
  for (const row of rows) if (upsert || !byId.has(row.entity_id)) byId.set(row.entity_id, row);
  const unique = [...byId.values()];
  const customers = await survivorsOf(trx, unique.map((r) => r.payload['customer_id']).filter((c): c is string => typeof c === 'string'));
  const common = { tenant_id: device.tenantId, site_id: device.siteId, device_id: device.deviceId, received_at: now };
  const written = new Set<string>();
  // Replays (rows a branch restored from a backup sends again, seq ≤ replay_through) only fill in what
  // is missing: any copy here came from the same branch before its restore and is at least as new.
  const isReplay = (row: OutboxRow) => body.replay_through !== undefined && row.seq <= body.replay_through;
  const batches: [boolean, OutboxRow[]][] = [[false, unique.filter((r) => !isReplay(r))], [true, unique.filter(isReplay)]];
  for (const [replay, group] of batches) for (let i = 0; i < group.length; i += CHUNK) {
    const chunk = group.slice(i, i + CHUNK).map((row) => {
      const raw = row.payload as Record<string, any>;
      const named = typeof raw['customer_id'] === 'string' ? raw['customer_id'] : null;
      const fate = named === null ? undefined : customers.get(named);
      if (fate === null) return { row, data: { ...raw, ...ERASED_CUSTOMER_SCRUB[entity as keyof typeof ERASED_CUSTOMER_SCRUB] }, customerId: null };
      const customerId = fate ?? named;
      const data = customerId !== named ? { ...raw, customer_id: customerId } : raw;
      return { row, data, customerId };
    });
    let ids: { id: string }[];
    switch (entity) {
      case 'ticket':
        ids = await trx.insertInto('ticket').values(chunk.map(({ row, data: p, customerId }) => ({
          id: row.entity_id, ...common, queue_id: p['queue_id'], number: p['number'], status: p['status'], channel: p['channel'],
          priority: p['priority'], agent_id: p['agent_id'], customer_id: customerId, created_at: p['created_at'], called_at: p['called_at'],
          started_at: p['started_at'], ended_at: p['ended_at'], updated_at: p['updated_at'], clock_offset_ms: body.clock_offset_ms, data: p,
        }))).onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
          queue_id: eb.ref('excluded.queue_id'), number: eb.ref('excluded.number'), status: eb.ref('excluded.status'),
          channel: eb.ref('excluded.channel'), priority: eb.ref('excluded.priority'), agent_id: eb.ref('excluded.agent_id'),
          customer_id: eb.ref('excluded.customer_id'), created_at: eb.ref('excluded.created_at'), called_at: eb.ref('excluded.called_at'),
          started_at: eb.ref('excluded.started_at'), ended_at: eb.ref('excluded.ended_at'), updated_at: eb.ref('excluded.updated_at'),
          clock_offset_ms: eb.ref('excluded.clock_offset_ms'), received_at: eb.ref('excluded.received_at'), data: eb.ref('excluded.data'),
          device_id: eb.ref('excluded.device_id'),
        })).where('ticket.site_id', '=', device.siteId).where(sql<boolean>`${!replay}`)).returning('id').execute();
        break;
      case 'feedback':
        ids = await trx.insertInto('feedback').values(chunk.map(({ row, data: p, customerId }) => ({
          id: row.entity_id, ...common, ticket_id: p['ticket_id'], customer_id: customerId, csat: p['csat'], nps: p['nps'],
          created_at: p['created_at'], data: p,
        }))).onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
          ticket_id: eb.ref('excluded.ticket_id'), customer_id: eb.ref('excluded.customer_id'), csat: eb.ref('excluded.csat'),
          nps: eb.ref('excluded.nps'), created_at: eb.ref('excluded.created_at'), received_at: eb.ref('excluded.received_at'),
          data: eb.ref('excluded.data'), device_id: eb.ref('excluded.device_id'),
        })).where('feedback.site_id', '=', device.siteId).where(sql<boolean>`${!replay}`)).returning('id').execute();
        break;
      case 'appointment':
        ids = await trx.insertInto('appointment').values(chunk.map(({ row, data: p, customerId }) => ({
          id: row.entity_id, ...common, service_id: p['service_id'], customer_id: customerId, starts_at: p['starts_at'],
          status: p['status'], updated_at: p['updated_at'], data: p,
        }))).onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
          service_id: eb.ref('excluded.service_id'), customer_id: eb.ref('excluded.customer_id'), starts_at: eb.ref('excluded.starts_at'),
          status: eb.ref('excluded.status'), updated_at: eb.ref('excluded.updated_at'), received_at: eb.ref('excluded.received_at'),
          data: eb.ref('excluded.data'), device_id: eb.ref('excluded.device_id'),
        })).where('appointment.site_id', '=', device.siteId).where(sql<boolean>`${!replay}`)).returning('id').execute();
        break;
      case 'ticket_event':
        ids = await trx.insertInto('ticket_event').values(chunk.map(({ row, data: p }) => ({
          id: row.entity_id, ...common, ticket_id: p['ticket_id'], type: p['type'], created_at: p['created_at'], data: p,
        }))).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
        break;
      case 'day_summary':
        // Sealed once: a replay of the same day from this branch changes nothing.
        ids = await trx.insertInto('day_summary').values(chunk.map(({ row, data: p }) => ({
          id: row.entity_id, ...common, business_date: p['business_date'], sealed_at: p['sealed_at'], data: p,
        }))).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
        break;
      case 'audit_log':
        await applyAuditRedactions(trx, device, chunk.map((c) => c.row));
        ids = await trx.insertInto('audit_log').values(chunk.map(({ row, data: p }) => ({
          id: row.entity_id, ...common, branch_seq: row.seq, action: p['action'], entity: p['entity'], entity_id: p['entity_id'],
          created_at: p['created_at'], prev_hash: p['prev_hash'], hash: p['hash'], data: p,
        }))).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
        break;
    }
    for (const { id } of ids) written.add(id);
  }
  const missing = unique.filter((row) => !written.has(row.entity_id));
  if (missing.length === 0) return [];
  // Not written: an upsert's row owned by another branch, or a replay of a row already here;
  // an append-only row already here (a replay from this branch is fine), or held by another branch
  // or, invisible, by another tenant.
  const owners = new Map((await trx.selectFrom(entity).select(['id', 'site_id']).where('id', 'in', missing.map((r) => r.entity_id)).execute())
    .map((r) => [r.id, r.site_id]));
  const refused: { row: OutboxRow; error: string }[] = [];
  for (const row of missing) {
    const owner = owners.get(row.entity_id);
    if (owner === undefined) refused.push({ row, error: `${entity} ${row.entity_id} belongs to another tenant.` });
    else if (owner !== device.siteId) refused.push({ row, error: `${entity} ${row.entity_id} belongs to another branch.` });
  }
  // Every row of the batch naming a refused id is refused with it.
  const refusedIds = new Map(refused.map((r) => [r.row.entity_id, r.error]));
  return rows.filter((r) => refusedIds.has(r.entity_id)).map((row) => ({ row, error: refusedIds.get(row.entity_id)! }));
}

/**
 * An audit row redacted at the branch (retention or erasure) replaces the cloud's copy: only its
 * `before`/`after` may change, and only with the digests of what was there, under the same hash (the
 * chain still verifies). Any other update of an audit row is ignored: the log is append-only.
 */
async function applyAuditRedactions(trx: CloudTx, device: CloudDevice, rows: readonly OutboxRow[]): Promise<void> {
  for (const row of rows) {
    const p = row.payload as Record<string, any>;
    if (row.op !== 'update' || typeof p['redacted_at'] !== 'number' || typeof p['hash'] !== 'string') continue;
    await trx.updateTable('audit_log').set({ data: p })
      .where('id', '=', row.entity_id).where('tenant_id', '=', device.tenantId).where('site_id', '=', device.siteId)
      .where('hash', '=', p['hash']).execute();
  }
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

/**
 * One row on its own: a customer (a merge), or a row of a bulk write the database refused, written
 * again alone so only the guilty row is rejected.
 */
async function applyRow(trx: CloudTx, device: CloudDevice, body: PushRequest, row: OutboxRow, now: number): Promise<void> {
  if (row.entity === 'customer') {
    const edit = toCustomerEdit(row.payload, row.op);
    if (edit.tenant_id !== device.tenantId) throw new RowRejected(`tenant_id ${edit.tenant_id} is not this branch's tenant.`);
    if (edit.id !== row.entity_id) throw new RowRejected('entity_id does not match the payload id.');
    await applyCustomerChange(trx, device.tenantId, edit, device.deviceId, false, now);
    return;
  }
  const problem = checkRow(device, row);
  if (problem) throw new RowRejected(problem);
  const [refused] = await writeBulk(trx, device, body, row.entity, [row], now);
  if (refused) throw new RowRejected(refused.error);
}
