import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthDto } from '../../../branch-server/contract/health.contract.ts';
import { allRoutes } from '../../../branch-server/http/routes/index.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

type Json = Record<string, any>;

const routes = allRoutes();
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function collectRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => collectRefs(v, found));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else collectRefs(v, found);
    }
  }
  return found;
}

describe('API documentation', () => {
  let t: TestServer;
  let doc: Json;
  beforeAll(async () => {
    t = await startTestServer();
    const res = await t.api('GET', '/api/schema/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
  });
  afterAll(() => t.close());

  it('publishes an OpenAPI 3.1 document with both security schemes', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('SmartQueue Branch API');
    expect(doc.info.version).toBe('v1');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.components.securitySchemes.deviceKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
  });

  it(`lists every contract route (${routes.length}) under its method with {param} paths and declared path parameters`, () => {
    const documented = Object.values(doc.paths as Json).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(documented).toBe(routes.length);
    for (const { name, def } of routes) {
      const path = openApiPath(def.path);
      expect(path, name).not.toContain(':');
      const op = doc.paths[path]?.[def.method];
      expect(op, `${def.method.toUpperCase()} ${path}`).toBeDefined();
      expect(op.operationId).toBe(name);
      expect(op.summary).toBe(def.summary);
      expect(op.tags).toEqual([def.tag]);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters as Json[]).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared.sort(), name).toEqual(templated.sort());
      expect(op.responses[String(def.status ?? 200)], name).toBeDefined();
      for (const [status, response] of Object.entries(op.responses as Json)) {
        expect(status, name).toMatch(/^[1-5]\d\d$/);
        expect(response.description, `${name} ${status}`).toBeTypeOf('string');
      }
      for (const param of op.parameters as Json[]) {
        expect(['path', 'query'], name).toContain(param.in);
        expect(param.schema, `${name} ${param.name}`).toBeTypeOf('object');
      }
    }
    const operationIds = routes.map((r) => r.name);
    expect(new Set(operationIds).size, 'operationId must be unique').toBe(operationIds.length);
  });

  it('states who may call each route: the scope in x-scope and the description, devices as an alternative', () => {
    for (const { name, def } of routes) {
      const op = doc.paths[openApiPath(def.path)][def.method];
      const schemes = (op.security as Json[]).flatMap((s) => Object.keys(s));
      if (def.access.kind === 'public') {
        expect(schemes, name).toEqual([]);
        expect(op.responses['401'], name).toBeUndefined();
        continue;
      }
      expect(op.responses['401'].content['application/json'].schema.$ref).toBe('#/components/schemas/DetailBody');
      expect(op.responses['403'].content['application/json'].schema.$ref).toBe('#/components/schemas/DetailBody');
      if (def.access.kind === 'user') {
        expect(schemes, name).toEqual(['bearerAuth']);
        continue;
      }
      const scope = def.access.devicesOnly ? null : def.access.scope;
      expect(op['x-scope'], name).toBe(scope);
      if (scope) expect(op.description, name).toContain(scope);
      expect(schemes.includes('bearerAuth'), name).toBe(!def.access.devicesOnly);
      expect(schemes.includes('deviceKey'), name).toBe(Boolean(def.access.device));
      if (def.access.device) {
        expect(op['x-device-capability'], name).toBe(def.access.device);
        expect(op.description, name).toContain(def.access.device);
      }
    }
  });

  it('describes the JSON body of every route that takes one, required unless {} is a valid body', () => {
    const withBody = routes.filter((r) => r.def.body);
    expect(withBody.length).toBeGreaterThan(0);
    for (const { name, def } of withBody) {
      const op = doc.paths[openApiPath(def.path)][def.method];
      const body = op.requestBody;
      expect(body, name).toBeDefined();
      const schema = body.content['application/json'].schema;
      expect(schema, name).toBeTypeOf('object');
      expect(Object.keys(schema).length, name).toBeGreaterThan(0);
      expect(body.required, name).toBe(!def.body!.safeParse({}).success);
      expect(op.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorBody');
    }
    const create = doc.paths['/api/v1/tenants/{slug}/tickets/'].post.requestBody;
    expect(create.required).toBe(true);
    expect(create.content['application/json'].schema.required).toContain('queue');
    expect(create.content['application/json'].schema.properties.channel.enum).toContain('kiosk');
  });

  it('documents query parameters of list routes and the error shapes', () => {
    const list = doc.paths['/api/v1/tenants/{slug}/tickets/'].get;
    const query = (list.parameters as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query).toEqual(expect.arrayContaining(['page', 'page_size', 'status', 'queue']));
    expect(doc.components.schemas.ErrorBody.required).toEqual(expect.arrayContaining(['error', 'code']));
    expect(Object.keys(doc.components.schemas.ErrorBody.properties)).toEqual(expect.arrayContaining(['error', 'code', 'details']));
    expect(doc.components.schemas.DetailBody.required).toEqual(expect.arrayContaining(['detail', 'code']));
  });

  it('has no dangling $ref', () => {
    for (const ref of collectRefs(doc)) {
      expect(ref).toMatch(/^#\/components\/schemas\/[\w.-]+$/);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
  });

  it('serves Swagger UI offline: the page and each of its assets load from this server', async () => {
    const page = await fetch(`${t.url}/api/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('id="swagger-ui"');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    const expectedType: Record<string, RegExp> = { css: /^text\/css/, js: /javascript/, png: /^image\/png/ };
    let init = '';
    for (const asset of assets) {
      expect(asset, 'no CDN').toMatch(/^\/api\/docs\//);
      const res = await fetch(`${t.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toMatch(expectedType[asset.split('.').pop()!]!);
      const text = await res.text();
      expect(text.length, asset).toBeGreaterThan(100);
      if (asset.endsWith('init.js')) init = text;
    }
    expect(init).toContain("'/api/schema/'");
    expect(init).not.toMatch(/https?:\/\//);
  });

  it('does not serve files of the Swagger UI package that the page does not need', async () => {
    const res = await t.api('GET', '/api/docs/assets/package.json');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'not-found' });
  });
});

describe('health', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('reports ok with the version and each check, without credentials', async () => {
    const before = Date.now();
    const res = await t.api('GET', '/api/v1/health/');
    expect(res.status).toBe(200);
    const health = HealthDto.parse(res.body);
    expect(health.status).toBe('ok');
    expect(health.version).toBe(packageVersion);
    expect(health.checks.database.status).toBe('ok');
    expect(health.checks.database.latency_ms).toBeGreaterThanOrEqual(0);
    expect(health.checks.disk.free_bytes).toBeGreaterThan(0);
    expect(health.checks.migrations).toMatchObject({ status: 'ok' });
    expect(health.checks.migrations.applied).toBe(health.checks.migrations.expected);
    expect(Date.parse(health.checks.clock.now)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(health.checks.clock.now)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('answers 503 failing when the database lacks a migration this build expects', async () => {
    const db = t.server.deps.db;
    const [last] = db.raw<{ name: string; timestamp: string }>('SELECT name, timestamp FROM kysely_migration ORDER BY name DESC LIMIT 1');
    db.sqlite.prepare('DELETE FROM kysely_migration WHERE name = ?').run(last!.name);
    try {
      const res = await t.api('GET', '/api/v1/health/');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('failing');
      expect(res.body.checks.migrations.status).toBe('failing');
      expect(res.body.checks.migrations.detail).toContain(last!.name);
      expect(res.body.checks.database.status).toBe('ok');
    } finally {
      db.sqlite.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run(last!.name, last!.timestamp);
    }
    expect((await t.api('GET', '/api/v1/health/')).status).toBe(200);
  });

  it('is degraded, still 200, when the clock is unset', async () => {
    const unset = await startTestServer({ now: () => Date.UTC(1970, 0, 1, 0, 5) });
    try {
      const res = await unset.api('GET', '/api/v1/health/');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.checks.clock).toMatchObject({ status: 'degraded', now: '1970-01-01T00:05:00.000Z' });
    } finally {
      await unset.close();
    }
  });
});
