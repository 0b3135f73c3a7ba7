import express, { type Express, type Request, type Response } from 'express';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import {
  declaredOnly, inMatchOrder, MAX_BODY_BYTES, parseBody, parseInput, parseOr404, securityHeaders,
} from '../../../branch-server/http/app.ts';
import { errorHandler } from '../../../branch-server/http/errors.ts';
import { markRoute, metricsHandler, observeRequests } from '../../../branch-server/http/observability.ts';
import { parseAuthorization } from '../../../branch-server/http/principal.ts';
import { contractRoutes } from '../../../branch-server/http/route-table.ts';
import type { CloudRouteDef, TenantNeed } from '../../protocol/cloud-route.ts';
import { PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../protocol/version.ts';
import type { CloudRole, TenantRow } from '../db/schema.ts';
import type { CloudCtx, CloudDeps, CloudHandler, CloudPrincipal } from './context.ts';

export type CloudBound = Readonly<{ name: string; def: CloudRouteDef; handler: CloudHandler<CloudRouteDef> }>;

export function bindCloud<T extends Record<string, CloudRouteDef>>(
  routes: T,
  handlers: { [K in keyof T]: CloudHandler<T[K]> },
): CloudBound[] {
  return Object.entries(routes).map(([name, def]) => ({
    name,
    def,
    handler: handlers[name as keyof T] as unknown as CloudHandler<CloudRouteDef>,
  }));
}

const ANONYMOUS: CloudPrincipal = { kind: 'anonymous' };

/**
 * The cloud's Express app (no listen): the branch's pipeline — authenticate, authorise, validate,
 * handle, map errors — over PostgreSQL. Stateless: everything a request needs is in the database,
 * so any number of processes can serve the same branches.
 */
export function createCloudApp(
  deps: CloudDeps, routes: readonly CloudBound[], extend?: (app: Express) => void, metricsToken: string | null = null,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  const { logger, metrics } = deps;
  if (logger && metrics) {
    app.locals['logger'] = logger;
    app.use(observeRequests({ logger, forRoute: (method, route) => metrics.forRoute(method, route) }));
    app.get('/metrics', metricsHandler(metrics.registry, metricsToken));
  }
  app.use(securityHeaders);

  // Each route parses its body with its own limit; the route is found through the branch's tree.
  const served = new Map(routes.map((route) => [route, {
    json: express.json({ limit: route.def.maxBodyBytes ?? MAX_BODY_BYTES, strict: true, type: ['application/json', 'application/*+json'] }),
    observed: metrics ? { observer: metrics.forRoute(route.def.method, route.def.path), template: route.def.path } : null,
  }]));
  app.use(contractRoutes(inMatchOrder(routes), (route, req, res, next) => {
    const { json, observed } = served.get(route)!;
    json(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (observed) markRoute(res, observed);
      handle(deps, route, req, res).catch(next);
    });
  }));
  extend?.(app);
  app.use(['/api', '/sync'], (_req, res) => {
    res.status(404).json({ detail: 'Not found.', code: 'not-found' });
  });
  app.use(errorHandler);
  return app;
}

async function handle(deps: CloudDeps, route: CloudBound, req: Request, res: Response): Promise<void> {
  const now = deps.now();
  const { def } = route;
  if (def.path.startsWith('/sync/')) checkProtocol(req);
  const principal = def.access.kind === 'public' ? ANONYMOUS : await resolveCloudPrincipal(deps, req.get('authorization'), now);
  const { tenant, role } = await authorize(deps, def, principal, typeof req.params['slug'] === 'string' ? req.params['slug'] : undefined);

  const params = parseOr404(def.params, req.params);
  const query = parseInput(def.query, declaredOnly(def.query, req.query ?? {}), 'query');
  const body = parseBody(def, req);

  let status: number = def.status ?? 200;
  const ctx = {
    deps, params, query, body, principal, tenant, role, now, req,
    origin: `${req.protocol}://${req.get('host') ?? 'localhost'}`,
    setStatus: (override: number) => {
      status = override;
    },
  } as CloudCtx<CloudRouteDef>;
  const result = await route.handler(ctx);
  if (status === 204) {
    res.status(204).end();
    return;
  }
  res.status(status).json(result);
}

function checkProtocol(req: Request): void {
  const header = req.get(PROTOCOL_HEADER);
  if (header !== String(SYNC_PROTOCOL_VERSION)) {
    throw new DomainError(
      'protocol-unsupported',
      `This cloud speaks sync protocol ${SYNC_PROTOCOL_VERSION}; send it in the ${PROTOCOL_HEADER} header${header ? ` (got ${header})` : ''}.`,
    );
  }
}

/**
 * A bad credential is an error, not anonymity. Device tokens are checked against the device row on
 * every request, so revoking a branch takes effect at once, not when its token expires.
 */
export async function resolveCloudPrincipal(deps: CloudDeps, authorization: string | undefined, now: number): Promise<CloudPrincipal> {
  const { jwt } = parseAuthorization(authorization);
  if (!jwt) return ANONYMOUS;
  const claims = await deps.tokens.verify(jwt, now);
  if (claims.typ === 'device') {
    const device = await deps.cloud.db.selectFrom('device')
      .innerJoin('tenant', 'tenant.id', 'device.tenant_id')
      .select(['device.revoked_at', 'device.tenant_id', 'device.site_id', 'tenant.is_active'])
      .where('device.id', '=', claims.deviceId)
      .executeTakeFirst();
    if (!device || device.tenant_id !== claims.tenantId || device.site_id !== claims.siteId) {
      throw new DomainError('token-invalid', 'Unknown device.');
    }
    if (device.revoked_at !== null) throw new DomainError('device-revoked', 'This branch has been revoked. Enroll it again.');
    if (device.is_active !== 1) throw new DomainError('forbidden', 'This tenant is suspended.');
    return { kind: 'device', deviceId: claims.deviceId, tenantId: claims.tenantId, siteId: claims.siteId };
  }
  const session = await deps.cloud.db.selectFrom('auth_session')
    .innerJoin('app_user', 'app_user.id', 'auth_session.user_id')
    .select(['auth_session.revoked_at', 'auth_session.expires_at', 'app_user.is_active', 'app_user.is_super_admin'])
    .where('auth_session.id', '=', claims.sessionId)
    .where('auth_session.user_id', '=', claims.userId)
    .executeTakeFirst();
  if (!session || session.revoked_at !== null || session.expires_at <= now || session.is_active !== 1) {
    throw new DomainError('token-revoked', 'This session has ended. Sign in again.');
  }
  return { kind: 'user', userId: claims.userId, sessionId: claims.sessionId, isSuperAdmin: session.is_super_admin === 1 };
}

const NEEDS: Readonly<Record<CloudRole, readonly TenantNeed[]>> = {
  admin: ['read', 'manage', 'admin'],
  manager: ['read', 'manage'],
  analyst: ['read'],
  agent: [],
};

async function authorize(
  deps: CloudDeps,
  def: CloudRouteDef,
  principal: CloudPrincipal,
  slug: string | undefined,
): Promise<{ tenant: TenantRow | null; role: CloudRole | 'super' | null }> {
  const access = def.access;
  if (access.kind === 'public') return { tenant: null, role: null };
  if (principal.kind === 'anonymous') throw new DomainError('not-authenticated', 'Authentication credentials were not provided.');
  if (access.kind === 'device') {
    if (principal.kind !== 'device') throw new DomainError('forbidden', 'Only an enrolled branch may call this route.');
    return { tenant: null, role: null };
  }
  if (principal.kind !== 'user') throw new DomainError('forbidden', 'This route is for HQ users.');
  if (access.kind === 'user') return { tenant: null, role: principal.isSuperAdmin ? 'super' : null };
  if (access.kind === 'super') {
    if (!principal.isSuperAdmin) throw new DomainError('forbidden', 'Only a super-admin may do that.');
    return { tenant: null, role: 'super' };
  }
  const tenant = slug
    ? await deps.cloud.db.selectFrom('tenant').selectAll().where('slug', '=', slug).executeTakeFirst()
    : undefined;
  if (principal.isSuperAdmin && tenant) return { tenant, role: 'super' };
  const membership = tenant
    ? await deps.cloud.db.selectFrom('tenant_membership').select('role')
      .where('tenant_id', '=', tenant.id).where('user_id', '=', principal.userId).where('is_active', '=', 1)
      .executeTakeFirst()
    : undefined;
  if (!tenant || tenant.is_active !== 1 || !membership) throw new DomainError('not-a-member', 'You are not a member of this tenant.');
  if (!NEEDS[membership.role].includes(access.need)) {
    throw new DomainError('missing-scope', `This action needs the ${access.need} right; your role is ${membership.role}.`);
  }
  return { tenant, role: membership.role };
}
