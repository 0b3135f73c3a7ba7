import { kioskRoutes } from '../../contract/kiosks.contract.ts';
import { qb } from '../../db/sqlite.ts';
import { DomainError } from '../../domain/errors.ts';
import { createKiosk, deleteKiosk, getKioskRow, toKioskDtos, updateKiosk } from '../../use-cases/kiosks.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import type { Principal } from '../principal.ts';
import { callerOf } from './tickets.routes.ts';

/** A paired kiosk sees its own configuration only; other devices none; staff all of the tenant's. */
function ownKioskOnly(principal: Principal): string | null {
  if (principal.kind !== 'device') return null;
  return principal.type === 'kiosk' && principal.kioskId ? principal.kioskId : '';
}

export const kioskHandlers: Handlers<typeof kioskRoutes> = {
  listKiosks(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('kiosk').selectAll().where('tenant_id', '=', tenant.id);
    const own = ownKioskOnly(ctx.principal);
    if (own !== null) query = query.where('id', '=', own);
    if (q.site) query = query.where('site_id', '=', q.site);
    query = query.orderBy('name').orderBy('id');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows) => toKioskDtos(ctx.deps.db, tenant.id, rows, ctx.now));
  },
  createKiosk: (ctx) => createKiosk(ctx.deps, callerOf(ctx), ctx.body),
  getKiosk(ctx) {
    const own = ownKioskOnly(ctx.principal);
    if (own !== null && own !== ctx.params.id) throw new DomainError('not-found', 'Kiosk not found.');
    const row = getKioskRow(ctx.deps.db, ctx.tenant.id, ctx.params.id);
    return toKioskDtos(ctx.deps.db, ctx.tenant.id, [row], ctx.now)[0]!;
  },
  updateKiosk: (ctx) => updateKiosk(ctx.deps, callerOf(ctx), ctx.params.id, ctx.body),
  deleteKiosk(ctx) {
    deleteKiosk(ctx.deps, callerOf(ctx), ctx.params.id);
    return null;
  },
};
