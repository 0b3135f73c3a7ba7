import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inMatchOrder } from '../../../branch-server/http/app.ts';
import { RouteTable } from '../../../branch-server/http/route-table.ts';
import { allRoutes } from '../../../branch-server/http/routes/index.ts';

/**
 * The route tree must pick the route Express picked for every URL the API serves: the same
 * template, the same parameters, the same 405 with the same Allow. Both answer here over loopback,
 * Express with the contract's routes registered one by one as the app used to, the tree as it does now.
 */
const routes = inMatchOrder(allRoutes()).map((r) => ({ method: r.def.method, path: r.def.path }));

function byExpress(): Express {
  const app = express();
  const methodsByPath = new Map<string, Set<string>>();
  for (const r of routes) {
    app[r.method](r.path, (req, res) => { res.json({ template: `${r.method.toUpperCase()} ${r.path}`, params: { ...req.params } }); });
    methodsByPath.set(r.path, (methodsByPath.get(r.path) ?? new Set()).add(r.method.toUpperCase()));
  }
  for (const [path, methods] of methodsByPath) app.all(path, (_req, res) => { res.status(405).json({ allow: [...methods].sort() }); });
  app.use((_req, res) => { res.status(404).json({ none: true }); });
  app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status ?? 500).json({ error: true });
  });
  return app;
}

function byTable(): Express {
  const app = express();
  const table = new RouteTable<string>();
  for (const r of routes) table.add(r.method, r.path, `${r.method.toUpperCase()} ${r.path}`);
  app.use((req, res) => {
    const found = table.lookup(req.method, req.path);
    if (found.kind === 'found') res.json({ template: found.match.route, params: found.match.params });
    else if (found.kind === 'method-not-allowed') res.status(405).json({ allow: [...found.allow].sort() });
    else if (found.kind === 'bad-param') res.status(400).json({ error: true });
    else res.status(404).json({ none: true });
  });
  return app;
}

async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server = createServer(app);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Every template filled in several ways, spelled in several ways, asked with several methods. */
function requests(): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const fills = ['01a22b6f-db10-7000-b0d4-d2e25b12253b', 'x%20y', 'appointments'];
  for (const r of routes) {
    for (const [k, fill] of fills.entries()) {
      let i = 0;
      const path = r.path.replace(/:[a-z_]+/g, () => (i++ % 2 === 0 ? fill : fills[(k + 1) % fills.length]!));
      const variants = [path, path.replace(/\/$/, ''), path.toUpperCase().replace(/%2\d/g, (m) => m), `${path}/`, path.replace('/api/', '/api//')];
      for (const variant of variants) for (const method of new Set([r.method.toUpperCase(), 'GET', 'POST', 'HEAD', 'OPTIONS'])) out.push({ method, path: variant });
    }
  }
  out.push({ method: 'GET', path: '/api/v1/tenants/%E0%A4%A/tickets/' }, { method: 'GET', path: '/nothing/here/' }, { method: 'GET', path: '/' });
  return out;
}

describe('RouteTable', () => {
  let old: { server: Server; url: string };
  let now: { server: Server; url: string };
  beforeAll(async () => {
    old = await listen(byExpress());
    now = await listen(byTable());
  });
  afterAll(() => {
    old?.server.close();
    now?.server.close();
  });

  it('answers every URL of the API as Express did: the same route, parameters, 405 and Allow', async () => {
    const all = requests();
    expect(all.length).toBeGreaterThan(routes.length * 50);
    const ask = async (base: string, r: { method: string; path: string }) => {
      const res = await fetch(`${base}${r.path}`, { method: r.method });
      const text = await res.text();
      return `${res.status} ${text}`;
    };
    const differences: string[] = [];
    for (let i = 0; i < all.length; i += 50) {
      const chunk = all.slice(i, i + 50);
      const answers = await Promise.all(chunk.map(async (r) => [r, await ask(old.url, r), await ask(now.url, r)] as const));
      for (const [r, before, after] of answers) if (before !== after) differences.push(`${r.method} ${r.path}: express ${before} | table ${after}`);
    }
    expect(differences.slice(0, 10)).toEqual([]);
  }, 120_000);

  it('prefers a literal segment to a parameter, and falls back to the parameter when the literal has no such method', () => {
    const table = new RouteTable<string>();
    table.add('get', '/t/appointments/', 'list appointments');
    table.add('post', '/t/:id/', 'act on a ticket');
    table.add('get', '/t/:id/', 'read a ticket');
    expect(table.lookup('GET', '/t/appointments/')).toEqual({ kind: 'found', match: { route: 'list appointments', params: {} } });
    expect(table.lookup('POST', '/t/appointments')).toEqual({ kind: 'found', match: { route: 'act on a ticket', params: { id: 'appointments' } } });
    expect(table.lookup('DELETE', '/t/abc/')).toEqual({ kind: 'method-not-allowed', allow: ['POST', 'GET'] });
    expect(table.lookup('GET', '/t/')).toEqual({ kind: 'none' });
    expect(table.lookup('GET', '/t/%zz/').kind).toBe('bad-param');
  });
});
