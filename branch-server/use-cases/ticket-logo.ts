import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { LOGO_MAX_WIDTH, type TicketLogoDto, type UploadTicketLogoBody } from '../contract/ticket-logo.contract.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { TicketLogoRow } from '../db/tables/ticket-logo.table.ts';
import { DomainError } from '../domain/errors.ts';
import { toMonoBitmap } from '../../hardware/escpos/monochrome.ts';
import { bitmapPath } from '../../hardware/escpos/preview-svg.ts';
import type { MonoBitmap, PrintProfile } from '../../hardware/escpos/profile.ts';
import { decodePng, PngError } from '../../hardware/images/png.ts';
import type { Caller, UseCaseDeps } from './deps.ts';

export const DEFAULT_LOGO_HEIGHT = 120;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const invalidImage = (message: string) => new DomainError('validation-failed', `image: ${message}.`, [{ field: 'image', message }]);

/** The bitmap as an SVG of its black dots (what the console shows, exactly what prints). */
export function logoSvg(bitmap: MonoBitmap): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${bitmap.width}" height="${bitmap.height}" viewBox="0 0 ${bitmap.width} ${bitmap.height}" shape-rendering="crispEdges">`
    + `<rect width="${bitmap.width}" height="${bitmap.height}" fill="#fff"/><path d="${bitmapPath(bitmap, 0, 0)}" fill="#000"/></svg>`;
}

function toDto(row: TicketLogoRow): TicketLogoDto {
  return { width: row.width, height: row.height, svg: logoSvg(bitmapOf(row)), updated_at: new Date(row.updated_at).toISOString() };
}

function bitmapOf(row: TicketLogoRow): MonoBitmap {
  return { width: row.width, height: row.height, bits: new Uint8Array(row.bits) };
}

/** The tenant's ticket logo, for printing; null when there is none. */
export function ticketLogoOf(db: Db, tenantId: string): MonoBitmap | null {
  const row = db.first(qb.selectFrom('ticket_logo').selectAll().where('tenant_id', '=', tenantId));
  return row ? bitmapOf(row) : null;
}

/** A printer's profile with the tenant's logo, unless the profile has its own. */
export function withTenantLogo(profile: PrintProfile, logo: MonoBitmap | null): PrintProfile {
  return profile.logo || !logo || logo.width > profile.dots ? profile : { ...profile, logo };
}

export function getTicketLogo(db: Db, tenantId: string): TicketLogoDto {
  const row = db.first(qb.selectFrom('ticket_logo').selectAll().where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'No ticket logo: tickets print without one.');
  return toDto(row);
}

/**
 * Decodes the uploaded PNG and stores it as it will print (1 bit, trimmed, scaled to fit). The
 * decoding happens before the transaction; a bad image changes nothing.
 */
export function uploadTicketLogo(deps: UseCaseDeps, caller: Caller, body: z.infer<typeof UploadTicketLogoBody>): TicketLogoDto {
  const base64 = body.image.replace(/^data:image\/png;base64,/i, '').replace(/\s+/g, '');
  if (!BASE64.test(base64) || base64.length % 4 !== 0) throw invalidImage('not base64 (send the PNG file base64-encoded, or a data:image/png;base64 URL)');
  const file = Buffer.from(base64, 'base64');
  let bitmap: MonoBitmap | null;
  try {
    bitmap = toMonoBitmap(decodePng(file), {
      maxWidth: body.max_width ?? LOGO_MAX_WIDTH, maxHeight: body.max_height ?? DEFAULT_LOGO_HEIGHT,
      mode: body.mode ?? 'threshold', threshold: body.threshold ?? 128,
    });
  } catch (error) {
    if (error instanceof PngError) throw invalidImage(error.message);
    throw error;
  }
  if (!bitmap) throw invalidImage('the image is blank: nothing would print');
  const row: TicketLogoRow = {
    tenant_id: caller.tenantId, width: bitmap.width, height: bitmap.height, bits: Buffer.from(bitmap.bits),
    source_sha256: createHash('sha256').update(file).digest('hex'), updated_by: caller.actor.userId, updated_at: caller.now,
  };
  const { db } = deps;
  db.tx(() => {
    const before = db.first(qb.selectFrom('ticket_logo').select(['width', 'height', 'source_sha256']).where('tenant_id', '=', caller.tenantId));
    const { tenant_id: _t, ...changes } = row;
    db.run(qb.insertInto('ticket_logo').values(row).onConflict((oc) => oc.column('tenant_id').doUpdateSet(changes)));
    appendAudit(db, caller.actor, {
      tenantId: caller.tenantId, action: 'ticket_logo.updated', entity: 'tenant', entityId: caller.tenantId,
      before, after: { width: row.width, height: row.height, source_sha256: row.source_sha256 },
    }, caller.now);
  });
  return toDto(row);
}

export function deleteTicketLogo(deps: UseCaseDeps, caller: Caller): void {
  const { db } = deps;
  db.tx(() => {
    const before = db.first(qb.selectFrom('ticket_logo').select(['width', 'height', 'source_sha256']).where('tenant_id', '=', caller.tenantId));
    if (!before) return;
    db.run(qb.deleteFrom('ticket_logo').where('tenant_id', '=', caller.tenantId));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'ticket_logo.deleted', entity: 'tenant', entityId: caller.tenantId, before }, caller.now);
  });
}
