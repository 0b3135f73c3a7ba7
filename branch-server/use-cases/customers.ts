import type { CustomerDto } from '../contract/customers.contract.ts';
import { appendAudit, redactAuditRows } from '../db/repositories/audit.repository.ts';
import type { AuditLogRow } from '../db/tables/audit-log.table.ts';
import { redactPersonal } from '../domain/personal-data.ts';
import { appendOutbox } from '../db/repositories/outbox.repository.ts';
import { tickBranchHlc } from '../db/repositories/sync-state.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { CustomerRow } from '../db/tables/customer.table.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import { changedKeys, parseObject, parseStringArray } from './references.ts';
import { EMPTY_CUSTOMER_VALUES } from '../../sync/protocol/customer-merge.ts';
import { CUSTOMER_FIELDS, type CustomerEdit } from '../../sync/protocol/entities.ts';

type Language = CustomerDto['language'];
const LANGUAGES: readonly string[] = ['fr', 'en', 'ar'];

export function toCustomerDto(row: CustomerRow): CustomerDto {
  return {
    id: row.id, external_ref: row.external_ref, first_name: row.first_name, last_name: row.last_name,
    phone: row.phone, email: row.email, language: (LANGUAGES.includes(row.language) ? row.language : 'fr') as Language,
    notify_sms: row.notify_sms === 1, notify_email: row.notify_email === 1, notify_whatsapp: row.notify_whatsapp === 1,
    consents: parseObject(row.consents), tags: parseStringArray(row.tags), metadata: parseObject(row.metadata),
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

export function getCustomerRow(db: Db, tenantId: string, id: string): CustomerRow {
  const row = db.first(qb.selectFrom('customer').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Customer not found.');
  return row;
}

export type CustomerInput = Omit<CustomerDto, 'id' | 'created_at' | 'updated_at'>;

function toColumns(input: Partial<CustomerInput>): Partial<CustomerRow> {
  const columns: Partial<CustomerRow> = {};
  for (const [key, value] of Object.entries(input) as [keyof CustomerInput, unknown][]) {
    if (value === undefined) continue;
    if (key === 'notify_sms' || key === 'notify_email' || key === 'notify_whatsapp') columns[key] = value ? 1 : 0;
    else if (key === 'consents' || key === 'tags' || key === 'metadata') columns[key] = JSON.stringify(value);
    else (columns as Record<string, unknown>)[key] = value;
  }
  return columns;
}

/**
 * Customers are personal data: their audit rows name the fields that changed, never the values, so
 * the append-only, hash-chained audit log never has to be rewritten when a customer is forgotten.
 * The outbox row carries the fields this edit changed, stamped with the branch's hybrid clock (the
 * cloud merges them field by field with other branches' and HQ's edits).
 */
export function createCustomer(deps: UseCaseDeps, caller: Caller, input: CustomerInput): CustomerDto {
  const { db } = deps;
  const { now } = caller;
  return db.tx(() => {
    const row = {
      id: uuidv7(now), tenant_id: caller.tenantId, external_ref: null, first_name: '', last_name: '', phone: '', email: '',
      language: 'fr', notify_sms: 0, notify_email: 0, notify_whatsapp: 0, consents: '{}', tags: '[]', metadata: '{}',
      ...toColumns(input), created_at: now, updated_at: now,
    } as CustomerRow;
    db.run(qb.insertInto('customer').values(row));
    const set = CUSTOMER_FIELDS.filter((f) => row[f] !== EMPTY_CUSTOMER_VALUES[f]);
    appendOutbox(db, { tenantId: caller.tenantId, entity: 'customer', entityId: row.id, op: 'insert', payload: customerEdit(db, row, set, now) }, now);
    appendAudit(db, caller.actor, {
      tenantId: caller.tenantId, action: 'customer.created', entity: 'customer', entityId: row.id,
      after: { fields: Object.keys(input).filter((k) => JSON.stringify(input[k as keyof CustomerInput]) !== JSON.stringify(emptyValue(k))) },
    }, now);
    return toCustomerDto(row);
  });
}

/**
 * The uplink form of a customer change (sync/protocol CustomerEdit): only `fields` compete in the
 * cloud's merge, so an edit of the phone here and of the e-mail at another branch both survive.
 */
export function customerEdit(db: Db, row: CustomerRow, fields: readonly string[], now: number, deleted = false): CustomerEdit {
  const values = Object.fromEntries(CUSTOMER_FIELDS.filter((f) => fields.includes(f)).map((f) => [f, row[f]]));
  return { id: row.id, tenant_id: row.tenant_id, created_at: row.created_at, values, hlc: tickBranchHlc(db, now), deleted };
}

function emptyValue(key: string): unknown {
  if (key === 'consents' || key === 'metadata') return {};
  if (key === 'tags') return [];
  if (key.startsWith('notify_')) return false;
  if (key === 'external_ref') return null;
  if (key === 'language') return 'fr';
  return '';
}

export function updateCustomer(deps: UseCaseDeps, caller: Caller, id: string, patch: Partial<CustomerInput>): CustomerDto {
  const { db } = deps;
  const { now } = caller;
  return db.tx(() => {
    const before = getCustomerRow(db, caller.tenantId, id);
    const changed = changedKeys(toCustomerDto(before), patch);
    if (changed.length === 0) return toCustomerDto(before);
    const columns = toColumns(patch);
    const after: CustomerRow = { ...before, ...columns, updated_at: now };
    db.run(qb.updateTable('customer').set({ ...columns, updated_at: now }).where('id', '=', before.id));
    appendOutbox(db, { tenantId: caller.tenantId, entity: 'customer', entityId: before.id, op: 'update', payload: customerEdit(db, after, changed, now) }, now);
    appendAudit(db, caller.actor, {
      tenantId: caller.tenantId, action: 'customer.updated', entity: 'customer', entityId: before.id, after: { fields: changed },
    }, now);
    return toCustomerDto(after);
  });
}

/**
 * The right to be forgotten. The customer row is deleted (the uplink carries a tombstone: delete
 * beats edit on the cloud); their tickets, appointments and feedback stay for statistics but lose
 * the link and the personal fields copied onto them (name, phone, free-text comment); notifications
 * sent to them lose the recipient address.
 */
export function forgetCustomer(deps: UseCaseDeps, caller: Caller, id: string): void {
  const { db } = deps;
  const { now } = caller;
  db.tx(() => {
    const customer = getCustomerRow(db, caller.tenantId, id);
    const tenantId = caller.tenantId;

    const tickets = db.all(qb.selectFrom('ticket').selectAll().where('tenant_id', '=', tenantId).where('customer_id', '=', id));
    for (const ticket of tickets) {
      db.run(qb.updateTable('ticket').set({ customer_id: null, customer_name: '', customer_phone: '', updated_at: now }).where('id', '=', ticket.id));
      appendOutbox(db, { tenantId, entity: 'ticket', entityId: ticket.id, op: 'update', payload: { ...ticket, customer_id: null, customer_name: '', customer_phone: '', updated_at: now } }, now);
    }
    const appointments = db.all(qb.selectFrom('appointment').selectAll().where('tenant_id', '=', tenantId).where('customer_id', '=', id));
    for (const appointment of appointments) {
      db.run(qb.updateTable('appointment').set({ customer_id: null, customer_name: '', customer_phone: '', updated_at: now }).where('id', '=', appointment.id));
      appendOutbox(db, { tenantId, entity: 'appointment', entityId: appointment.id, op: 'update', payload: { ...appointment, customer_id: null, customer_name: '', customer_phone: '', updated_at: now } }, now);
    }
    const feedback = db.all(qb.selectFrom('feedback').selectAll().where('tenant_id', '=', tenantId).where('customer_id', '=', id));
    for (const f of feedback) {
      db.run(qb.updateTable('feedback').set({ customer_id: null, comment: '' }).where('id', '=', f.id));
      appendOutbox(db, { tenantId, entity: 'feedback', entityId: f.id, op: 'update', payload: { ...f, customer_id: null, comment: '' } }, now);
    }
    const notifications = db.run(qb.updateTable('notification').set({ customer_id: null, recipient: '', updated_at: now })
      .where('tenant_id', '=', tenantId).where('customer_id', '=', id));
    // Their audit history loses the same fields; the chain keeps the digests of what was there.
    redactAuditFor(db, tenantId, [...tickets, ...appointments, ...feedback].map((r) => r.id), now);

    db.run(qb.deleteFrom('customer').where('id', '=', customer.id));
    appendOutbox(db, { tenantId, entity: 'customer', entityId: customer.id, op: 'delete', payload: customerEdit(db, customer, [], now, true) }, now);
    appendAudit(db, caller.actor, {
      tenantId, action: 'customer.forgotten', entity: 'customer', entityId: customer.id,
      after: { tickets: tickets.length, appointments: appointments.length, feedback: feedback.length, notifications },
    }, now);
  });
}

/** Removes personal fields from the audit rows about these entities (erasure: here, or arriving from HQ). */
export function redactAuditFor(db: Db, tenantId: string, entityIds: readonly string[], now: number): number {
  if (entityIds.length === 0) return 0;
  let redacted = 0;
  for (let i = 0; i < entityIds.length; i += 200) {
    const ids = entityIds.slice(i, i + 200);
    const rows = db.sqlite.prepare(`SELECT * FROM audit_log WHERE tenant_id = ? AND entity_id IN (${ids.map(() => '?').join(', ')}) ORDER BY seq`)
      .all(tenantId, ...ids) as AuditLogRow[];
    redacted += redactAuditRows(db, rows, redactPersonal, now);
  }
  return redacted;
}
