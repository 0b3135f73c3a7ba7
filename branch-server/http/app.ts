import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { RouteDef } from '../contract/route.ts';
import { DomainError } from '../domain/errors.ts';
import { hasScope } from '../domain/rbac.ts';
import type { Actor } from '../db/repositories/audit.repository.ts';
import { getSyncState } from '../db/repositories/sync-state.repository.ts';
import type { AppDeps, Ctx, Handler } from './context.ts';
import { describeZodError, errorHandler } from './errors.ts';
import { markRoute, observeRequests } from './observability.ts';
import { contractRoutes } from './route-table.ts';
import {
  findMembership, findTenantBySlug, parseAuthorization, resolvePrincipal, type Membership, type Principal,
} from './principal.ts';
import type { TenantRow } from '../db/tables/tenant.table.ts';

const ANONYMOUS: Principal = { kind: 'anonymous' };

export const MAX_BODY_BYTES = 100 * 1024;
/** No request needs more; see `nestedDeeperThan`. */
export const MAX_BODY_DEPTH = 32;

/** A contract route paired with its implementation. */
export type Bound = Readonly<{ name: string; def: RouteDef; handler: Handler<RouteDef> }>;

export function bind<T extends Record<string, RouteDef>>(
  routes: T,
  handlers: { [K in keyof T]: Handler<T[K]> },
): Bound[] {
  return Object.entries(routes).map(([name, def]) => ({
    name,
    def,
    handler: handlers[name as keyof T] as unknown as Handler<RouteDef>,
  }));
}

/**
 * Builds the Express app (no listen). Every route goes through the same pipeline: authenticate,
 * check tenant membership and scope, validate params/query/body with the contract's zod schemas,
 * run the handler, map errors. Authorisation is decided before validation, so an outsider learns
 * nothing from error messages.
 */
export function createApp(
  deps: AppDeps,
  routes: readonly Bound[],
  extend?: (app: Express, routes: readonly Bound[]) => void,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.locals['logger'] = deps.logger;
  app.use(observeRequests({ logger: deps.logger, forRoute: (method, route) => deps.metrics.forRoute(method, route) }));
  app.use(securityHeaders);
  app.use(express.json({ limit: MAX_BODY_BYTES, strict: true, type: ['application/json', 'application/*+json'] }));

  // One middleware finds the contract's route in a tree (http/route-table.ts) instead of Express
  // trying each of its ~200 routes in turn.
  const observers = new Map(routes.map((route) => [route, { observer: deps.metrics.forRoute(route.def.method, route.def.path), template: route.def.path }]));
  app.use(contractRoutes(inMatchOrder(routes), (route, req, res, next) => {
    markRoute(res, observers.get(route)!);
    handle(deps, route, req, res).catch(next);
  }));

  extend?.(app, routes);

  app.use('/api', (_req, res) => {
    res.status(404).json({ detail: 'Not found.', code: 'not-found' });
  });
  app.use(errorHandler);
  return app;
}

/**
 * Express answers with the first registered route that matches, so `GET tickets/:id/` registered
 * before `GET tickets/appointments/` would swallow it (and answer 404). Routes are registered most
 * specific first: paths are ordered segment by segment, a literal before a `:param`, which puts the
 * literal first wherever two paths could match the same URL.
 */
export function inMatchOrder<T extends Readonly<{ def: Readonly<{ path: string }> }>>(routes: readonly T[]): T[] {
  return [...routes].sort((a, b) => compareSpecificity(a.def.path, b.def.path));
}

function compareSpecificity(a: string, b: string): number {
  const sa = a.split('/');
  const sb = b.split('/');
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i]!;
    const y = sb[i]!;
    const px = x.startsWith(':');
    const py = y.startsWith(':');
    if (px !== py) return px ? 1 : -1;
    if (!px && x !== y) return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  next();
}

async function handle(deps: AppDeps, route: Bound, req: Request, res: Response): Promise<void> {
  const now = deps.now();
  const { def } = route;
  // Public routes never look at credentials: a kiosk holding a stale key must still be able to pair again.
  const principal: Principal = def.access.kind === 'public'
    ? ANONYMOUS
    : await resolvePrincipal(deps.db, deps.tokens, parseAuthorization(req.get('authorization')), now);
  const { tenant, membership } = authorize(deps, def, principal, typeof req.params['slug'] === 'string' ? req.params['slug'] : undefined);
  if (def.hqOwned && tenant && tenant.id === getSyncState(deps.db, 'tenant_id')) {
    throw new DomainError('conflict', 'This branch is managed by HQ: make this change in the HQ console; it reaches the branch with the next sync.');
  }

  const params = parseOr404(def.params, req.params);
  const query = parseInput(def.query, declaredOnly(def.query, req.query ?? {}), 'query');
  const body = parseBody(def, req);

  let status: number = def.status ?? 200;
  const ctx: Ctx<RouteDef> = {
    deps, params, query, body, principal, tenant, membership, now,
    actor: actorOf(req, principal),
    origin: deps.config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`,
    req,
    setStatus: (override: number) => {
      status = override;
    },
  } as Ctx<RouteDef>;
  const result = await route.handler(ctx);
  if (status === 204) {
    res.status(204).end();
    return;
  }
  res.status(status).json(result);
}

function authorize(
  deps: AppDeps,
  def: RouteDef,
  principal: Principal,
  slug: string | undefined,
): { tenant: TenantRow | null; membership: Membership | null } {
  const access = def.access;
  if (access.kind === 'public') return { tenant: null, membership: null };
  if (principal.kind === 'anonymous') {
    throw new DomainError('not-authenticated', 'Authentication credentials were not provided.');
  }
  if (access.kind === 'user') {
    if (principal.kind !== 'user') throw new DomainError('forbidden', 'This route is for signed-in users.');
    return { tenant: null, membership: null };
  }
  const tenant = slug ? findTenantBySlug(deps.db, slug) : undefined;
  if (principal.kind === 'device') {
    if (!tenant || tenant.id !== principal.tenantId) throw new DomainError('not-a-member', 'This device belongs to another tenant.');
    if (!access.device || !principal.capabilities.includes(access.device)) {
      throw new DomainError('forbidden', 'This device may not do that.');
    }
    return { tenant, membership: null };
  }
  if (access.devicesOnly) throw new DomainError('forbidden', 'Only a paired device may call this route.');
  const membership = tenant ? findMembership(deps.db, tenant.id, principal.userId) : null;
  if (!tenant || !membership) throw new DomainError('not-a-member', 'You are not a member of this tenant.');
  if (access.scope && !hasScope(membership.scopes, access.scope)) {
    throw new DomainError('missing-scope', `This action needs the ${access.scope} scope.`);
  }
  return { tenant, membership };
}

export function parseOr404(schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return {};
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new DomainError('not-found', 'Not found.');
  return parsed.data;
}

/**
 * Query strings keep only the parameters the route declares, as SmartQueue v1 (Django REST framework)
 * did: clients add things like `?format=json` or cache busters, and those must not turn into 400s.
 * Declared parameters are still validated strictly.
 */
export function declaredOnly(schema: z.ZodType | undefined, query: Record<string, unknown>): Record<string, unknown> {
  if (!(schema instanceof z.ZodObject)) return query;
  const known = new Set(Object.keys(schema.shape));
  return Object.fromEntries(Object.entries(query).filter(([key]) => known.has(key)));
}

export function parseInput(schema: z.ZodType | undefined, value: unknown, where: 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const { message, details } = describeZodError(parsed.error, where === 'query' ? '(query)' : '(body)', value);
    throw new DomainError('validation-failed', where === 'query' ? `Query ${message}` : message, details);
  }
  return parsed.data;
}

export function parseBody(def: Readonly<{ body?: z.ZodType | undefined }>, req: Request): unknown {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    throw new DomainError('unsupported-media-type', 'Send the body as application/json.');
  }
  if (!def.body) return undefined;
  const raw: unknown = req.body === undefined ? {} : req.body;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DomainError('validation-failed', 'The body must be a JSON object.');
  }
  if (nestedDeeperThan(raw, MAX_BODY_DEPTH)) {
    throw new DomainError('validation-failed', `The body is nested too deeply (at most ${MAX_BODY_DEPTH} levels).`);
  }
  return parseInput(def.body, raw, 'body');
}

/**
 * 100 KiB of `[[[[…]]]]` parses fine but overflows the stack of any recursive walk afterwards
 * (JSON.stringify of a free-form `metadata` object, for one): depth is checked here, without recursion.
 */
function nestedDeeperThan(value: object, limit: number): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1 });
  }
  return false;
}

export function actorOf(req: Request, principal: Principal): Actor {
  return {
    userId: principal.kind === 'user' ? principal.userId : null,
    deviceId: principal.kind === 'device' ? principal.deviceId : null,
    ip: req.ip ?? req.socket.remoteAddress ?? '',
    userAgent: req.get('user-agent') ?? '',
    endpoint: `${req.method} ${req.path}`,
  };
}
