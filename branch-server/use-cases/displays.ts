import type { z } from 'zod';
import type { CreateDisplayBody, DisplayDto, UpdateDisplayBody } from '../contract/displays.contract.ts';
import { qb, type Db } from '../db/sqlite.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import {
  ONLINE_WINDOW_MS, configSite, detachDevices, lastSeenByConfig, parseJsonColumn, patchQueueScope, queueSummaries, requireQueues,
} from '../db/repositories/device-config.repository.ts';
import { iso } from '../db/repositories/tickets.repository.ts';
import type { DisplayRow } from '../db/tables/display.table.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import type { Caller, UseCaseDeps } from './deps.ts';

type Language = DisplayDto['languages'][number];

export function getDisplayRow(db: Db, tenantId: string, id: string): DisplayRow {
  const row = db.first(qb.selectFrom('display').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Display not found.');
  return row;
}

export function toDisplayDtos(db: Db, tenantId: string, rows: readonly DisplayRow[], now: number): DisplayDto[] {
  const seen = lastSeenByConfig(db, 'display_id', rows.map((r) => r.id));
  return rows.map((row) => {
    const queueIds = parseJsonColumn<string[]>(row.queue_ids, []);
    const lastSeen = Math.max(row.last_seen_at ?? 0, seen.get(row.id) ?? 0) || null;
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      site: row.site_id,
      queue_ids: queueIds,
      queues: queueSummaries(db, tenantId, queueIds),
      languages: parseJsonColumn<Language[]>(row.languages, ['fr']),
      layout: parseJsonColumn<Record<string, unknown>>(row.layout, {}),
      theme: parseJsonColumn<Record<string, unknown>>(row.theme, {}),
      last_seen_at: iso(lastSeen),
      is_online: lastSeen !== null && now - lastSeen < ONLINE_WINDOW_MS,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
    };
  });
}

export function createDisplay(deps: UseCaseDeps, caller: Caller, body: z.infer<typeof CreateDisplayBody>): DisplayDto {
  const { db } = deps;
  const row = db.tx(() => {
    const queues = requireQueues(db, caller.tenantId, body.queue_ids, body.site ?? null);
    const row: DisplayRow = {
      id: uuidv7(caller.now),
      tenant_id: caller.tenantId,
      site_id: configSite(db, caller.tenantId, body.site, queues),
      name: body.name,
      type: body.type,
      queue_ids: JSON.stringify(body.queue_ids),
      languages: JSON.stringify(body.languages ?? ['fr']),
      layout: JSON.stringify(body.layout ?? {}),
      theme: JSON.stringify(body.theme ?? {}),
      last_seen_at: null,
      created_at: caller.now,
      updated_at: caller.now,
    };
    db.run(qb.insertInto('display').values(row));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'display.created', entity: 'display', entityId: row.id, after: row }, caller.now);
    return row;
  });
  return toDisplayDtos(db, caller.tenantId, [row], caller.now)[0]!;
}

/** Saves the change, then tells the TV to reload its configuration (after commit). */
export function updateDisplay(deps: UseCaseDeps, caller: Caller, id: string, patch: z.infer<typeof UpdateDisplayBody>): DisplayDto {
  const { db } = deps;
  const after = db.tx(() => {
    const before = getDisplayRow(db, caller.tenantId, id);
    const after: DisplayRow = { ...before, updated_at: caller.now };
    Object.assign(after, patchQueueScope(db, caller.tenantId, before, patch));
    if (patch.name !== undefined) after.name = patch.name;
    if (patch.type !== undefined) after.type = patch.type;
    if (patch.languages !== undefined) after.languages = JSON.stringify(patch.languages);
    if (patch.layout !== undefined) after.layout = JSON.stringify(patch.layout);
    if (patch.theme !== undefined) after.theme = JSON.stringify(patch.theme);
    const { id: _id, tenant_id: _tenant, created_at: _created, ...changes } = after;
    db.run(qb.updateTable('display').set(changes).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'display.updated', entity: 'display', entityId: id, before, after }, caller.now);
    return after;
  });
  deps.events.publish([{ kind: 'display-refresh', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, displayId: id }]);
  return toDisplayDtos(db, caller.tenantId, [after], caller.now)[0]!;
}

export function deleteDisplay(deps: UseCaseDeps, caller: Caller, id: string): void {
  const { db } = deps;
  db.tx(() => {
    const before = getDisplayRow(db, caller.tenantId, id);
    detachDevices(db, 'display_id', id, 'display', caller.now);
    db.run(qb.deleteFrom('display').where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'display.deleted', entity: 'display', entityId: id, before }, caller.now);
  });
}
