import { printerRoutes } from '../../contract/printers.contract.ts';
import { qb } from '../../db/sqlite.ts';
import { createPrinter, deletePrinter, getPrinterRow, toPrinterDto, updatePrinter } from '../../use-cases/printers.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import { callerOf } from './tickets.routes.ts';

export const printerHandlers: Handlers<typeof printerRoutes> = {
  listPrinters(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('printer').selectAll().where('tenant_id', '=', tenant.id);
    if (q.site) query = query.where('site_id', '=', q.site);
    if (q.transport) query = query.where('transport', '=', q.transport);
    query = query.orderBy('name').orderBy('id');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows) => rows.map(toPrinterDto));
  },
  createPrinter: (ctx) => createPrinter(ctx.deps, callerOf(ctx), ctx.body),
  getPrinter: (ctx) => toPrinterDto(getPrinterRow(ctx.deps.db, ctx.tenant.id, ctx.params.id)),
  updatePrinter: (ctx) => updatePrinter(ctx.deps, callerOf(ctx), ctx.params.id, ctx.body),
  deletePrinter(ctx) {
    deletePrinter(ctx.deps, callerOf(ctx), ctx.params.id);
    return null;
  },
};
