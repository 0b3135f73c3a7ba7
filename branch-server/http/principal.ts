import { qb, type Db } from '../db/sqlite.ts';
import { DomainError } from '../domain/errors.ts';
import { capabilitiesForDevice, scopesForRole, type DeviceCapability, type Scope } from '../domain/rbac.ts';
import type { TenantRow } from '../db/tables/tenant.table.ts';
import { sha256 } from './secrets.ts';
import type { TokenService } from './tokens.ts';
import { tenantIdForSlugAlias } from '../db/repositories/sync-state.repository.ts';

export type UserPrincipal = Readonly<{ kind: 'user'; userId: string; sessionId: string }>;
export type DevicePrincipal = Readonly<{
  kind: 'device';
  deviceId: string;
  tenantId: string;
  type: 'kiosk' | 'display' | 'print_agent';
  capabilities: readonly DeviceCapability[];
  kioskId: string | null;
  displayId: string | null;
}>;
export type Principal = UserPrincipal | DevicePrincipal | Readonly<{ kind: 'anonymous' }>;

export type Membership = Readonly<{ role: 'admin' | 'manager' | 'agent'; scopes: readonly Scope[] }>;

const ANONYMOUS: Principal = { kind: 'anonymous' };

/**
 * Reads `Authorization: Bearer|Token <jwt>` or `Device <key>` (or the ws query equivalents). A bad
 * credential is an error, not anonymity: a client with an expired token must hear 401, not 403.
 */
export async function resolvePrincipal(
  db: Db,
  tokens: TokenService,
  credential: Readonly<{ jwt?: string | undefined; deviceKey?: string | undefined }>,
  now: number,
): Promise<Principal> {
  if (credential.deviceKey) return resolveDevice(db, credential.deviceKey, now);
  if (!credential.jwt) return ANONYMOUS;
  const claims = await tokens.verify(credential.jwt, now);
  // Raw SQL for the three reads every signed-in request makes (session here, tenant and membership
  // in authorize): building and compiling them with Kysely cost more than SQLite answering them.
  const session = db.raw<{ revoked_at: number | null; expires_at: number; is_active: number }>(
    `SELECT auth_session.revoked_at, auth_session.expires_at, "user".is_active
     FROM auth_session JOIN "user" ON "user".id = auth_session.user_id
     WHERE auth_session.id = ? AND auth_session.user_id = ?`, claims.sessionId, claims.userId,
  )[0];
  if (!session || session.revoked_at !== null || session.expires_at <= now || session.is_active !== 1) {
    throw new DomainError('token-revoked', 'This session has ended. Sign in again.');
  }
  return { kind: 'user', userId: claims.userId, sessionId: claims.sessionId };
}

function resolveDevice(db: Db, key: string, now: number): DevicePrincipal {
  const device = db.first(qb.selectFrom('device').selectAll().where('key_hash', '=', sha256(key)));
  if (!device) throw new DomainError('token-invalid', 'Unknown device key.');
  if (device.revoked_at !== null) throw new DomainError('device-revoked', 'This device has been revoked.');
  // last_seen is refreshed at most once a minute to keep reads read-only on the hot path.
  if (device.last_seen_at === null || now - device.last_seen_at > 60_000) {
    db.run(qb.updateTable('device').set({ last_seen_at: now }).where('id', '=', device.id));
  }
  return {
    kind: 'device',
    deviceId: device.id,
    tenantId: device.tenant_id,
    type: device.type,
    capabilities: capabilitiesForDevice(device.type),
    kioskId: device.kiosk_id,
    displayId: device.display_id,
  };
}

export function parseAuthorization(header: string | undefined): { jwt?: string; deviceKey?: string } {
  if (!header) return {};
  const match = /^(Bearer|Token|Device)\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new DomainError('token-invalid', 'Authorization must be "Bearer <token>", "Token <token>" or "Device <key>".');
  const scheme = (match[1] ?? '').toLowerCase();
  const value = match[2] ?? '';
  return scheme === 'device' ? { deviceKey: value } : { jwt: value };
}

export function findMembership(db: Db, tenantId: string, userId: string): Membership | null {
  const row = db.raw<{ role: Membership['role'] }>(
    'SELECT role FROM tenant_membership WHERE tenant_id = ? AND user_id = ? AND is_active = 1', tenantId, userId,
  )[0];
  return row ? { role: row.role, scopes: scopesForRole(row.role) } : null;
}

/** The active tenant named by a URL's slug, or by a slug it had before enrollment or a rename at HQ. */
export function findTenantBySlug(db: Db, slug: string): TenantRow | undefined {
  const tenant = db.raw<TenantRow>('SELECT * FROM tenant WHERE slug = ? AND is_active = 1', slug)[0];
  if (tenant) return tenant;
  const aliased = tenantIdForSlugAlias(db, slug);
  return aliased ? db.first(qb.selectFrom('tenant').selectAll().where('id', '=', aliased).where('is_active', '=', 1)) : undefined;
}
