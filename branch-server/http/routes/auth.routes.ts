import { authRoutes } from '../../contract/auth.contract.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Handlers } from '../context.ts';
import { describeUser, login, logout, refresh, type Issued } from '../../use-cases/sessions.ts';
import type { AppDeps } from '../context.ts';

function sessionDeps(deps: AppDeps) {
  return { db: deps.db, tokens: deps.tokens, refreshTtlSeconds: deps.config.refreshTtlSeconds };
}

function withUser(deps: AppDeps, issued: Issued) {
  const user = describeUser(deps.db, issued.userId);
  const { userId: _userId, ...tokens } = issued;
  return { ...tokens, user, scopes: user.memberships[0]?.scopes ?? [] };
}

export const authHandlers: Handlers<typeof authRoutes> = {
  async login({ deps, body, actor, now }) {
    const email = body.email.toLowerCase();
    const wait = deps.loginLimiter.retryAfter(email, actor.ip, now);
    if (wait > 0) {
      throw new DomainError('rate-limited', `Too many failed sign-in attempts. Try again in ${wait} s.`, { retry_after: wait });
    }
    try {
      const issued = await login(sessionDeps(deps), { email, password: body.password, ip: actor.ip, userAgent: actor.userAgent }, now);
      deps.loginLimiter.succeed(email);
      return withUser(deps, issued);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid-credentials') deps.loginLimiter.fail(email, actor.ip, now);
      throw error;
    }
  },
  async refresh({ deps, body, now }) {
    return withUser(deps, await refresh(sessionDeps(deps), body.refresh_token, now));
  },
  me({ deps, principal }) {
    if (principal.kind !== 'user') throw new DomainError('forbidden', 'Not a user.');
    return describeUser(deps.db, principal.userId);
  },
  logout({ deps, principal, now }) {
    if (principal.kind === 'user') logout(deps.db, principal.sessionId, now);
    return null;
  },
};
