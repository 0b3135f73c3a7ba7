import type { z } from 'zod';
import type { CreateDeviceBody, DeviceDto } from '../contract/devices.contract.ts';
import { qb, type Db } from '../db/sqlite.ts';
import { appendAudit, type Actor } from '../db/repositories/audit.repository.ts';
import { invalidReference } from '../db/repositories/device-config.repository.ts';
import { iso } from '../db/repositories/tickets.repository.ts';
import type { DeviceRow } from '../db/tables/device.table.ts';
import { DomainError } from '../domain/errors.ts';
import { randomToken, sha256 } from '../http/secrets.ts';
import { uuidv7 } from '../ids.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import { humanCode, normalizeHumanCode } from './human-code.ts';

export const PAIRING_CODE_LENGTH = 8;

export type PairingCode = { id: string; pairing_code: string; expires_at: string };
export type Paired = {
  device_id: string; device_key: string; type: DeviceRow['type']; tenant_slug: string; kiosk_id: string | null; display_id: string | null;
};

/** 'ABCDEFGH' → 'ABCD-EFGH', as shown to the person typing it. */
export function formatPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What the API and the audit log show of a device: never a hash. */
export function toDeviceDto(row: DeviceRow): DeviceDto {
  return {
    id: row.id, type: row.type, name: row.name, kiosk_id: row.kiosk_id, display_id: row.display_id,
    status: row.revoked_at !== null ? 'revoked' : row.key_hash !== null ? 'paired' : 'pending',
    pairing_expires_at: iso(row.pairing_expires_at), paired_at: iso(row.paired_at), revoked_at: iso(row.revoked_at),
    last_seen_at: iso(row.last_seen_at), created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

export function getDeviceRow(db: Db, tenantId: string, id: string): DeviceRow {
  const row = db.first(qb.selectFrom('device').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Device not found.');
  return row;
}

/** A fresh code whose hash no other device holds (the column is unique). Runs inside the transaction. */
function freshPairingCode(db: Db): string {
  for (;;) {
    const code = humanCode(PAIRING_CODE_LENGTH);
    if (!db.first(qb.selectFrom('device').select('id').where('pairing_code_hash', '=', sha256(code)))) return code;
  }
}

/** Registers a device bound to a kiosk or display of the tenant; only the code's hash is kept. */
export function createDevice(deps: UseCaseDeps, caller: Caller, body: z.infer<typeof CreateDeviceBody>, ttlSeconds: number): PairingCode {
  const { db } = deps;
  const expiresAt = caller.now + ttlSeconds * 1000;
  return db.tx(() => {
    if (body.kiosk_id && !db.first(qb.selectFrom('kiosk').select('id').where('id', '=', body.kiosk_id).where('tenant_id', '=', caller.tenantId))) {
      throw invalidReference([{ field: 'kiosk_id', message: 'unknown kiosk' }]);
    }
    if (body.display_id && !db.first(qb.selectFrom('display').select('id').where('id', '=', body.display_id).where('tenant_id', '=', caller.tenantId))) {
      throw invalidReference([{ field: 'display_id', message: 'unknown display' }]);
    }
    const code = freshPairingCode(db);
    const row: DeviceRow = {
      id: uuidv7(caller.now), tenant_id: caller.tenantId, type: body.type, name: body.name,
      kiosk_id: body.kiosk_id ?? null, display_id: body.display_id ?? null,
      pairing_code_hash: sha256(code), pairing_expires_at: expiresAt, key_hash: null, paired_at: null, revoked_at: null,
      last_seen_at: null, created_by: caller.actor.userId, created_at: caller.now, updated_at: caller.now,
    };
    db.run(qb.insertInto('device').values(row));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'device.created', entity: 'device', entityId: row.id, after: toDeviceDto(row) }, caller.now);
    return { id: row.id, pairing_code: formatPairingCode(code), expires_at: new Date(expiresAt).toISOString() };
  });
}

/**
 * Exchanges a pairing code for a device key. Single use: the code's hash is cleared in the same
 * transaction that stores the key's hash, so a second attempt finds nothing.
 */
export function pairDevice(db: Db, input: string, actor: Actor, now: number): Paired {
  const code = normalizeHumanCode(input, PAIRING_CODE_LENGTH);
  const unknown = () => new DomainError('invalid-pairing-code', 'Unknown or already used pairing code. Check it, or ask an administrator for a new one.');
  if (code === null) throw unknown();
  return db.tx(() => {
    const device = db.first(qb.selectFrom('device').selectAll().where('pairing_code_hash', '=', sha256(code)).where('revoked_at', 'is', null));
    if (!device) throw unknown();
    if (device.pairing_expires_at === null || device.pairing_expires_at <= now) {
      throw new DomainError('invalid-pairing-code', 'This pairing code has expired. Ask an administrator for a new one.');
    }
    const tenant = db.first(qb.selectFrom('tenant').select('slug').where('id', '=', device.tenant_id).where('is_active', '=', 1));
    if (!tenant) throw unknown();
    const key = randomToken('sqd_');
    db.run(qb.updateTable('device').set({
      key_hash: sha256(key), pairing_code_hash: null, pairing_expires_at: null, paired_at: now, updated_at: now,
    }).where('id', '=', device.id));
    appendAudit(db, { ...actor, deviceId: device.id }, {
      tenantId: device.tenant_id, action: 'device.paired', entity: 'device', entityId: device.id,
      after: { type: device.type, name: device.name, kiosk_id: device.kiosk_id, display_id: device.display_id },
    }, now);
    return { device_id: device.id, device_key: key, type: device.type, tenant_slug: tenant.slug, kiosk_id: device.kiosk_id, display_id: device.display_id };
  });
}

/**
 * Revokes a device: its key hash is kept so the key is recognised and refused as revoked (401
 * device-revoked) rather than unknown; any pending pairing code dies with it. Revoking twice is a no-op.
 */
export function revokeDevice(deps: UseCaseDeps, caller: Caller, id: string): void {
  const { db } = deps;
  db.tx(() => {
    const before = getDeviceRow(db, caller.tenantId, id);
    if (before.revoked_at !== null) return;
    const after: DeviceRow = { ...before, revoked_at: caller.now, pairing_code_hash: null, pairing_expires_at: null, updated_at: caller.now };
    db.run(qb.updateTable('device').set({ revoked_at: caller.now, pairing_code_hash: null, pairing_expires_at: null, updated_at: caller.now }).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'device.revoked', entity: 'device', entityId: id, before: toDeviceDto(before), after: toDeviceDto(after) }, caller.now);
  });
}

/** Re-pairing: a new code, and the current key stops working at once. A revoked device stays revoked. */
export function regeneratePairingCode(deps: UseCaseDeps, caller: Caller, id: string, ttlSeconds: number): PairingCode {
  const { db } = deps;
  const expiresAt = caller.now + ttlSeconds * 1000;
  return db.tx(() => {
    const before = getDeviceRow(db, caller.tenantId, id);
    if (before.revoked_at !== null) throw new DomainError('conflict', 'This device is revoked. Register a new device instead.');
    const code = freshPairingCode(db);
    const after: DeviceRow = { ...before, pairing_code_hash: sha256(code), pairing_expires_at: expiresAt, key_hash: null, paired_at: null, updated_at: caller.now };
    db.run(qb.updateTable('device').set({
      pairing_code_hash: after.pairing_code_hash, pairing_expires_at: expiresAt, key_hash: null, paired_at: null, updated_at: caller.now,
    }).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'device.code_regenerated', entity: 'device', entityId: id, before: toDeviceDto(before), after: toDeviceDto(after) }, caller.now);
    return { id, pairing_code: formatPairingCode(code), expires_at: new Date(expiresAt).toISOString() };
  });
}
