import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DetailBody, ErrorBody } from '../../../branch-server/contract/common.ts';
import type { RouteDef } from '../../../branch-server/contract/route.ts';
import type { Db } from '../../../branch-server/db/sqlite.ts';
import { capabilitiesForDevice, DEVICE_TYPES } from '../../../branch-server/domain/rbac.ts';
import type { Bound } from '../../../branch-server/http/app.ts';
import { allRoutes } from '../../../branch-server/http/routes/index.ts';
import { deviceAuthorization, userAuthorization } from '../../helpers/principals.ts';
import { seedDemoTenant, startTestServer, type ApiResponse, type DemoTenant, type TestServer } from '../../helpers/server.ts';

/**
 * "Bad input always gets a clear 4xx and changes nothing": every route with a body gets random
 * garbage, malformed JSON, wrong content types and an oversized body; every route with ids in its
 * URL gets garbage ids, unknown ids and another tenant's real ids; list filters get bad values.
 */

type Json = Record<string, any>;

const routes = allRoutes();
const bodyRoutes = routes.filter((r) => r.def.body);
const idRoutes = routes.filter((r) => paramNames(r.def).some((p) => p !== 'slug'));
const queryRoutes = routes.filter((r) => r.def.query);

/**
 * Rows that legitimately change on any authenticated request, or in the background: event_cursor is
 * how far the notifier and the webhook dispatcher have read the journal (setup's tickets move it).
 */
const VOLATILE_TABLES = new Set(['auth_session', 'event_cursor']);
const VOLATILE_COLUMNS: Readonly<Record<string, readonly string[]>> = { device: ['last_seen_at'] };

/** Row count and a hash of every row of every table: equal fingerprints mean nothing was written. */
function fingerprint(db: Db): Record<string, string> {
  const tables = db.raw<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    if (VOLATILE_TABLES.has(name)) continue;
    const skip = VOLATILE_COLUMNS[name] ?? [];
    const rows = db.raw<Json>(`SELECT * FROM "${name}"`).map((row) => {
      for (const column of skip) delete row[column];
      return JSON.stringify(row);
    }).sort();
    out[name] = `${rows.length}:${createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return out;
}

function paramNames(def: RouteDef): string[] {
  return [...def.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

function fillPath(def: RouteDef, slug: string, id: (name: string) => string): string {
  return def.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => (name === 'slug' ? slug : encodeURIComponent(id(name))));
}

/** The top-level field names of a body schema (of each branch of a union). */
function bodyKeys(schema: z.ZodType): string[] {
  const keys = new Set<string>();
  const visit = (node: Json) => {
    Object.keys(node['properties'] ?? {}).forEach((k) => keys.add(k));
    for (const branch of [...(node['anyOf'] ?? []), ...(node['oneOf'] ?? []), ...(node['allOf'] ?? [])]) visit(branch);
  };
  visit(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json);
  return [...keys];
}

/** 401/403/404 carry `{detail, code}`; every other 4xx `{error, code, details?}`. */
function expectErrorShape(res: ApiResponse, what: string): void {
  const shape = [401, 403, 404].includes(res.status) ? DetailBody : ErrorBody;
  const parsed = shape.safeParse(res.body);
  expect(parsed.success, `${what}: ${res.status} ${JSON.stringify(res.body)?.slice(0, 200)}`).toBe(true);
}

const describeRoute = (r: Bound) => `${r.def.method.toUpperCase()} ${r.def.path}`;

// ---- garbage generators ----

const nastyStrings = fc.constantFrom(
  '', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '00000000-0000-0000-0000-000000000000',
  '<script>alert(1)</script>', "'; DROP TABLE ticket; --", '\u0000', '\u202e', '😀😀😀', '../../etc/passwd', '%00', 'A'.repeat(600),
);
const scalar = fc.oneof(
  fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }), nastyStrings, fc.integer().map(String),
);
const nested = fc.jsonValue({ maxDepth: 4 });
const huge = fc.integer({ min: 5_000, max: 60_000 }).map((n) => 'x'.repeat(n));
const garbageValue = fc.oneof(
  { arbitrary: scalar, weight: 5 },
  { arbitrary: nested, weight: 3 },
  { arbitrary: fc.array(nested, { maxLength: 5 }), weight: 1 },
  { arbitrary: huge, weight: 1 },
);
const extraKey = (known: readonly string[]) =>
  fc.string({ minLength: 1, maxLength: 16 }).filter((k) => !known.includes(k) && k !== '__proto__');

function garbageBody(keys: readonly string[]): fc.Arbitrary<unknown> {
  const fields = keys.length > 0
    ? fc.record(Object.fromEntries(keys.map((k) => [k, garbageValue])), { requiredKeys: [] })
    : fc.constant({});
  return fc.oneof(
    { arbitrary: fields, weight: 4 },
    { arbitrary: fc.tuple(fields, extraKey(keys), garbageValue).map(([o, k, v]) => ({ ...o, [k]: v })), weight: 2 },
    { arbitrary: nested, weight: 2 },
    { arbitrary: fc.array(garbageValue, { maxLength: 4 }), weight: 1 },
    { arbitrary: scalar, weight: 1 },
    { arbitrary: fc.constant(null), weight: 1 },
  );
}

/** Nesting past the pipeline's depth limit, sent as text: `{"key": [[[…]]]}` or `{"key": {"key": …}}`. */
function deeplyNested(keys: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(
    keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('x'),
    fc.integer({ min: 33, max: 400 }),
    fc.boolean(),
  ).map(([key, depth, arrays]) => (arrays
    ? `{${JSON.stringify(key)}:${'['.repeat(depth)}${']'.repeat(depth)}}`
    : `${`{${JSON.stringify(key)}:`.repeat(depth)}1${'}'.repeat(depth)}`));
}

type Sent = Readonly<{ json: unknown }> | Readonly<{ raw: string }>;

function garbageRequest(keys: readonly string[]): fc.Arbitrary<Sent> {
  return fc.oneof(
    { arbitrary: garbageBody(keys).map((json): Sent => ({ json })), weight: 9 },
    { arbitrary: deeplyNested(keys).map((raw): Sent => ({ raw })), weight: 1 },
  );
}

/** Whether the route's schema accepts what the server will parse (a schema that throws accepts nothing). */
function parsesUnder(schema: z.ZodType, text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) && schema.safeParse(value).success;
  } catch {
    return false;
  }
}

describe('malformed input: always a 4xx in the contract error shape, never a change', () => {
  let t: TestServer;
  let home: DemoTenant;
  let other: DemoTenant;
  let adminId: string;
  let foreignIds: { table: string; id: string }[];

  beforeAll(async () => {
    t = await startTestServer();
    home = await seedDemoTenant(t, 'fuzz-home');
    other = await seedDemoTenant(t, 'fuzz-other');
    adminId = t.server.deps.db.raw<{ id: string }>('SELECT id FROM user WHERE email = ?', home.adminEmail)[0]!.id;
    // Live rows in the other tenant beyond its demo data: waiting tickets and a called one.
    for (const queue of other.demo.queues) {
      const res = await t.api('POST', `/api/v1/tenants/${other.slug}/tickets/`, { token: other.adminToken, body: { queue: queue.id } });
      expect(res.status).toBe(201);
    }
    await t.api('POST', `/api/v1/tenants/${other.slug}/agents/call-next/`, { token: other.agentTokens[0], body: {} });
    foreignIds = collectForeignIds(t.server.deps.db, other.tenantId);
    expect(foreignIds.length).toBeGreaterThan(5);
  });
  afterAll(() => t.close());

  /**
   * The tenant admin (a fresh session each time: sessions are outside the fingerprint), or for
   * device-only routes one device per type, made once (a new device row would change the fingerprint).
   */
  const devices = new Map<string, Record<string, string>>();
  async function authorizationFor(def: RouteDef): Promise<Record<string, string>> {
    if (def.access.kind === 'public') return {};
    if (def.access.kind === 'tenant' && def.access.devicesOnly) {
      const needed = def.access.device!;
      const type = DEVICE_TYPES.find((d) => capabilitiesForDevice(d).includes(needed))!;
      if (!devices.has(type)) devices.set(type, deviceAuthorization(t, { tenantId: home.tenantId, type }));
      return devices.get(type)!;
    }
    return userAuthorization(t, adminId);
  }

  async function call(route: Bound, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
    const headers = { ...(await authorizationFor(route.def)), ...(options.headers ?? {}) };
    return t.api(route.def.method.toUpperCase(), path, { ...options, headers });
  }

  const randomIds = (r: Bound) => fillPath(r.def, home.slug, () => randomUUID());
  /** Whether the route's params schema accepts the UUIDs `randomIds` puts in the URL (else it answers 404 first). */
  const acceptsUuids = (def: RouteDef) =>
    !def.params || def.params.safeParse(Object.fromEntries(paramNames(def).map((n) => [n, n === 'slug' ? home.slug : randomUUID()]))).success;

  it(`covers ${bodyRoutes.length} routes with a body, ${idRoutes.length} with ids in the URL, ${queryRoutes.length} with a query`, () => {
    expect(bodyRoutes.length).toBeGreaterThan(0);
    expect(idRoutes.length).toBeGreaterThan(0);
    expect(queryRoutes.length).toBeGreaterThan(0);
  });

  for (const route of bodyRoutes) {
    const { def } = route;
    const keys = bodyKeys(def.body!);
    it(`${describeRoute(route)} (${route.name}): random garbage bodies get a 4xx unless the schema accepts them, and change nothing`, async () => {
      const db = t.server.deps.db;
      let baseline = fingerprint(db);
      await fc.assert(
        fc.asyncProperty(garbageRequest(keys), async (sent) => {
          const path = randomIds(route);
          const text = 'raw' in sent ? sent.raw : JSON.stringify(sent.json);
          const valid = parsesUnder(def.body!, text);
          const res = await t.api(def.method.toUpperCase(), path, { raw: text, headers: await authorizationFor(def) });
          const what = `${describeRoute(route)} with ${text.slice(0, 200)}`;
          const after = fingerprint(db);
          const changed = JSON.stringify(after) !== JSON.stringify(baseline);
          baseline = after;
          expect(res.status, what).toBeLessThan(500);
          if (res.status < 300) {
            expect(valid, `${what} was accepted (${res.status}) but does not parse under the route's schema`).toBe(true);
            return;
          }
          expect(res.status, what).toBeGreaterThanOrEqual(400);
          expectErrorShape(res, what);
          expect(changed, `${what} was refused (${res.status}) but changed the database`).toBe(false);
          if (!valid) {
            const expected = acceptsUuids(def) ? [400, 413] : [404];
            expect(expected, `${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toContain(res.status);
          }
        }),
        { numRuns: 12 },
      );
    });
  }

  it('refuses malformed JSON, non-object JSON, wrong content types, unsupported charsets and bodies over 100 KiB', async () => {
    const cases: { name: string; raw: string; contentType: string; status: number; code: string; headers?: Record<string, string> }[] = [
      ...['{', '{"a":', '[1,2', "{'a':1}", '{"a":1}}', '{"a":1,}', 'nul', 'undefined', '{"a":NaN}', '\u0000', '{"a":"\\x41"}'].map((raw) => ({
        name: `malformed ${JSON.stringify(raw)}`, raw, contentType: 'application/json', status: 400, code: 'malformed-json',
      })),
      ...['null', '42', '"text"', 'true'].map((raw) => ({ name: `top-level ${raw}`, raw, contentType: 'application/json', status: 400, code: 'malformed-json' })),
      { name: 'an array', raw: '[{}]', contentType: 'application/json', status: 400, code: 'validation-failed' },
      { name: 'text/plain', raw: '{}', contentType: 'text/plain', status: 415, code: 'unsupported-media-type' },
      { name: 'a form', raw: 'queue=1&channel=web', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported-media-type' },
      { name: 'multipart', raw: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--', contentType: 'multipart/form-data; boundary=x', status: 415, code: 'unsupported-media-type' },
      { name: 'XML', raw: '<queue/>', contentType: 'application/xml', status: 415, code: 'unsupported-media-type' },
      { name: 'a non-UTF charset', raw: '{}', contentType: 'application/json; charset=latin1', status: 415, code: 'unsupported-media-type' },
      { name: 'a gzip body that is not gzip', raw: '{}', contentType: 'application/json', status: 400, code: 'validation-failed', headers: { 'content-encoding': 'gzip' } },
      { name: 'an unknown content encoding', raw: '{}', contentType: 'application/json', status: 415, code: 'unsupported-media-type', headers: { 'content-encoding': 'x-zip' } },
      { name: '150 KiB of JSON', raw: JSON.stringify({ customer_name: 'x'.repeat(150 * 1024) }), contentType: 'application/json', status: 413, code: 'payload-too-large' },
    ];
    const db = t.server.deps.db;
    const failures: string[] = [];
    // Each route gets a rotating share of the cases (every case still reaches several routes) and the oversized body.
    const perRoute = 4;
    const oversized = cases.length - 1;
    for (const [k, route] of bodyRoutes.entries()) {
      const before = fingerprint(db);
      const picked = [...new Set([...Array.from({ length: perRoute }, (_v, j) => (k * perRoute + j) % oversized), oversized])];
      for (const c of picked.map((i) => cases[i]!)) {
        const path = randomIds(route);
        const expectedStatus = acceptsUuids(route.def) ? c.status : 404;
        const res = await call(route, path, { raw: c.raw, headers: { 'content-type': c.contentType, ...(c.headers ?? {}) } });
        const shape = ([401, 403, 404].includes(res.status) ? DetailBody : ErrorBody).safeParse(res.body);
        if (res.status !== expectedStatus || (expectedStatus === c.status && res.body?.code !== c.code) || !shape.success) {
          failures.push(`${describeRoute(route)} with ${c.name}: expected ${expectedStatus} ${c.code}, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 160)}`);
        }
      }
      if (JSON.stringify(fingerprint(db)) !== JSON.stringify(before)) failures.push(`${describeRoute(route)}: the database changed`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses values nested thousands deep in any field with 400 (no stack overflow), changing nothing', async () => {
    const db = t.server.deps.db;
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const failures: string[] = [];
    for (const route of bodyRoutes) {
      const before = fingerprint(db);
      const keys = bodyKeys(route.def.body!);
      const bodies = [
        `${'{"x":'.repeat(15_000)}1${'}'.repeat(15_000)}`,
        // Inside an object: free-form fields (`metadata`, `layout`) are records of unknown values.
        ...keys.map((key) => `{${JSON.stringify(key)}:{"x":${deep(8_000)}}}`),
      ];
      for (const raw of bodies) {
        const res = await call(route, randomIds(route), { raw });
        const expected = acceptsUuids(route.def) ? 400 : 404;
        if (res.status !== expected || !(expected === 400 ? ErrorBody : DetailBody).safeParse(res.body).success) {
          failures.push(`${describeRoute(route)} with ${raw.slice(0, 40)}…: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 160)}`);
        }
      }
      if (JSON.stringify(fingerprint(db)) !== JSON.stringify(before)) failures.push(`${describeRoute(route)}: the database changed`);
    }
    expect(failures).toEqual([]);
  });

  it('answers 404 to ids in the URL that are not ids (fast-check)', async () => {
    const garbageId = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
      nastyStrings.filter((s) => s.length > 0),
      fc.uuid().map((u) => `${u}x`),
      fc.uuid().map((u) => u.replaceAll('-', '')),
      fc.integer().map(String),
    ).filter((s) => s !== '.' && s !== '..');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...idRoutes), garbageId, async (route, id) => {
        const { def } = route;
        const params = Object.fromEntries(paramNames(def).map((n) => [n, n === 'slug' ? home.slug : id]));
        fc.pre(!def.params || !def.params.safeParse(params).success);
        const path = fillPath(def, home.slug, () => id);
        const res = await call(route, path, def.method === 'get' || def.method === 'delete' ? {} : { body: {} });
        const what = `${describeRoute(route)} with id ${JSON.stringify(id)}`;
        expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(404);
        expect(res.body, what).toMatchObject({ code: 'not-found' });
        expectErrorShape(res, what);
      }),
      { numRuns: Math.min(150, idRoutes.length * 4) },
    );
  });

  /** With a `{}` body the route sees the id before any body field, unless `{}` itself is invalid. */
  // A body or query the route refuses empty is answered 400 before the id is looked at.
  const refusesEmpty = (schema: RouteDef['body']) => schema !== undefined && !schema.safeParse({}).success;
  const expectedForUnknownId = (def: RouteDef) => (refusesEmpty(def.body) || refusesEmpty(def.query) ? 400 : 404);

  it('answers 404 to unknown ids, and changes nothing', async () => {
    const db = t.server.deps.db;
    const before = fingerprint(db);
    const failures: string[] = [];
    for (const route of idRoutes) {
      const { def } = route;
      for (let i = 0; i < 3; i++) {
        const res = await call(route, randomIds(route), def.method === 'get' || def.method === 'delete' ? {} : { body: {} });
        if (res.status !== expectedForUnknownId(def) || !(res.status === 400 ? ErrorBody : DetailBody).safeParse(res.body).success) {
          failures.push(`${describeRoute(route)}: expected ${expectedForUnknownId(def)}, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 160)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(fingerprint(db)).toEqual(before);
  });

  it("answers 404 to another tenant's real ids, whatever their kind, and changes nothing", async () => {
    const db = t.server.deps.db;
    const before = fingerprint(db);
    const failures: string[] = [];
    // Only where the id is looked at: with `{}` refused, the route answers 400 before reading its id.
    // Public routes are outside tenants: a site's public page is open to anyone by design.
    for (const route of idRoutes.filter((r) => expectedForUnknownId(r.def) === 404 && r.def.access.kind !== 'public')) {
      const { def } = route;
      for (const { table, id } of foreignIdsFor(def, foreignIds)) {
        const path = fillPath(def, home.slug, () => id);
        const res = await call(route, path, def.method === 'get' || def.method === 'delete' ? {} : { body: {} });
        if (res.status !== 404) {
          failures.push(`${describeRoute(route)} with a ${table} id of the other tenant: expected 404, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 160)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(fingerprint(db)).toEqual(before);
  });

  it('refuses bad list filters and pagination with 400 naming the parameter', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of queryRoutes) {
      const { def } = route;
      const schema = z.toJSONSchema(def.query!, { io: 'input', unrepresentable: 'any' }) as Json;
      const props = (schema['properties'] ?? {}) as Record<string, Json>;
      const bad: [string, string][] = [];
      if (props['page']) bad.push(['page', '-1'], ['page', '0'], ['page', 'abc'], ['page', '1.5']);
      if (props['page_size']) bad.push(['page_size', '1000'], ['page_size', '0'], ['page_size', '101']);
      for (const [name, prop] of Object.entries(props)) {
        if (Array.isArray(prop['enum'])) bad.push([name, 'bogus'], [name, `${prop['enum'][0]}&${name}=${prop['enum'][0]}`]);
        if (typeof prop['pattern'] === 'string' && prop['pattern'].includes('[0-9a-f]{8}')) bad.push([name, 'not-a-uuid']);
      }
      for (const [name, value] of bad) {
        checked++;
        const path = `${randomIds(route)}?${name}=${value.includes('&') ? value : encodeURIComponent(value)}`;
        const res = await call(route, path, def.method === 'get' || def.method === 'delete' ? {} : { body: {} });
        const named = Array.isArray(res.body?.details) && res.body.details.some((d: { field?: string }) => d.field?.split('.')[0] === name);
        if (res.status !== 400 || res.body?.code !== 'validation-failed' || !named || !ErrorBody.safeParse(res.body).success) {
          failures.push(`${describeRoute(route)}?${name}=${value}: expected 400 naming ${name}, got ${res.status} ${JSON.stringify(res.body)?.slice(0, 160)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});

/**
 * The ids of the kind the route names (`tickets/:id/` → ticket, `notifications/templates/:id/` →
 * notification_template) plus two of other kinds; every id when the kind cannot be guessed.
 */
function foreignIdsFor(def: RouteDef, ids: readonly { table: string; id: string }[]): { table: string; id: string }[] {
  const segments = def.path.split('/');
  const kinds = segments.flatMap((s, i) => (s.startsWith(':') && s !== ':slug' && i > 0 ? [segments[i - 1]!.replace(/s$/, '')] : []));
  const matches = (table: string) => kinds.some((k) => table === k || table.endsWith(`_${k}`));
  const own = ids.filter((x) => matches(x.table));
  if (own.length === 0) return [...ids];
  return [...own, ...ids.filter((x) => !matches(x.table)).slice(0, 2)];
}

/** One id of every table that carries the other tenant's rows, plus its members' user ids. */
function collectForeignIds(db: Db, tenantId: string): { table: string; id: string }[] {
  const tables = db.raw<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  const ids: { table: string; id: string }[] = [];
  for (const { name } of tables) {
    const columns = db.raw<{ name: string }>(`SELECT name FROM pragma_table_info('${name}')`).map((c) => c.name);
    if (!columns.includes('id') || !columns.includes('tenant_id')) continue;
    for (const row of db.raw<{ id: string }>(`SELECT id FROM "${name}" WHERE tenant_id = ? ORDER BY rowid LIMIT 1`, tenantId)) {
      ids.push({ table: name, id: row.id });
    }
  }
  for (const row of db.raw<{ user_id: string }>('SELECT user_id FROM tenant_membership WHERE tenant_id = ? LIMIT 2', tenantId)) {
    ids.push({ table: 'user', id: row.user_id });
  }
  return ids;
}
