import { qb, type Db } from '../db/sqlite.ts';
import { DomainError } from '../domain/errors.ts';
import { scopesForRole } from '../domain/rbac.ts';
import { uuidv7 } from '../ids.ts';
import { dummyPasswordHash, verifyPassword } from '../http/passwords.ts';
import { randomToken, sha256 } from '../http/secrets.ts';
import type { TokenService } from '../http/tokens.ts';
import type { UserRow } from '../db/tables/user.table.ts';

export type SessionDeps = Readonly<{ db: Db; tokens: TokenService; refreshTtlSeconds: number }>;
export type Issued = Readonly<{ token: string; refresh_token: string; expires_in: number; token_type: 'Bearer'; userId: string }>;

export type UserView = Readonly<{
  id: string; email: string; first_name: string; last_name: string;
  memberships: { tenant: string; tenant_name: string; role: 'admin' | 'manager' | 'agent'; scopes: string[] }[];
}>;

export function describeUser(db: Db, userId: string): UserView {
  const user = db.first(qb.selectFrom('user').select(['id', 'email', 'first_name', 'last_name']).where('id', '=', userId));
  if (!user) throw new DomainError('not-authenticated', 'Unknown user.');
  const memberships = db.all(
    qb.selectFrom('tenant_membership')
      .innerJoin('tenant', 'tenant.id', 'tenant_membership.tenant_id')
      .select(['tenant.slug', 'tenant.name', 'tenant_membership.role'])
      .where('tenant_membership.user_id', '=', userId)
      .where('tenant_membership.is_active', '=', 1)
      .where('tenant.is_active', '=', 1)
      .orderBy('tenant_membership.created_at'),
  );
  return {
    ...user,
    memberships: memberships.map((m) => ({ tenant: m.slug, tenant_name: m.name, role: m.role, scopes: [...scopesForRole(m.role)] })),
  };
}

/** Checks the password (always spending an argon2 verification) and opens a session. */
export async function login(
  deps: SessionDeps,
  input: Readonly<{ email: string; password: string; ip: string; userAgent: string }>,
  now: number,
): Promise<Issued> {
  const user: UserRow | undefined = deps.db.first(qb.selectFrom('user').selectAll().where('email', '=', input.email.toLowerCase()));
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok || user.is_active !== 1) {
    throw new DomainError('invalid-credentials', 'Unable to log in with the provided credentials.');
  }
  const sessionId = uuidv7(now);
  const refresh = randomToken('sqr_');
  deps.db.tx(() => {
    deps.db.run(qb.insertInto('auth_session').values({
      id: sessionId, user_id: user.id, refresh_hash: sha256(refresh), previous_refresh_hash: null,
      created_at: now, refreshed_at: now, expires_at: now + deps.refreshTtlSeconds * 1000, revoked_at: null,
      ip: input.ip, user_agent: input.userAgent.slice(0, 512),
    }));
    deps.db.run(qb.updateTable('user').set({ last_login_at: now }).where('id', '=', user.id));
  });
  return issue(deps, user.id, sessionId, refresh, now);
}

/**
 * Rotates the refresh token. A refresh token that was already rotated is a replay (stolen token or a
 * confused client): the whole session is revoked, so the thief's copy dies with it.
 */
export async function refresh(deps: SessionDeps, refreshToken: string, now: number): Promise<Issued> {
  const presented = sha256(refreshToken);
  const next = randomToken('sqr_');
  const outcome = deps.db.tx(() => {
    const session = deps.db.first(qb.selectFrom('auth_session').selectAll().where('refresh_hash', '=', presented));
    if (!session) {
      const replayed = deps.db.first(qb.selectFrom('auth_session').select('id').where('previous_refresh_hash', '=', presented));
      if (replayed) {
        deps.db.run(qb.updateTable('auth_session').set({ revoked_at: now }).where('id', '=', replayed.id).where('revoked_at', 'is', null));
        return { error: 'replayed' as const };
      }
      return { error: 'unknown' as const };
    }
    if (session.revoked_at !== null || session.expires_at <= now) return { error: 'expired' as const };
    deps.db.run(qb.updateTable('auth_session')
      .set({ refresh_hash: sha256(next), previous_refresh_hash: presented, refreshed_at: now })
      .where('id', '=', session.id));
    return { session };
  });
  if ('error' in outcome) {
    if (outcome.error === 'replayed') throw new DomainError('token-revoked', 'This refresh token was already used; the session has been revoked.');
    if (outcome.error === 'expired') throw new DomainError('token-expired', 'This session has ended. Sign in again.');
    throw new DomainError('token-invalid', 'Unknown refresh token.');
  }
  return issue(deps, outcome.session.user_id, outcome.session.id, next, now);
}

export function logout(db: Db, sessionId: string, now: number): void {
  db.run(qb.updateTable('auth_session').set({ revoked_at: now }).where('id', '=', sessionId).where('revoked_at', 'is', null));
}

async function issue(deps: SessionDeps, userId: string, sessionId: string, refreshToken: string, now: number): Promise<Issued> {
  const token = await deps.tokens.sign({ userId, sessionId }, now);
  return { token, refresh_token: refreshToken, expires_in: deps.tokens.ttlSeconds, token_type: 'Bearer', userId };
}
