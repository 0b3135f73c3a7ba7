import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import { WindowRateLimiter } from '../../../branch-server/http/rate-limit.ts';
import { CSP, UI_DIR } from '../../../branch-server/http/ui.ts';
import { RELAY_MAX_REQUEST_BYTES, relayedRoute } from '../../protocol/relay.ts';
import { RelayFailure, type BranchRelay } from '../relay/branch-relay.ts';
import type { CloudDeps } from './context.ts';

const OFFLINE = 'This branch cannot be reached right now. Try again in a few minutes, or take a ticket at the branch.';

/**
 * The branches' public pages through the cloud, for customers outside the branch's network: the
 * booking and remote-join page /book/{site_id}, the tracking page /t/{public_id}, and the public API
 * they call, under the same paths as on the branch so the same pages work unchanged. Every API
 * request is passed to the branch that owns the site (sync/cloud/relay) and its answer returned; the
 * branch enforces its own limits per address and per phone number, so the customer's address goes
 * with the request. Links in the answer are rewritten to this cloud.
 */
export function mountPublicRelay(app: Express, deps: CloudDeps, relay: BranchRelay, uiDir: string = UI_DIR): void {
  // A coarse per-address guard on this process, before anything reaches a branch's socket.
  const perAddress = new WindowRateLimiter({ max: 240, windowMs: 60_000 });
  const json = express.json({ limit: RELAY_MAX_REQUEST_BYTES, strict: true });

  const page = (name: string, offline: (req: Request) => Promise<boolean>) => async (req: Request, res: Response) => {
    const file = join(uiDir, name, 'index.html');
    if (perAddress.hit(req.ip ?? '', deps.now()) > 0) {
      res.status(429).type('text/plain').send('Too many requests. Try again in a minute.');
      return;
    }
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-cache');
    if (await offline(req)) {
      res.status(503).type('text/html').send(`<!doctype html><meta charset="utf-8"><title>Branch offline</title><p>${OFFLINE}</p>`);
      return;
    }
    if (!existsSync(file)) {
      res.status(503).type('text/plain').send('The user interface is not built. Run: npm run build:ui');
      return;
    }
    res.sendFile(file);
  };
  app.get('/book/:site_id', (req, res, next) => {
    page('book', async () => {
      const site = await siteOwner(deps, String(req.params['site_id']));
      return !site || !(await relay.connected(site.tenantId, site.siteId));
    })(req, res).catch(next);
  });
  app.get('/t/:public_id', (req, res, next) => {
    page('track', async () => false)(req, res).catch(next);
  });

  app.use('/api/v1/public', json, (req, res, next) => {
    relayPublic(deps, relay, perAddress, req, res).catch(next);
  });
}

async function relayPublic(deps: CloudDeps, relay: BranchRelay, perAddress: WindowRateLimiter, req: Request, res: Response): Promise<void> {
  const route = relayedRoute(req.method, req.originalUrl);
  if (!route) {
    res.status(404).json({ detail: 'Not found.', code: 'not-found' });
    return;
  }
  const ip = req.ip ?? req.socket.remoteAddress ?? '';
  const wait = perAddress.hit(ip, deps.now());
  if (wait > 0) {
    res.setHeader('Retry-After', String(wait));
    res.status(429).json({ error: `Too many requests from this address. Try again in ${wait} s.`, code: 'rate-limited', details: { retry_after: wait } });
    return;
  }
  const owner = route.kind === 'site' ? await siteOwner(deps, route.siteId) : await ticketOwner(deps, route.publicId);
  if (!owner) {
    res.status(404).json({ detail: 'Not found.', code: 'not-found' });
    return;
  }
  let answer;
  try {
    answer = await relay.forward(owner.tenantId, owner.siteId, {
      method: req.method as 'GET' | 'POST', path: route.path, client_ip: ip.slice(0, 64),
      ...(req.method === 'POST' ? { body: req.body ?? {} } : {}),
    });
  } catch (error) {
    if (!(error instanceof RelayFailure)) throw error;
    const [status, code, message] = error.kind === 'offline' ? [503, 'branch-offline', OFFLINE]
      : error.kind === 'timeout' ? [504, 'branch-timeout', 'The branch did not answer in time. Try again.']
        : [502, 'branch-answer-too-large', 'The branch answered with more than this page can carry.'];
    res.status(status).json({ detail: message, code });
    return;
  }
  const origin = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const body = rewriteLinks(answer.body, origin);
  if (route.kind === 'site' && answer.status === 201 && isJoin(body)) {
    await deps.cloud.db.insertInto('relay_ticket')
      .values({ public_id: body.public_id, tenant_id: owner.tenantId, site_id: owner.siteId, created_at: deps.now() })
      .onConflict((oc) => oc.column('public_id').doNothing())
      .execute();
  }
  res.status(answer.status).json(body);
}

async function siteOwner(deps: CloudDeps, siteId: string): Promise<{ tenantId: string; siteId: string } | null> {
  if (!/^[0-9a-f-]{36}$/i.test(siteId)) return null;
  const row = await deps.cloud.db.selectFrom('site').innerJoin('tenant', 'tenant.id', 'site.tenant_id')
    .select(['site.id', 'site.tenant_id']).where('site.id', '=', siteId.toLowerCase()).where('tenant.is_active', '=', 1)
    .executeTakeFirst();
  return row ? { tenantId: row.tenant_id, siteId: row.id } : null;
}

async function ticketOwner(deps: CloudDeps, publicId: string): Promise<{ tenantId: string; siteId: string } | null> {
  const row = await deps.cloud.db.selectFrom('relay_ticket').select(['tenant_id', 'site_id']).where('public_id', '=', publicId).executeTakeFirst();
  return row ? { tenantId: row.tenant_id, siteId: row.site_id } : null;
}

function isJoin(body: unknown): body is { public_id: string; tracking_url: string } {
  return typeof body === 'object' && body !== null && typeof (body as { public_id?: unknown }).public_id === 'string'
    && typeof (body as { tracking_url?: unknown }).tracking_url === 'string';
}

/** The branch builds links with its own address (unreachable from outside); they point here instead. */
function rewriteLinks(body: unknown, origin: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const key of ['tracking_url', 'rebook_url']) {
    const value = out[key];
    if (typeof value !== 'string') continue;
    try {
      const url = new URL(value);
      out[key] = `${origin}${url.pathname}${url.search}`;
    } catch {
      // Not an absolute URL: leave it as the branch gave it.
    }
  }
  return out;
}
