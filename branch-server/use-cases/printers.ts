import type { z } from 'zod';
import type { CreatePrinterBody, PrinterDto, UpdatePrinterBody } from '../contract/printers.contract.ts';
import { qb, type Db } from '../db/sqlite.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import { invalidReference, parseJsonColumn, requireSite, type FieldIssue } from '../db/repositories/device-config.repository.ts';
import type { PrinterRow } from '../db/tables/printer.table.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import type { Caller, UseCaseDeps } from './deps.ts';

type Transport = PrinterRow['transport'];
type Connection = Pick<PrinterRow, 'host' | 'port' | 'path' | 'baud_rate' | 'vendor_id' | 'product_id'>;
type ConnectionField = keyof Connection;
type ConnectionInput = Partial<Record<ConnectionField, string | number | null | undefined>>;

export const DEFAULT_NETWORK_PORT = 9100;
export const DEFAULT_BAUD_RATE = 9600;
const USB_LP_PATH = /^\/dev\/(?:usb\/)?lp[0-9]+$/;

const FIELDS_BY_TRANSPORT: Readonly<Record<Transport, readonly ConnectionField[]>> = {
  network: ['host', 'port'],
  serial: ['path', 'baud_rate'],
  usb: ['vendor_id', 'product_id', 'path'],
};
const ALL_FIELDS: readonly ConnectionField[] = ['host', 'port', 'path', 'baud_rate', 'vendor_id', 'product_id'];

/**
 * The connection a transport needs, from the request and (when the transport is unchanged) what is
 * stored. Fields another transport uses are refused when sent and cleared when stored, so a printer
 * never carries a stale path that a later transport change would pick up.
 */
export function resolveConnection(transport: Transport, input: ConnectionInput, stored: PrinterRow | null): Connection {
  const used = FIELDS_BY_TRANSPORT[transport];
  const issues: FieldIssue[] = [];
  for (const field of ALL_FIELDS) {
    if (!used.includes(field) && input[field] !== undefined && input[field] !== null) {
      issues.push({ field, message: `not used by a ${transport} printer` });
    }
  }
  const keep = stored !== null && stored.transport === transport;
  const value = <K extends ConnectionField>(field: K): Connection[K] | null =>
    input[field] !== undefined ? (input[field] as Connection[K] | null) : (keep ? stored[field] : null);
  const conn: Connection = { host: null, port: null, path: null, baud_rate: null, vendor_id: null, product_id: null };
  if (transport === 'network') {
    conn.host = value('host');
    conn.port = value('port') ?? DEFAULT_NETWORK_PORT;
    if (!conn.host) issues.push({ field: 'host', message: 'a network printer needs a host (its port defaults to 9100)' });
  } else if (transport === 'serial') {
    conn.path = value('path');
    conn.baud_rate = value('baud_rate') ?? DEFAULT_BAUD_RATE;
    if (!conn.path) issues.push({ field: 'path', message: 'a serial printer needs a path like /dev/ttyUSB0 or COM3 (baud rate defaults to 9600)' });
  } else {
    conn.vendor_id = value('vendor_id');
    conn.product_id = value('product_id');
    conn.path = value('path');
    const ids = conn.vendor_id !== null || conn.product_id !== null;
    if (ids && (conn.vendor_id === null || conn.product_id === null)) {
      issues.push({ field: conn.vendor_id === null ? 'vendor_id' : 'product_id', message: 'a USB printer needs both vendor_id and product_id' });
    }
    if (conn.path !== null && !USB_LP_PATH.test(conn.path)) issues.push({ field: 'path', message: 'a USB printer path looks like /dev/usb/lp0' });
    if (!ids && conn.path === null) issues.push({ field: 'vendor_id', message: 'a USB printer needs vendor_id and product_id, or a path like /dev/usb/lp0' });
  }
  if (issues.length > 0) throw new DomainError('validation-failed', `${issues[0]!.field}: ${issues[0]!.message}.`, issues);
  return conn;
}

export function getPrinterRow(db: Db, tenantId: string, id: string): PrinterRow {
  const row = db.first(qb.selectFrom('printer').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Printer not found.');
  return row;
}

/** The fallback must be another printer of the tenant, and following fallbacks must never come back. */
function checkFallback(db: Db, tenantId: string, printerId: string, fallbackId: string): void {
  const field = 'fallback_printer_id';
  if (fallbackId === printerId) throw new DomainError('validation-failed', `${field}: a printer cannot be its own fallback.`, [{ field, message: 'is this printer' }]);
  const chain = new Map(db.all(qb.selectFrom('printer').select(['id', 'fallback_printer_id']).where('tenant_id', '=', tenantId)).map((p) => [p.id, p.fallback_printer_id]));
  if (!chain.has(fallbackId)) throw invalidReference([{ field, message: 'unknown printer' }]);
  const visited = new Set<string>();
  for (let at: string | null | undefined = fallbackId; at; at = chain.get(at)) {
    if (at === printerId) throw new DomainError('validation-failed', `${field}: this would make a fallback cycle.`, [{ field, message: 'falls back, directly or not, to this printer' }]);
    if (visited.has(at)) break;
    visited.add(at);
  }
}

/** A printer driven from another PC needs a print agent of the tenant that still holds a key. */
export function checkAgentDevice(db: Db, tenantId: string, deviceId: string, field = 'agent_device_id'): void {
  const device = db.first(qb.selectFrom('device').select(['type', 'revoked_at']).where('id', '=', deviceId).where('tenant_id', '=', tenantId));
  if (!device) throw invalidReference([{ field, message: 'unknown device' }]);
  if (device.type !== 'print_agent') throw new DomainError('validation-failed', `${field}: this device is a ${device.type}, not a print agent.`, [{ field, message: 'not a print agent' }]);
  if (device.revoked_at !== null) throw new DomainError('validation-failed', `${field}: this print agent is revoked.`, [{ field, message: 'revoked' }]);
}

export function toPrinterDto(row: PrinterRow): PrinterDto {
  return {
    id: row.id, name: row.name, site: row.site_id, transport: row.transport, host: row.host, port: row.port, path: row.path,
    baud_rate: row.baud_rate, vendor_id: row.vendor_id, product_id: row.product_id,
    profile: parseJsonColumn<Record<string, unknown>>(row.profile, {}), fallback_printer_id: row.fallback_printer_id,
    agent_device_id: row.agent_device_id, status: row.status, online: row.online === null ? null : row.online === 1, paper: row.paper, last_error: row.last_error,
    last_seen_at: row.last_seen_at === null ? null : new Date(row.last_seen_at).toISOString(),
    last_checked_at: row.last_checked_at === null ? null : new Date(row.last_checked_at).toISOString(),
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

export function createPrinter(deps: UseCaseDeps, caller: Caller, body: z.infer<typeof CreatePrinterBody>): PrinterDto {
  const { db } = deps;
  const row = db.tx(() => {
    const id = uuidv7(caller.now);
    const conn = resolveConnection(body.transport, body, null);
    if (body.site) requireSite(db, caller.tenantId, body.site);
    if (body.fallback_printer_id) checkFallback(db, caller.tenantId, id, body.fallback_printer_id);
    if (body.agent_device_id) checkAgentDevice(db, caller.tenantId, body.agent_device_id);
    const row: PrinterRow = {
      id, tenant_id: caller.tenantId, site_id: body.site ?? null, name: body.name, transport: body.transport, ...conn,
      profile: JSON.stringify(body.profile ?? {}), fallback_printer_id: body.fallback_printer_id ?? null, status: 'unknown',
      online: null, paper: 'unknown', last_error: '', last_seen_at: null, last_checked_at: null,
      agent_device_id: body.agent_device_id ?? null,
      created_at: caller.now, updated_at: caller.now,
    };
    db.run(qb.insertInto('printer').values(row));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'printer.created', entity: 'printer', entityId: id, after: row }, caller.now);
    return row;
  });
  return toPrinterDto(row);
}

export function updatePrinter(deps: UseCaseDeps, caller: Caller, id: string, patch: z.infer<typeof UpdatePrinterBody>): PrinterDto {
  const { db } = deps;
  const after = db.tx(() => {
    const before = getPrinterRow(db, caller.tenantId, id);
    const transport = patch.transport ?? before.transport;
    const after: PrinterRow = { ...before, ...resolveConnection(transport, patch, before), transport, updated_at: caller.now };
    if (patch.name !== undefined) after.name = patch.name;
    if (patch.profile !== undefined) after.profile = JSON.stringify(patch.profile);
    if (patch.site) requireSite(db, caller.tenantId, patch.site);
    if (patch.site !== undefined) after.site_id = patch.site;
    if (patch.fallback_printer_id) checkFallback(db, caller.tenantId, id, patch.fallback_printer_id);
    if (patch.fallback_printer_id !== undefined) after.fallback_printer_id = patch.fallback_printer_id;
    if (patch.agent_device_id) checkAgentDevice(db, caller.tenantId, patch.agent_device_id);
    if (patch.agent_device_id !== undefined) after.agent_device_id = patch.agent_device_id;
    const { id: _id, tenant_id: _tenant, created_at: _created, ...changes } = after;
    db.run(qb.updateTable('printer').set(changes).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'printer.updated', entity: 'printer', entityId: id, before, after }, caller.now);
    return after;
  });
  return toPrinterDto(after);
}

/**
 * Refused while a kiosk prints on it, another printer falls back to it, or a job is waiting for it.
 * Its finished print jobs go with it: tickets and the audit log keep the history.
 */
export function deletePrinter(deps: UseCaseDeps, caller: Caller, id: string): void {
  const { db } = deps;
  db.tx(() => {
    const before = getPrinterRow(db, caller.tenantId, id);
    const kiosks = db.all(qb.selectFrom('kiosk').select('name').where('printer_id', '=', id)).map((k) => k.name);
    if (kiosks.length > 0) throw new DomainError('conflict', `Kiosk(s) ${kiosks.map((n) => `"${n}"`).join(', ')} print on this printer. Choose another printer for them first.`);
    const dependants = db.all(qb.selectFrom('printer').select('name').where('fallback_printer_id', '=', id)).map((p) => p.name);
    if (dependants.length > 0) throw new DomainError('conflict', `Printer(s) ${dependants.map((n) => `"${n}"`).join(', ')} fall back to this printer. Change their fallback first.`);
    const pending = db.first(qb.selectFrom('print_job').select((eb) => eb.fn.countAll<number>().as('n')).where('printer_id', '=', id).where('status', 'in', ['pending', 'printing', 'waiting']))?.n ?? 0;
    if (pending > 0) throw new DomainError('conflict', `${pending} print job(s) are still waiting for this printer.`);
    db.run(qb.deleteFrom('print_job').where('printer_id', '=', id));
    db.run(qb.deleteFrom('printer').where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'printer.deleted', entity: 'printer', entityId: id, before }, caller.now);
  });
}
