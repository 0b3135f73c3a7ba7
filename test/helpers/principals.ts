import { randomBytes, randomUUID } from 'node:crypto';
import { qb } from '../../branch-server/db/sqlite.ts';
import type { DeviceType } from '../../branch-server/domain/rbac.ts';
import { sha256 } from '../../branch-server/http/secrets.ts';
import type { TestServer } from './server.ts';

/**
 * Credentials made directly in the database, without the login or pairing routes: cheap enough to
 * use a fresh one per request, so a route that ends a session or a device cannot spoil later requests.
 */

/** Opens a session for the user and returns `Authorization: Bearer <jwt>`. */
export async function userAuthorization(t: TestServer, userId: string): Promise<Record<string, string>> {
  const { db, tokens } = t.server.deps;
  const now = Date.now();
  const sessionId = randomUUID();
  db.run(qb.insertInto('auth_session').values({
    id: sessionId, user_id: userId, refresh_hash: sha256(randomUUID()), previous_refresh_hash: null,
    created_at: now, refreshed_at: now, expires_at: now + 3_600_000, revoked_at: null,
  }));
  return { authorization: `Bearer ${await tokens.sign({ userId, sessionId }, now)}` };
}

/** Inserts a paired (or revoked) device row, `key_hash = sha256(key)`, and returns `Authorization: Device <key>`. */
export function deviceAuthorization(
  t: TestServer,
  device: Readonly<{ tenantId: string; type: DeviceType; revoked?: boolean }>,
): Record<string, string> {
  const now = Date.now();
  const key = `sqd_${randomBytes(24).toString('base64url')}`;
  t.server.deps.db.run(qb.insertInto('device').values({
    id: randomUUID(), tenant_id: device.tenantId, type: device.type, name: `test ${device.type}`,
    kiosk_id: null, display_id: null, pairing_code_hash: null, pairing_expires_at: null, key_hash: sha256(key),
    paired_at: now, revoked_at: device.revoked ? now : null, last_seen_at: null, created_by: null, created_at: now, updated_at: now,
  }));
  return { authorization: `Device ${key}` };
}

export function userIdByEmail(t: TestServer, email: string): string {
  const user = t.server.deps.db.first(qb.selectFrom('user').select('id').where('email', '=', email));
  if (!user) throw new Error(`no user ${email}`);
  return user.id;
}
