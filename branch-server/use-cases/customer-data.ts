import type { ConsentDto, CustomerExportDto, RecordConsentBody } from '../contract/customer-data.contract.ts';
import type { z } from 'zod';
import { qb, type Db } from '../db/sqlite.ts';
import { uuidv7 } from '../ids.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import { getCustomerRow, toCustomerDto, updateCustomer, type CustomerInput } from './customers.ts';

type ConsentRow = { id: string; purpose: string; granted: 0 | 1; channel: string; recorded_at: number; recorded_by: string | null };

function toConsentDto(r: ConsentRow): ConsentDto {
  return {
    id: r.id, purpose: r.purpose as ConsentDto['purpose'], granted: r.granted === 1, channel: r.channel as ConsentDto['channel'],
    recorded_at: new Date(r.recorded_at).toISOString(), recorded_by: r.recorded_by,
  };
}

export function listConsents(db: Db, tenantId: string, customerId: string): ConsentDto[] {
  getCustomerRow(db, tenantId, customerId);
  return (db.sqlite.prepare(`SELECT id, purpose, granted, channel, recorded_at, recorded_by FROM customer_consent
    WHERE customer_id = ? AND tenant_id = ? ORDER BY recorded_at, id`).all(customerId, tenantId) as ConsentRow[]).map(toConsentDto);
}

/**
 * Records a consent given or withdrawn. The history stays here (who, when, through which channel);
 * the customer's `consents` field carries the current state of each purpose with its date and
 * channel (it travels with the customer to HQ and the other branches, where HQ's wins), and the
 * notify_* flag of a messaging purpose follows it.
 */
export function recordConsent(deps: UseCaseDeps, caller: Caller, customerId: string, body: z.infer<typeof RecordConsentBody>): ConsentDto {
  const { db } = deps;
  return db.tx(() => {
    const customer = getCustomerRow(db, caller.tenantId, customerId);
    const row: ConsentRow = {
      id: uuidv7(caller.now), purpose: body.purpose, granted: body.granted ? 1 : 0, channel: body.channel, recorded_at: caller.now,
      recorded_by: caller.actor.userId ?? caller.actor.deviceId,
    };
    db.sqlite.prepare(`INSERT INTO customer_consent (id, tenant_id, customer_id, purpose, granted, channel, recorded_at, recorded_by)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(row.id, caller.tenantId, customerId, row.purpose, row.granted, row.channel, row.recorded_at, row.recorded_by);
    const current = toCustomerDto(customer).consents;
    const patch: Partial<CustomerInput> = {
      consents: { ...current, [body.purpose]: { granted: body.granted, channel: body.channel, at: new Date(caller.now).toISOString() } },
    };
    if (body.purpose === 'sms') patch.notify_sms = body.granted;
    if (body.purpose === 'email') patch.notify_email = body.granted;
    if (body.purpose === 'whatsapp') patch.notify_whatsapp = body.granted;
    updateCustomer(deps, caller, customerId, patch);
    return toConsentDto(row);
  });
}

/** Right of access: everything this branch holds about one customer. */
export function exportCustomer(db: Db, tenantId: string, customerId: string, now: number): CustomerExportDto {
  const customer = toCustomerDto(getCustomerRow(db, tenantId, customerId));
  const rows = (table: 'ticket' | 'appointment' | 'feedback' | 'notification') =>
    db.all(qb.selectFrom(table).selectAll().where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).orderBy('created_at')) as Record<string, unknown>[];
  return {
    exported_at: new Date(now).toISOString(), customer, consents: listConsents(db, tenantId, customerId),
    tickets: rows('ticket'), appointments: rows('appointment'), feedback: rows('feedback'), notifications: rows('notification'),
  };
}
