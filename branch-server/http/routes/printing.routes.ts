import { printingRoutes } from '../../contract/printing.contract.ts';
import { getTicketRow } from '../../db/repositories/tickets.repository.ts';
import { qb, type Db } from '../../db/sqlite.ts';
import type { EventSink } from '../../use-cases/events.ts';
import { DomainError } from '../../domain/errors.ts';
import type { TicketPrint } from '../../../hardware/escpos/layout.ts';
import { layoutWarnings } from '../../../hardware/escpos/layout.ts';
import { previewTicketSvg } from '../../../hardware/escpos/preview-svg.ts';
import { parsePrintProfile } from '../../../hardware/escpos/profile.ts';
import { getPrinterRow } from '../../use-cases/printers.ts';
import { ticketLogoOf, withTenantLogo } from '../../use-cases/ticket-logo.ts';
import { decodePayload, KIOSK_REPRINT_WINDOW_MS, printTestPage, reprintTicket, ticketPrintOf, toPrintJobDtos } from '../../use-cases/printing.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import { callerOf } from './tickets.routes.ts';

const deps = (ctx: { deps: { db: Db; events: EventSink } }) => ({ db: ctx.deps.db, events: ctx.deps.events });

export const printingHandlers: Handlers<typeof printingRoutes> = {
  printTicket(ctx) {
    const { principal } = ctx;
    const requester = principal.kind === 'device'
      ? { kind: 'device' as const, deviceId: principal.deviceId, kioskId: principal.kioskId }
      : { kind: 'user' as const };
    return reprintTicket(deps(ctx), callerOf(ctx), requester, ctx.params.id, ctx.body.printer_id);
  },
  ticketPrintJobs(ctx) {
    const { db } = ctx.deps;
    const ticket = getTicketRow(db, ctx.tenant.id, ctx.params.id);
    if (ctx.principal.kind === 'device') {
      // A kiosk sees the print jobs of its own recent tickets only (to decide to show one on screen).
      const own = db.first(qb.selectFrom('ticket_event').select('id').where('ticket_id', '=', ticket.id)
        .where('type', '=', 'ticket.created').where('actor_device_id', '=', ctx.principal.deviceId));
      if (!own || ctx.now - ticket.created_at > KIOSK_REPRINT_WINDOW_MS) throw new DomainError('not-found', 'Ticket not found.');
    }
    const rows = db.all(qb.selectFrom('print_job').selectAll().where('ticket_id', '=', ticket.id).orderBy('id', 'desc'));
    return toPrintJobDtos(db, rows);
  },
  testPrinter: (ctx) => printTestPage(deps(ctx), callerOf(ctx), ctx.params.id),
  printerJobs(ctx) {
    const { db } = ctx.deps;
    const printer = getPrinterRow(db, ctx.tenant.id, ctx.params.id);
    let query = qb.selectFrom('print_job').selectAll().where('tenant_id', '=', ctx.tenant.id)
      .where((eb) => eb.or([eb('printer_id', '=', printer.id), eb('printed_on_printer_id', '=', printer.id)]));
    if (ctx.query.status) query = query.where('status', '=', ctx.query.status);
    query = query.orderBy('id', 'desc');
    return paginate(db, query, ctx.query, ctx.origin, ctx.req, (rows) => toPrintJobDtos(db, rows));
  },
  printerPreview(ctx) {
    const { db } = ctx.deps;
    const printer = getPrinterRow(db, ctx.tenant.id, ctx.params.id);
    const profile = withTenantLogo(parsePrintProfile(JSON.parse(printer.profile) as unknown), ticketLogoOf(db, ctx.tenant.id));
    let print: TicketPrint;
    if (ctx.query.ticket) {
      const ticket = getTicketRow(db, ctx.tenant.id, ctx.query.ticket);
      const first = db.first(qb.selectFrom('print_job').select('payload').where('ticket_id', '=', ticket.id).where('kind', '=', 'ticket').orderBy('id').limit(1));
      const stored = decodePayload(first?.payload ?? null);
      print = stored?.kind === 'ticket' ? stored.ticket : ticketPrintOf(db, ticket, ctx.origin, { position: null, etaSeconds: ticket.eta_seconds });
    } else {
      const site = printer.site_id ? db.first(qb.selectFrom('site').select(['name', 'timezone']).where('id', '=', printer.site_id)) : undefined;
      print = {
        number: 'A042', serviceName: 'Service', siteName: site?.name ?? printer.name, issuedAt: ctx.now, timeZone: site?.timezone ?? 'UTC',
        peopleAhead: 4, etaSeconds: 540, trackingUrl: `${ctx.origin}/t/sample`, duplicate: false,
      };
    }
    if (ctx.query.duplicate === 'true') print = { ...print, duplicate: true };
    const font = ctx.deps.ticketFont;
    return { svg: previewTicketSvg(print, profile, font), width_dots: profile.dots, paper_width_mm: profile.paperWidth, warnings: layoutWarnings(profile, { arabic: font !== null }) };
  },
};
