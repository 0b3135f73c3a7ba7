import type { z } from 'zod';
import type { AgentInputMessage, AgentInputStateMessage } from '../contract/device-agent.contract.ts';
import type { CreateDeviceInputBody, DeviceInputDto, UpdateDeviceInputBody } from '../contract/device-inputs.contract.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';
import { appendAudit, type Actor } from '../db/repositories/audit.repository.ts';
import { invalidReference } from '../db/repositories/device-config.repository.ts';
import { iso, resolvePublicTicket, toTicketDtos } from '../db/repositories/tickets.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { DeviceInputRow } from '../db/tables/device-input.table.ts';
import { DomainError } from '../domain/errors.ts';
import type { DevicePrincipal } from '../http/principal.ts';
import { uuidv7 } from '../ids.ts';
import { checkIn, CHECK_IN_CODE_LENGTH } from './appointments.ts';
import { callNext } from './call-next.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import { normalizeHumanCode } from './human-code.ts';
import { checkAgentDevice } from './printers.ts';

export const DEFAULT_INPUT_BAUD_RATE = 9600;

export function toDeviceInputDto(row: DeviceInputRow): DeviceInputDto {
  return {
    id: row.id, device_id: row.device_id, name: row.name, kind: row.kind, source: row.source, path: row.path, baud_rate: row.baud_rate,
    agent_id: row.agent_user_id, state: row.state, last_error: row.last_error, last_event_at: iso(row.last_event_at),
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

export function listDeviceInputs(db: Db, tenantId: string, deviceId: string): DeviceInputDto[] {
  requireDevice(db, tenantId, deviceId);
  return db.all(qb.selectFrom('device_input').selectAll().where('tenant_id', '=', tenantId).where('device_id', '=', deviceId).orderBy('id')).map(toDeviceInputDto);
}

function requireDevice(db: Db, tenantId: string, deviceId: string): void {
  if (!db.first(qb.selectFrom('device').select('id').where('id', '=', deviceId).where('tenant_id', '=', tenantId))) {
    throw new DomainError('not-found', 'Device not found.');
  }
}

function getInputRow(db: Db, tenantId: string, deviceId: string, inputId: string): DeviceInputRow {
  const row = db.first(qb.selectFrom('device_input').selectAll().where('id', '=', inputId).where('tenant_id', '=', tenantId).where('device_id', '=', deviceId));
  if (!row) throw new DomainError('not-found', 'Input not found.');
  return row;
}

/** The agent must be an active member of the tenant with an agent profile (a counter to call for). */
function checkAgent(db: Db, tenantId: string, userId: string): void {
  const profile = db.first(qb.selectFrom('agent_profile').innerJoin('tenant_membership', (join) => join
    .onRef('tenant_membership.user_id', '=', 'agent_profile.user_id').onRef('tenant_membership.tenant_id', '=', 'agent_profile.tenant_id'))
    .select('agent_profile.id').where('agent_profile.tenant_id', '=', tenantId).where('agent_profile.user_id', '=', userId)
    .where('tenant_membership.is_active', '=', 1));
  if (!profile) throw invalidReference([{ field: 'agent_id', message: 'not an active agent of this tenant' }]);
}

function validate(db: Db, tenantId: string, row: DeviceInputRow): void {
  if (row.kind === 'button' && row.agent_user_id === null) {
    throw new DomainError('validation-failed', 'agent_id: a call button calls the next customer for one agent; say which.', [{ field: 'agent_id', message: 'required for a button' }]);
  }
  if (row.source === 'hid' && row.baud_rate !== null) {
    throw new DomainError('validation-failed', 'baud_rate: a HID device has no baud rate.', [{ field: 'baud_rate', message: 'not used by a HID device' }]);
  }
  if (row.agent_user_id !== null) checkAgent(db, tenantId, row.agent_user_id);
}

function configChanged(deps: UseCaseDeps, caller: Caller, deviceId: string): void {
  deps.events.publish([{ kind: 'device-agent-config', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, deviceId }]);
}

export function createDeviceInput(deps: UseCaseDeps, caller: Caller, deviceId: string, body: z.infer<typeof CreateDeviceInputBody>): DeviceInputDto {
  const { db } = deps;
  const row = db.tx(() => {
    requireDevice(db, caller.tenantId, deviceId);
    checkAgentDevice(db, caller.tenantId, deviceId, 'device');
    const row: DeviceInputRow = {
      id: uuidv7(caller.now), tenant_id: caller.tenantId, device_id: deviceId, name: body.name, kind: body.kind, source: body.source,
      path: body.path, baud_rate: body.source === 'serial' ? body.baud_rate ?? DEFAULT_INPUT_BAUD_RATE : body.baud_rate ?? null,
      agent_user_id: body.agent_id ?? null, state: 'unknown', last_error: '', last_event_at: null, created_at: caller.now, updated_at: caller.now,
    };
    validate(db, caller.tenantId, row);
    db.run(qb.insertInto('device_input').values(row));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'device_input.created', entity: 'device', entityId: deviceId, after: row }, caller.now);
    return row;
  });
  configChanged(deps, caller, deviceId);
  return toDeviceInputDto(row);
}

export function updateDeviceInput(deps: UseCaseDeps, caller: Caller, deviceId: string, inputId: string, patch: z.infer<typeof UpdateDeviceInputBody>): DeviceInputDto {
  const { db } = deps;
  const after = db.tx(() => {
    const before = getInputRow(db, caller.tenantId, deviceId, inputId);
    const source = patch.source ?? before.source;
    const after: DeviceInputRow = {
      ...before,
      name: patch.name ?? before.name,
      kind: patch.kind ?? before.kind,
      source,
      path: patch.path ?? before.path,
      baud_rate: patch.baud_rate !== undefined ? patch.baud_rate : source !== before.source ? (source === 'serial' ? DEFAULT_INPUT_BAUD_RATE : null) : before.baud_rate,
      agent_user_id: patch.agent_id !== undefined ? patch.agent_id : before.agent_user_id,
      state: 'unknown', last_error: '', updated_at: caller.now,
    };
    if (after.source === 'serial') after.baud_rate ??= DEFAULT_INPUT_BAUD_RATE;
    validate(db, caller.tenantId, after);
    const { id: _id, tenant_id: _t, device_id: _d, created_at: _c, ...changes } = after;
    db.run(qb.updateTable('device_input').set(changes).where('id', '=', inputId));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'device_input.updated', entity: 'device', entityId: deviceId, before, after }, caller.now);
    return after;
  });
  configChanged(deps, caller, deviceId);
  return toDeviceInputDto(after);
}

export function deleteDeviceInput(deps: UseCaseDeps, caller: Caller, deviceId: string, inputId: string): void {
  const { db } = deps;
  db.tx(() => {
    const before = getInputRow(db, caller.tenantId, deviceId, inputId);
    db.run(qb.deleteFrom('device_input').where('id', '=', inputId));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'device_input.deleted', entity: 'device', entityId: deviceId, before }, caller.now);
  });
  configChanged(deps, caller, deviceId);
}

/** What the print agent opened, or why it could not (its health in the console). */
export function recordInputState(db: Db, device: DevicePrincipal, message: z.infer<typeof AgentInputStateMessage>, now: number): void {
  db.run(qb.updateTable('device_input').set({ state: message.state, last_error: message.state === 'ok' ? '' : message.detail, updated_at: now })
    .where('id', '=', message.input_id).where('device_id', '=', device.deviceId));
}

export type InputContext = Readonly<{ device: DevicePrincipal; tenantSlug: string; origin: string; now: number }>;
export type InputAnswer = Readonly<{ ok: boolean; code: string | null; detail: string; ticket_number: string | null }>;

/** A ticket's tracking link (`…/t/{public_id}`, the QR on every ticket) or a bare public id. */
const TRACKING = /(?:\/t\/|^)([A-Za-z0-9_-]{16,64})\/?$/;

/**
 * A scanner read something or a button was pressed, on a print agent's PC. A button calls the next
 * customer for its agent. A scan is a check-in code (the appointment becomes a ticket) or a ticket's
 * QR; either way the ticket's record opens at the desk of the scanner's agent. Refusals are answered
 * with the domain error code, as the HTTP API would.
 */
export function handleDeviceInput(deps: UseCaseDeps, ctx: InputContext, message: z.infer<typeof AgentInputMessage>): InputAnswer {
  const { db } = deps;
  const input = db.first(qb.selectFrom('device_input').selectAll().where('id', '=', message.input_id).where('device_id', '=', ctx.device.deviceId));
  if (!input) return refused('not-found', 'This input is not configured for this print agent.');
  db.run(qb.updateTable('device_input').set({ last_event_at: ctx.now }).where('id', '=', input.id));
  const actor: Actor = {
    userId: input.agent_user_id, deviceId: ctx.device.deviceId, ip: '', userAgent: 'print agent',
    endpoint: `device-agent:${input.kind}:${input.id}`,
  };
  const caller: Caller = { tenantId: ctx.device.tenantId, tenantSlug: ctx.tenantSlug, actor, role: input.agent_user_id ? 'agent' : null, now: ctx.now, origin: ctx.origin };
  try {
    if (message.event === 'press') {
      if (input.kind !== 'button' || input.agent_user_id === null) return refused('validation-failed', 'This input is not a call button.');
      const ticket = callNext(deps, caller, input.agent_user_id);
      return { ok: true, code: null, detail: `Called ${ticket.number} to ${ticket.counter || 'the counter'}.`, ticket_number: ticket.number };
    }
    if (input.kind !== 'scanner') return refused('validation-failed', 'This input is not a scanner.');
    const { ticket, checkedIn } = ticketOfScan(deps, caller, ctx, message.text.trim());
    if (input.agent_user_id !== null) {
      deps.events.publish([{
        kind: 'agent-open-ticket', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, agentId: input.agent_user_id, ticket, source: 'scanner', checkedIn,
      }]);
    }
    return { ok: true, code: null, detail: checkedIn ? `Checked in: ticket ${ticket.number}.` : `Ticket ${ticket.number}.`, ticket_number: ticket.number };
  } catch (error) {
    if (error instanceof DomainError) return refused(error.code, error.message);
    throw error;
  }
}

function ticketOfScan(deps: UseCaseDeps, caller: Caller, ctx: InputContext, text: string): { ticket: TicketDto; checkedIn: boolean } {
  const { db } = deps;
  const code = normalizeHumanCode(text, CHECK_IN_CODE_LENGTH);
  if (code !== null) {
    const appointment = db.first(qb.selectFrom('appointment').select(['status', 'ticket_id']).where('tenant_id', '=', caller.tenantId).where('check_in_code', '=', code));
    // Scanned again after check-in: open the ticket it became rather than refuse.
    if (appointment?.status === 'checked_in' && appointment.ticket_id) return { ticket: ticketDto(db, caller, appointment.ticket_id, ctx.now), checkedIn: false };
    const kioskSiteId = ctx.device.kioskId
      ? db.first(qb.selectFrom('kiosk').select('site_id').where('id', '=', ctx.device.kioskId))?.site_id ?? null
      : null;
    const ticket = checkIn(deps, caller, code, { channel: ctx.device.kioskId ? 'kiosk' : 'web', kioskSiteId });
    return { ticket, checkedIn: true };
  }
  const publicId = TRACKING.exec(text)?.[1];
  const row = publicId ? resolvePublicTicket(db, publicId) : undefined;
  if (!row || row.tenant_id !== caller.tenantId) {
    throw new DomainError('invalid-reference', 'Not a check-in code or a ticket of this branch.', [{ field: 'code', message: 'unknown code' }]);
  }
  return { ticket: ticketDto(db, caller, row.id, ctx.now), checkedIn: false };
}

function ticketDto(db: Db, caller: Caller, ticketId: string, now: number): TicketDto {
  const row = db.first(qb.selectFrom('ticket').selectAll().where('id', '=', ticketId).where('tenant_id', '=', caller.tenantId));
  if (!row) throw new DomainError('not-found', 'Ticket not found.');
  return toTicketDtos(db, [row], caller.origin, now)[0]!;
}

function refused(code: string, detail: string): InputAnswer {
  return { ok: false, code, detail, ticket_number: null };
}
