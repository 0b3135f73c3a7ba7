import { displayRoutes } from '../../contract/displays.contract.ts';
import { qb } from '../../db/sqlite.ts';
import { DomainError } from '../../domain/errors.ts';
import { createDisplay, deleteDisplay, getDisplayRow, toDisplayDtos, updateDisplay } from '../../use-cases/displays.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import type { Principal } from '../principal.ts';
import { callerOf } from './tickets.routes.ts';

/** A paired display sees its own configuration only; staff see all of the tenant's. */
function ownDisplayOnly(principal: Principal): string | null {
  if (principal.kind !== 'device') return null;
  return principal.type === 'display' && principal.displayId ? principal.displayId : '';
}

export const displayHandlers: Handlers<typeof displayRoutes> = {
  listDisplays(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('display').selectAll().where('tenant_id', '=', tenant.id);
    const own = ownDisplayOnly(ctx.principal);
    if (own !== null) query = query.where('id', '=', own);
    if (q.site) query = query.where('site_id', '=', q.site);
    if (q.type) query = query.where('type', '=', q.type);
    query = query.orderBy('name').orderBy('id');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows) => toDisplayDtos(ctx.deps.db, tenant.id, rows, ctx.now));
  },
  createDisplay: (ctx) => createDisplay(ctx.deps, callerOf(ctx), ctx.body),
  getDisplay(ctx) {
    const own = ownDisplayOnly(ctx.principal);
    if (own !== null && own !== ctx.params.id) throw new DomainError('not-found', 'Display not found.');
    const row = getDisplayRow(ctx.deps.db, ctx.tenant.id, ctx.params.id);
    return toDisplayDtos(ctx.deps.db, ctx.tenant.id, [row], ctx.now)[0]!;
  },
  updateDisplay: (ctx) => updateDisplay(ctx.deps, callerOf(ctx), ctx.params.id, ctx.body),
  deleteDisplay(ctx) {
    deleteDisplay(ctx.deps, callerOf(ctx), ctx.params.id);
    return null;
  },
};
