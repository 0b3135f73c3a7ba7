import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudRoutes } from '../../../sync/cloud/http/routes/index.ts';
import type { CloudAccess, TenantNeed } from '../../../sync/protocol/cloud-route.ts';
import { PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../../sync/protocol/version.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient, seedSuperAdmin } from '../../helpers/hq.ts';

/**
 * Every cloud route the app serves (`cloudRoutes()`, the defineCloudRoutes maps bound to handlers),
 * called by each kind of caller, against the access the route declares: a denied caller gets 401
 * (anonymous) or 403 before anything is read or validated; an allowed one gets past the check (its
 * answer is then whatever the dummy ids and empty bodies deserve: 200, 400, 404, 409), and nobody
 * gets a 5xx. The per-feature files test what an allowed call does; this one that no route was
 * declared or bound with the wrong door.
 */

type Caller = 'anonymous' | 'super' | 'admin' | 'manager' | 'analyst' | 'otherTenantAdmin' | 'device';
const CALLERS: readonly Caller[] = ['anonymous', 'super', 'admin', 'manager', 'analyst', 'otherTenantAdmin', 'device'];
const ROLE_RIGHTS: Readonly<Record<'admin' | 'manager' | 'analyst', readonly TenantNeed[]>> = {
  admin: ['read', 'manage', 'admin'], manager: ['read', 'manage'], analyst: ['read'],
};

/** 'allowed', or the status a refused caller must get. */
function expected(access: CloudAccess, caller: Caller): 'allowed' | 401 | 403 {
  if (caller === 'anonymous') return access.kind === 'public' ? 'allowed' : 401;
  switch (access.kind) {
    case 'public': return 'allowed';
    case 'device': return caller === 'device' ? 'allowed' : 403;
    case 'user': return caller === 'device' ? 403 : 'allowed';
    case 'super': return caller === 'super' ? 'allowed' : 403;
    case 'tenant':
      if (caller === 'super') return 'allowed';
      if (caller === 'admin' || caller === 'manager' || caller === 'analyst') return ROLE_RIGHTS[caller].includes(access.need) ? 'allowed' : 403;
      return 403;
  }
}

let cloud: TestCloud;
let acme: SeededCloudTenant;
const tokens = new Map<Caller, string>();

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  const globex = await seedCloudTenant(cloud, 'globex');
  const root = await seedSuperAdmin(cloud);
  const admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
  for (const role of ['manager', 'analyst'] as const) {
    expect((await admin.post('/api/v1/tenants/acme/members/', { email: `${role}@acme.test`, password: `${role}-password`, role })).status).toBe(201);
  }
  const signIn = async (email: string, password: string) => (await HqClient.signIn(cloud.url, email, password)).token;
  tokens.set('super', await signIn(root.email, root.password));
  tokens.set('admin', admin.token);
  tokens.set('manager', await signIn('manager@acme.test', 'manager-password'));
  tokens.set('analyst', await signIn('analyst@acme.test', 'analyst-password'));
  tokens.set('otherTenantAdmin', await signIn(globex.adminEmail, globex.adminPassword));
  const device = new RawDevice(cloud.url);
  await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
  await device.signIn();
  tokens.set('device', device.accessToken);
});
afterAll(async () => cloud?.stop());

async function call(method: string, path: string, caller: Caller): Promise<number> {
  const token = tokens.get(caller);
  const withBody = method !== 'get' && method !== 'delete';
  const res = await fetch(`${cloud.url}${path}`, {
    method: method.toUpperCase(),
    headers: {
      [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION),
      ...(withBody ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(withBody ? { body: '{}' } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('RBAC matrix over every cloud route', () => {
  it('lets in exactly the callers each route declares, and refuses the others with 401 or 403', async () => {
    // Signing out ends the caller's session: those calls go last.
    const routes = cloudRoutes().filter((r) => r.def.access.kind !== 'public')
      .sort((a, b) => Number(a.name === 'logout') - Number(b.name === 'logout'));
    expect(routes.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const { name, def } of routes) {
      const path = def.path.replace(':slug', 'acme').replace(/:[a-z_]+/g, () => randomUUID());
      // The callers of one route at once (their sessions are independent).
      const statuses = await Promise.all(CALLERS.map((caller) => call(def.method, path, caller)));
      CALLERS.forEach((caller, i) => {
        const status = statuses[i]!;
        const want = expected(def.access, caller);
        const ok = want === 'allowed' ? status !== 401 && status !== 403 && status < 500 : status === want;
        if (!ok) wrong.push(`${name} (${def.method.toUpperCase()} ${def.path}) as ${caller}: ${status}, expected ${want}`);
      });
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it('declares no tenant route that changes data open to the read right (an analyst never writes)', () => {
    const writesForReaders = cloudRoutes()
      .filter(({ def }) => def.method !== 'get' && def.access.kind === 'tenant' && def.access.need === 'read')
      .map(({ name }) => name);
    expect(writesForReaders).toEqual([]);
  });
});
