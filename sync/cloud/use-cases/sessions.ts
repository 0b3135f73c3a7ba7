import { DomainError } from '../../../branch-server/domain/errors.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { dummyPasswordHash, verifyPassword } from '../../../branch-server/http/passwords.ts';
import { randomToken, sha256 } from '../../../branch-server/http/secrets.ts';
import type { HqUserDto } from '../../protocol/hq-auth.contract.ts';
import type { CloudRole } from '../db/schema.ts';
import type { CloudDeps } from '../http/context.ts';

export type HqIssued = Readonly<{
  token: string; refresh_token: string; expires_in: number; token_type: 'Bearer'; userId: string;
}>;

const RIGHTS: Readonly<Record<CloudRole, ('read' | 'manage' | 'admin')[]>> = {
  admin: ['read', 'manage', 'admin'],
  manager: ['read', 'manage'],
  analyst: ['read'],
  agent: [],
};

/** The user and their active memberships of active tenants (what the HQ dashboard offers). */
export async function describeHqUser(deps: CloudDeps, userId: string): Promise<HqUserDto> {
  const user = await deps.cloud.db.selectFrom('app_user')
    .select(['id', 'email', 'first_name', 'last_name', 'is_super_admin']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new DomainError('not-authenticated', 'Unknown user.');
  const memberships = await deps.cloud.db.selectFrom('tenant_membership')
    .innerJoin('tenant', 'tenant.id', 'tenant_membership.tenant_id')
    .select(['tenant.slug', 'tenant.name', 'tenant_membership.role'])
    .where('tenant_membership.user_id', '=', userId)
    .where('tenant_membership.is_active', '=', 1)
    .where('tenant.is_active', '=', 1)
    .orderBy('tenant_membership.created_at')
    .execute();
  return {
    id: user.id, email: user.email, first_name: user.first_name, last_name: user.last_name, is_super_admin: user.is_super_admin === 1,
    memberships: memberships.map((m) => ({ tenant: m.slug, tenant_name: m.name, role: m.role, rights: [...RIGHTS[m.role]] })),
  };
}

/** Checks the password (always spending one argon2 verification, known e-mail or not) and opens a session. */
export async function loginHq(
  deps: CloudDeps,
  input: Readonly<{ email: string; password: string; ip: string; userAgent: string }>,
  now: number,
): Promise<HqIssued> {
  const email = input.email.trim().toLowerCase();
  const user = await deps.cloud.db.selectFrom('app_user').select(['id', 'password_hash', 'is_active'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email)).executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok || user.is_active !== 1) throw new DomainError('invalid-credentials', 'Unable to log in with the provided credentials.');
  const sessionId = uuidv7(now);
  const refresh = randomToken('sqr_');
  await deps.cloud.withSystem(async (trx) => {
    await trx.insertInto('auth_session').values({
      id: sessionId, user_id: user.id, refresh_hash: sha256(refresh), created_at: now, refreshed_at: now,
      expires_at: now + deps.config.refreshTtlSeconds * 1000, ip: input.ip.slice(0, 64), user_agent: input.userAgent.slice(0, 512),
    }).execute();
    await trx.updateTable('app_user').set({ last_login_at: now }).where('id', '=', user.id).execute();
  });
  return issue(deps, user.id, sessionId, refresh, now);
}

/**
 * Rotates the refresh token. A token that was already rotated is a replay (stolen, or a confused
 * client): the whole session is revoked so the other copy dies too. The row lock serialises two
 * refreshes with the same token: the second finds it rotated.
 */
export async function refreshHq(deps: CloudDeps, refreshToken: string, now: number): Promise<HqIssued> {
  const presented = sha256(refreshToken);
  const next = randomToken('sqr_');
  const outcome = await deps.cloud.withSystem(async (trx) => {
    const session = await trx.selectFrom('auth_session')
      .innerJoin('app_user', 'app_user.id', 'auth_session.user_id')
      .select(['auth_session.id', 'auth_session.user_id', 'auth_session.revoked_at', 'auth_session.expires_at', 'app_user.is_active'])
      .where('auth_session.refresh_hash', '=', presented).forUpdate('auth_session').executeTakeFirst();
    if (!session) {
      const replayed = await trx.updateTable('auth_session').set({ revoked_at: now })
        .where('previous_refresh_hash', '=', presented).where('revoked_at', 'is', null).returning('id').executeTakeFirst();
      const known = replayed ?? await trx.selectFrom('auth_session').select('id').where('previous_refresh_hash', '=', presented).executeTakeFirst();
      return { error: known ? 'replayed' as const : 'unknown' as const };
    }
    if (session.revoked_at !== null || session.expires_at <= now || session.is_active !== 1) return { error: 'expired' as const };
    await trx.updateTable('auth_session').set({ refresh_hash: sha256(next), previous_refresh_hash: presented, refreshed_at: now })
      .where('id', '=', session.id).execute();
    return { session };
  });
  if ('error' in outcome) {
    if (outcome.error === 'replayed') throw new DomainError('token-revoked', 'This refresh token was already used; the session has been revoked.');
    if (outcome.error === 'expired') throw new DomainError('token-expired', 'This session has ended. Sign in again.');
    throw new DomainError('token-invalid', 'Unknown refresh token.');
  }
  return issue(deps, outcome.session.user_id, outcome.session.id, next, now);
}

export async function logoutHq(deps: CloudDeps, sessionId: string, now: number): Promise<void> {
  await deps.cloud.db.updateTable('auth_session').set({ revoked_at: now }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
}

async function issue(deps: CloudDeps, userId: string, sessionId: string, refreshToken: string, now: number): Promise<HqIssued> {
  const token = await deps.tokens.sign({ typ: 'user', userId, sessionId }, now);
  return { token, refresh_token: refreshToken, expires_in: deps.tokens.userTtlSeconds, token_type: 'Bearer', userId };
}
