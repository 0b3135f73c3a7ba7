import type { z } from 'zod';
import type { CreateKioskBody, KioskDto, UpdateKioskBody } from '../contract/kiosks.contract.ts';
import { qb, type Db } from '../db/sqlite.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import {
  ONLINE_WINDOW_MS, configSite, detachDevices, invalidReference, lastSeenByConfig, parseJsonColumn, patchQueueScope, queueSummaries, requireQueues,
} from '../db/repositories/device-config.repository.ts';
import { iso } from '../db/repositories/tickets.repository.ts';
import type { KioskRow } from '../db/tables/kiosk.table.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import type { Caller, UseCaseDeps } from './deps.ts';

type Language = KioskDto['languages'][number];

export function getKioskRow(db: Db, tenantId: string, id: string): KioskRow {
  const row = db.first(qb.selectFrom('kiosk').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Kiosk not found.');
  return row;
}

function requirePrinter(db: Db, tenantId: string, printerId: string): void {
  if (!db.first(qb.selectFrom('printer').select('id').where('id', '=', printerId).where('tenant_id', '=', tenantId))) {
    throw invalidReference([{ field: 'printer_id', message: 'unknown printer' }]);
  }
}

export function toKioskDtos(db: Db, tenantId: string, rows: readonly KioskRow[], now: number): KioskDto[] {
  const seen = lastSeenByConfig(db, 'kiosk_id', rows.map((r) => r.id));
  return rows.map((row) => {
    const queueIds = parseJsonColumn<string[]>(row.queue_ids, []);
    const lastSeen = Math.max(row.last_seen_at ?? 0, seen.get(row.id) ?? 0) || null;
    return {
      id: row.id,
      name: row.name,
      site: row.site_id,
      queue_ids: queueIds,
      queues: queueSummaries(db, tenantId, queueIds),
      languages: parseJsonColumn<Language[]>(row.languages, ['fr', 'en', 'ar']),
      printer_id: row.printer_id,
      last_seen_at: iso(lastSeen),
      is_online: lastSeen !== null && now - lastSeen < ONLINE_WINDOW_MS,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
    };
  });
}

export function createKiosk(deps: UseCaseDeps, caller: Caller, body: z.infer<typeof CreateKioskBody>): KioskDto {
  const { db } = deps;
  const row = db.tx(() => {
    const queues = requireQueues(db, caller.tenantId, body.queue_ids, body.site ?? null);
    if (body.printer_id) requirePrinter(db, caller.tenantId, body.printer_id);
    const row: KioskRow = {
      id: uuidv7(caller.now),
      tenant_id: caller.tenantId,
      site_id: configSite(db, caller.tenantId, body.site, queues),
      name: body.name,
      queue_ids: JSON.stringify(body.queue_ids),
      languages: JSON.stringify(body.languages ?? ['fr', 'en', 'ar']),
      printer_id: body.printer_id ?? null,
      last_seen_at: null,
      created_at: caller.now,
      updated_at: caller.now,
    };
    db.run(qb.insertInto('kiosk').values(row));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'kiosk.created', entity: 'kiosk', entityId: row.id, after: row }, caller.now);
    return row;
  });
  return toKioskDtos(db, caller.tenantId, [row], caller.now)[0]!;
}

export function updateKiosk(deps: UseCaseDeps, caller: Caller, id: string, patch: z.infer<typeof UpdateKioskBody>): KioskDto {
  const { db } = deps;
  const after = db.tx(() => {
    const before = getKioskRow(db, caller.tenantId, id);
    const after: KioskRow = { ...before, updated_at: caller.now };
    Object.assign(after, patchQueueScope(db, caller.tenantId, before, patch));
    if (patch.printer_id) requirePrinter(db, caller.tenantId, patch.printer_id);
    if (patch.printer_id !== undefined) after.printer_id = patch.printer_id;
    if (patch.name !== undefined) after.name = patch.name;
    if (patch.languages !== undefined) after.languages = JSON.stringify(patch.languages);
    const { id: _id, tenant_id: _tenant, created_at: _created, ...changes } = after;
    db.run(qb.updateTable('kiosk').set(changes).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'kiosk.updated', entity: 'kiosk', entityId: id, before, after }, caller.now);
    return after;
  });
  return toKioskDtos(db, caller.tenantId, [after], caller.now)[0]!;
}

export function deleteKiosk(deps: UseCaseDeps, caller: Caller, id: string): void {
  const { db } = deps;
  db.tx(() => {
    const before = getKioskRow(db, caller.tenantId, id);
    detachDevices(db, 'kiosk_id', id, 'kiosk', caller.now);
    db.run(qb.deleteFrom('kiosk').where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'kiosk.deleted', entity: 'kiosk', entityId: id, before }, caller.now);
  });
}
