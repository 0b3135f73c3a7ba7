import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDef } from '../../../branch-server/contract/route.ts';
import { capabilitiesForDevice, scopesForRole, type DeviceType, type Role } from '../../../branch-server/domain/rbac.ts';
import { inMatchOrder } from '../../../branch-server/http/app.ts';
import { allRoutes } from '../../../branch-server/http/routes/index.ts';
import { createTenant } from '../../../branch-server/use-cases/create-tenant.ts';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { deviceAuthorization, userAuthorization, userIdByEmail } from '../../helpers/principals.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

/**
 * Every route × every kind of caller, the expected outcome derived from the route's `access`
 * declaration and `domain/rbac.ts`. Requests carry dummy ids and `{}` bodies: an allowed caller may
 * well get 400 or 404, the point is that authorisation lets it through (and nothing answers 5xx).
 */

type Principal =
  | Readonly<{ name: string; kind: 'anonymous' }>
  | Readonly<{ name: string; kind: 'user'; role: Role; ownTenant: boolean }>
  | Readonly<{ name: string; kind: 'device'; type: DeviceType; ownTenant: boolean; revoked: boolean }>;

const PRINCIPALS: readonly Principal[] = [
  { name: 'anonymous', kind: 'anonymous' },
  { name: 'admin', kind: 'user', role: 'admin', ownTenant: true },
  { name: 'manager', kind: 'user', role: 'manager', ownTenant: true },
  { name: 'agent', kind: 'user', role: 'agent', ownTenant: true },
  { name: 'admin of another tenant', kind: 'user', role: 'admin', ownTenant: false },
  { name: 'kiosk device', kind: 'device', type: 'kiosk', ownTenant: true, revoked: false },
  { name: 'display device', kind: 'device', type: 'display', ownTenant: true, revoked: false },
  { name: 'kiosk of another tenant', kind: 'device', type: 'kiosk', ownTenant: false, revoked: false },
  { name: 'revoked kiosk', kind: 'device', type: 'kiosk', ownTenant: true, revoked: true },
];

type Expected = Readonly<{ allowed: true }> | Readonly<{ allowed: false; status: 401 | 403; code: string }>;
const ALLOWED: Expected = { allowed: true };
const deny = (status: 401 | 403, code: string): Expected => ({ allowed: false, status, code });

/**
 * Public routes never look at credentials (a kiosk holding a revoked key must still be able to pair
 * again); everywhere else a presented credential is checked first: a revoked key is refused, never
 * treated as anonymous.
 */
/**
 * Routes about the branch itself (no tenant in the URL): any signed-in user reaches the handler,
 * which lets in only admins and managers of the tenant this branch syncs for.
 */
const BRANCH_STAFF_ROUTES = new Set(['/api/v1/sync/status/', '/api/v1/backups/']);
/** Same, for its admins only (POST with an empty body reaches the handler). */
const BRANCH_ADMIN_ROUTES = new Set(['post /api/v1/backups/']);

function expectedOutcome(def: RouteDef, p: Principal): Expected {
  if (def.access.kind === 'public') return ALLOWED;
  if (BRANCH_ADMIN_ROUTES.has(`${def.method} ${def.path}`) && p.kind === 'user') {
    if (!p.ownTenant) return deny(403, 'not-a-member');
    return p.role === 'admin' ? ALLOWED : deny(403, 'missing-scope');
  }
  if (BRANCH_STAFF_ROUTES.has(def.path) && def.method === 'get' && p.kind === 'user') {
    if (!p.ownTenant) return deny(403, 'not-a-member');
    return p.role === 'agent' ? deny(403, 'missing-scope') : ALLOWED;
  }
  if (p.kind === 'device' && p.revoked) return deny(401, 'device-revoked');
  const access = def.access;
  if (p.kind === 'anonymous') return deny(401, 'not-authenticated');
  if (access.kind === 'user') return p.kind === 'user' ? ALLOWED : deny(403, 'forbidden');
  if (!p.ownTenant) return deny(403, 'not-a-member');
  if (p.kind === 'device') {
    return access.device && capabilitiesForDevice(p.type).includes(access.device) ? ALLOWED : deny(403, 'forbidden');
  }
  if (access.devicesOnly) return deny(403, 'forbidden');
  if (access.scope && !scopesForRole(p.role).includes(access.scope)) return deny(403, 'missing-scope');
  return ALLOWED;
}

const routes = allRoutes();
const cases = routes.length * PRINCIPALS.length;

describe(`RBAC matrix: ${routes.length} routes × ${PRINCIPALS.length} principals = ${cases} cases`, () => {
  let t: TestServer;
  let home: DemoTenant;
  let managerId: string;
  let foreign: { tenantId: string; adminUserId: string };

  beforeAll(async () => {
    t = await startTestServer();
    home = await seedDemoTenant(t, 'rbac-home');
    foreign = await createTenant(t.server.deps.db, {
      name: 'Other', slug: 'rbac-other', adminEmail: 'admin@rbac-other.com', adminPassword: 'other-password-1', withDemoData: false,
    }, Date.now());
    const now = Date.now();
    managerId = randomUUID();
    t.server.deps.db.tx(() => {
      t.server.deps.db.run(qb.insertInto('user').values({
        id: managerId, email: 'manager@rbac-home.com', password_hash: 'unused', created_at: now, updated_at: now,
      }));
      t.server.deps.db.run(qb.insertInto('tenant_membership').values({
        id: randomUUID(), tenant_id: home.tenantId, user_id: managerId, role: 'manager', created_at: now, updated_at: now,
      }));
    });
  });
  afterAll(() => t.close());

  /** Fresh credentials per request, so a route that ends a session or a device cannot spoil the rest. */
  async function authorization(p: Principal): Promise<Record<string, string>> {
    if (p.kind === 'anonymous') return {};
    if (p.kind === 'device') {
      return deviceAuthorization(t, { tenantId: p.ownTenant ? home.tenantId : foreign.tenantId, type: p.type, revoked: p.revoked });
    }
    const userId = !p.ownTenant ? foreign.adminUserId
      : p.role === 'manager' ? managerId
      : p.role === 'agent' ? home.demo.agents[0]!.userId
      : userIdByEmail(t, home.adminEmail);
    return userAuthorization(t, userId);
  }

  it('names the tenant in the path of every tenant-scoped route (membership is checked against :slug)', () => {
    const withoutSlug = routes.filter((r) => r.def.access.kind === 'tenant' && !r.def.path.includes('/:slug/')).map((r) => r.name);
    expect(withoutSlug).toEqual([]);
  });

  it('registers routes so that none is shadowed by an earlier one (a :param never swallows a literal sibling)', () => {
    const ordered = inMatchOrder(routes);
    const pattern = (path: string) => new RegExp(`^${path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`);
    const sample = (path: string) => path.replace(/:[A-Za-z0-9_]+/g, randomUUID());
    const shadowed: string[] = [];
    ordered.forEach((route, i) => {
      const url = sample(route.def.path);
      const first = ordered.slice(0, i).find((r) => r.def.method === route.def.method && pattern(r.def.path).test(url));
      if (first) shadowed.push(`${route.name} (${route.def.method} ${route.def.path}) is answered by ${first.name} (${first.def.path})`);
    });
    expect(shadowed).toEqual([]);
  });

  for (const route of routes) {
    const { def } = route;
    it(`${def.method.toUpperCase()} ${def.path} (${route.name}) lets in exactly who its access allows`, async () => {
      const path = def.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => (name === 'slug' ? home.slug : randomUUID()));
      const mismatches: string[] = [];
      for (const principal of PRINCIPALS) {
        const expected = expectedOutcome(def, principal);
        const sendsBody = def.method !== 'get' && def.method !== 'delete';
        const res = await t.api(def.method.toUpperCase(), path, {
          headers: await authorization(principal), ...(sendsBody ? { body: {} } : {}),
        });
        const got = `${res.status} ${JSON.stringify(res.body)?.slice(0, 160)}`;
        if (res.status >= 500) mismatches.push(`${principal.name}: server error ${got}`);
        else if (expected.allowed && (res.status === 401 || res.status === 403)) {
          mismatches.push(`${principal.name}: expected to be let in, got ${got}`);
        } else if (!expected.allowed && (res.status !== expected.status || res.body?.code !== expected.code || typeof res.body?.detail !== 'string')) {
          mismatches.push(`${principal.name}: expected ${expected.status} ${expected.code}, got ${got}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
