import type { Express, NextFunction, Request, Response } from 'express';
import { announcementPath, AnnouncementQuery } from '../contract/announcement.contract.ts';
import { Uuid } from '../contract/common.ts';
import { qb } from '../db/sqlite.ts';
import { DomainError } from '../domain/errors.ts';
import { hasCapability, hasScope } from '../domain/rbac.ts';
import { loadDisplayConfig } from '../realtime/views.ts';
import { Announcer } from '../voice/announcer.ts';
import { isVoiceLanguage } from '../voice/phrase.ts';
import type { AppDeps } from './context.ts';
import { describeZodError } from './errors.ts';
import { findMembership, findTenantBySlug, parseAuthorization, resolvePrincipal, type Principal } from './principal.ts';

/**
 * `GET /api/v1/tenants/{slug}/displays/{id}/announcement/?ticket=…&lang=fr,ar` → `audio/wav`
 * (see `contract/announcement.contract.ts`). A raw Express route because the contract pipeline of
 * `app.ts` answers JSON; the checks are the pipeline's, in its order: credential (401), tenant and
 * device binding or member scope (403), then the display and ticket inside that tenant (404), then the
 * query (400). Errors go to the app's error handler, so they have the API's shapes.
 */
export function mountAnnouncements(app: Express, deps: AppDeps, announcer: Announcer = new Announcer()): void {
  app.get(announcementPath, (req: Request, res: Response, next: NextFunction) => {
    serve(deps, announcer, req, res).catch(next);
  });
}

async function serve(deps: AppDeps, announcer: Announcer, req: Request, res: Response): Promise<void> {
  const now = deps.now();
  const principal = await resolvePrincipal(deps.db, deps.tokens, credentialOf(req), now);
  const slug = String(req.params['slug'] ?? '');
  const tenant = authorise(deps, principal, slug, String(req.params['id'] ?? ''));

  const displayId = Uuid.safeParse(req.params['id']);
  const config = displayId.success ? loadDisplayConfig(deps.db, tenant.id, displayId.data.toLowerCase()) : null;
  if (!config) throw new DomainError('not-found', 'Display not found.');

  const parsed = AnnouncementQuery.safeParse(req.query ?? {});
  if (!parsed.success) {
    const { message, details } = describeZodError(parsed.error, '(query)', req.query ?? {});
    throw new DomainError('validation-failed', `Query ${message}`, details);
  }
  const query = parsed.data;
  const ticket = deps.db.first(
    qb.selectFrom('ticket').select(['number', 'counter_label', 'queue_id'])
      .where('id', '=', query.ticket.toLowerCase()).where('tenant_id', '=', tenant.id),
  );
  // A display announces the calls of the queues it shows, nothing else.
  if (!ticket || (config.queues !== 'all' && !config.queues.has(ticket.queue_id))) {
    throw new DomainError('not-found', 'Ticket not found.');
  }

  const languages = query.lang ?? displayLanguages(config.row.languages);
  const wav = announcer.announce({ number: ticket.number, counter: ticket.counter_label, languages, chime: query.chime ?? true });
  res.status(200);
  res.setHeader('Content-Type', 'audio/wav');
  res.setHeader('Content-Length', String(wav.byteLength));
  // The counter of a ticket can change (transfer, recall elsewhere): never replay a stale call.
  res.setHeader('Cache-Control', 'no-store');
  res.end(wav);
}

/** Same credential sources as the ws: `?device_key=`, `?token=`, else the Authorization header. */
function credentialOf(req: Request): { jwt?: string; deviceKey?: string } {
  const deviceKey = req.query['device_key'];
  if (typeof deviceKey === 'string' && deviceKey) return { deviceKey };
  const token = req.query['token'];
  if (typeof token === 'string' && token) return { jwt: token };
  return parseAuthorization(req.get('authorization'));
}

function authorise(deps: AppDeps, principal: Principal, slug: string, displayId: string) {
  if (principal.kind === 'anonymous') throw new DomainError('not-authenticated', 'Authentication credentials were not provided.');
  const tenant = findTenantBySlug(deps.db, slug);
  if (principal.kind === 'device') {
    if (!tenant || tenant.id !== principal.tenantId) throw new DomainError('not-a-member', 'This device belongs to another tenant.');
    if (!hasCapability(principal.capabilities, 'read-display') || principal.type !== 'display'
      || principal.displayId?.toLowerCase() !== displayId.toLowerCase()) {
      throw new DomainError('forbidden', 'A display device may only play the calls of its own display.');
    }
    return tenant;
  }
  const membership = tenant ? findMembership(deps.db, tenant.id, principal.userId) : null;
  if (!tenant || !membership) throw new DomainError('not-a-member', 'You are not a member of this tenant.');
  if (!hasScope(membership.scopes, 'read:queue')) throw new DomainError('missing-scope', 'This action needs the read:queue scope.');
  return tenant;
}

function displayLanguages(json: string): ('fr' | 'en' | 'ar')[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = [];
  }
  const languages = Array.isArray(parsed) ? parsed.filter((l): l is 'fr' | 'en' | 'ar' => typeof l === 'string' && isVoiceLanguage(l)) : [];
  return languages.length > 0 ? languages : ['fr'];
}
