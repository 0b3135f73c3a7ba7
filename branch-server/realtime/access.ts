import { qb, type Db } from '../db/sqlite.ts';
import { resolvePublicTicket } from '../db/repositories/tickets.repository.ts';
import { DomainError } from '../domain/errors.ts';
import { capabilitiesForDevice, hasCapability, hasScope, type Scope } from '../domain/rbac.ts';
import { findMembership, findTenantBySlug, type Principal } from '../http/principal.ts';
import type { TenantRow } from '../db/tables/tenant.table.ts';
import type { ChannelRequest } from './paths.ts';

/** An authorised subscription: what the connection may follow. */
export type ChannelTarget =
  | Readonly<{ kind: 'queue'; tenantId: string; queueId: string; redacted: boolean }>
  | Readonly<{ kind: 'agent'; tenantId: string; agentId: string }>
  | Readonly<{ kind: 'display'; tenantId: string; displayId: string }>
  | Readonly<{ kind: 'public'; publicId: string }>;

/**
 * Decides whether `principal` may open the channel, in the HTTP pipeline's order: credentials (401),
 * then tenant membership / scope / device capability (403), then the resource inside that tenant (404),
 * so an outsider learns nothing about what exists. Synchronous: it runs again on every heartbeat.
 */
export function authoriseChannel(db: Db, request: ChannelRequest, principal: Principal): ChannelTarget {
  if (request.kind === 'public') {
    if (!resolvePublicTicket(db, request.publicId)) throw new DomainError('not-found', 'Ticket not found.');
    return { kind: 'public', publicId: request.publicId };
  }
  if (principal.kind === 'anonymous') throw new DomainError('not-authenticated', 'Authentication credentials were not provided.');
  const tenant = findTenantBySlug(db, request.slug);

  switch (request.kind) {
    case 'queue': {
      let redacted = false;
      if (principal.kind === 'device') {
        assertDeviceTenant(principal.tenantId, tenant);
        const caps = principal.capabilities;
        if (!hasCapability(caps, 'read-display') && !hasCapability(caps, 'list-services')) {
          throw new DomainError('forbidden', 'This device may not follow queues.');
        }
        redacted = true;
      } else {
        assertMemberScope(db, principal.userId, tenant, 'read:queue');
      }
      const queue = db.first(qb.selectFrom('queue').select('id').where('id', '=', request.queueId).where('tenant_id', '=', tenant!.id));
      if (!queue) throw new DomainError('not-found', 'Queue not found.');
      return { kind: 'queue', tenantId: tenant!.id, queueId: queue.id, redacted };
    }
    case 'agent': {
      if (principal.kind === 'device') throw new DomainError('forbidden', 'Devices may not follow agents.');
      const membership = tenant ? findMembership(db, tenant.id, principal.userId) : null;
      if (!tenant || !membership) throw new DomainError('not-a-member', 'You are not a member of this tenant.');
      if (principal.userId !== request.agentId && !hasScope(membership.scopes, 'read:agent')) {
        throw new DomainError('missing-scope', 'Following another agent needs the read:agent scope.');
      }
      const profile = db.first(qb.selectFrom('agent_profile').select('user_id').where('tenant_id', '=', tenant.id).where('user_id', '=', request.agentId));
      if (!profile) throw new DomainError('not-found', 'Agent not found.');
      return { kind: 'agent', tenantId: tenant.id, agentId: profile.user_id };
    }
    case 'display': {
      if (principal.kind === 'device') {
        assertDeviceTenant(principal.tenantId, tenant);
        if (principal.type !== 'display' || principal.displayId !== request.displayId) {
          throw new DomainError('forbidden', 'This device may only open its own display channel.');
        }
      } else {
        assertMemberScope(db, principal.userId, tenant, 'read:queue');
      }
      const display = db.first(qb.selectFrom('display').select('id').where('id', '=', request.displayId).where('tenant_id', '=', tenant!.id));
      if (!display) throw new DomainError('not-found', 'Display not found.');
      return { kind: 'display', tenantId: tenant!.id, displayId: display.id };
    }
  }
}

function assertDeviceTenant(deviceTenantId: string, tenant: TenantRow | undefined): asserts tenant is TenantRow {
  if (!tenant || tenant.id !== deviceTenantId) throw new DomainError('not-a-member', 'This device belongs to another tenant.');
}

function assertMemberScope(db: Db, userId: string, tenant: TenantRow | undefined, scope: Scope): asserts tenant is TenantRow {
  const membership = tenant ? findMembership(db, tenant.id, userId) : null;
  if (!tenant || !membership) throw new DomainError('not-a-member', 'You are not a member of this tenant.');
  if (!hasScope(membership.scopes, scope)) throw new DomainError('missing-scope', `This channel needs the ${scope} scope.`);
}

/**
 * The principal as it stands now, without re-verifying the (short-lived) access token: a ws opened
 * with a valid token stays open while its session lives, and closes once the session is revoked or
 * expires, the user is deactivated or the device key revoked (or rebound to another display).
 */
export function refreshPrincipal(db: Db, principal: Principal, now: number): Principal {
  if (principal.kind === 'anonymous') return principal;
  if (principal.kind === 'user') {
    const session = db.first(
      qb.selectFrom('auth_session').innerJoin('user', 'user.id', 'auth_session.user_id')
        .select(['auth_session.revoked_at', 'auth_session.expires_at', 'user.is_active'])
        .where('auth_session.id', '=', principal.sessionId).where('auth_session.user_id', '=', principal.userId),
    );
    if (!session || session.revoked_at !== null || session.expires_at <= now || session.is_active !== 1) {
      throw new DomainError('token-revoked', 'This session has ended. Sign in again.');
    }
    return principal;
  }
  const device = db.first(qb.selectFrom('device').select(['tenant_id', 'type', 'kiosk_id', 'display_id', 'revoked_at']).where('id', '=', principal.deviceId));
  if (!device || device.revoked_at !== null) throw new DomainError('device-revoked', 'This device has been revoked.');
  return {
    kind: 'device', deviceId: principal.deviceId, tenantId: device.tenant_id, type: device.type,
    capabilities: capabilitiesForDevice(device.type), kioskId: device.kiosk_id, displayId: device.display_id,
  };
}
