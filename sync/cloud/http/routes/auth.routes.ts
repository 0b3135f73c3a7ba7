import { DomainError } from '../../../../branch-server/domain/errors.ts';
import type { hqAuthRoutes } from '../../../protocol/hq-auth.contract.ts';
import { describeHqUser, loginHq, logoutHq, refreshHq, type HqIssued } from '../../use-cases/sessions.ts';
import type { CloudDeps, CloudHandlers } from '../context.ts';

async function withUser(deps: CloudDeps, issued: HqIssued) {
  const user = await describeHqUser(deps, issued.userId);
  const { userId: _userId, ...tokens } = issued;
  return { ...tokens, user, scopes: user.memberships[0]?.rights ?? [] };
}

export const hqAuthHandlers: CloudHandlers<typeof hqAuthRoutes> = {
  async login({ deps, body, req, now }) {
    const email = body.email.toLowerCase();
    const ip = req.ip ?? '';
    const wait = deps.loginLimiter.retryAfter(email, ip, now);
    if (wait > 0) throw new DomainError('rate-limited', `Too many failed sign-in attempts. Try again in ${wait} s.`, { retry_after: wait });
    try {
      const issued = await loginHq(deps, { email, password: body.password, ip, userAgent: req.get('user-agent') ?? '' }, now);
      deps.loginLimiter.succeed(email);
      return withUser(deps, issued);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid-credentials') deps.loginLimiter.fail(email, ip, now);
      throw error;
    }
  },
  async refresh({ deps, body, now }) {
    return withUser(deps, await refreshHq(deps, body.refresh_token, now));
  },
  me({ deps, principal }) {
    if (principal.kind !== 'user') throw new DomainError('forbidden', 'Not an HQ user.');
    return describeHqUser(deps, principal.userId);
  },
  async logout({ deps, principal, now }) {
    if (principal.kind === 'user') await logoutHq(deps, principal.sessionId, now);
    return null;
  },
};
