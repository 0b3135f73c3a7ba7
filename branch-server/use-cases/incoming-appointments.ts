import type { z } from 'zod';
import type { IncomingAppointmentBody, IncomingAppointmentDto } from '../contract/integrations.contract.ts';
import { qb } from '../db/sqlite.ts';
import { DomainError } from '../domain/errors.ts';
import { bookAppointment, getAppointmentRow, toAppointmentDtos } from './appointments.ts';
import type { Caller, UseCaseDeps } from './deps.ts';

/**
 * An external scheduler books an appointment. Its `external_id` is recorded with ours in the same
 * transaction, so a request sent twice (a retry after a lost answer) books once and the second
 * answer is the same appointment with `created: false`. The same external id with a different
 * slot or service is a conflict: the scheduler must cancel and book anew.
 */
export function createIncomingAppointment(
  deps: UseCaseDeps, caller: Caller, body: z.infer<typeof IncomingAppointmentBody>,
): z.infer<typeof IncomingAppointmentDto> {
  const { db } = deps;
  return db.tx(() => {
    const known = db.first(qb.selectFrom('appointment_external_ref').select('appointment_id')
      .where('tenant_id', '=', caller.tenantId).where('external_id', '=', body.external_id));
    if (known) {
      const row = getAppointmentRow(db, caller.tenantId, known.appointment_id);
      if (row.service_id !== body.service || row.starts_at !== Date.parse(body.starts_at)) {
        throw new DomainError('conflict', `external_id "${body.external_id}" was already booked for another service or time; cancel it and book again with a new id.`);
      }
      return { ...toAppointmentDtos(db, [row])[0]!, external_id: body.external_id, created: false };
    }
    const dto = bookAppointment(deps, caller, {
      service: body.service, starts_at: body.starts_at, ...(body.site ? { site: body.site } : {}),
      customer_name: body.customer_name, customer_phone: body.customer_phone,
    });
    db.run(qb.insertInto('appointment_external_ref').values({ tenant_id: caller.tenantId, external_id: body.external_id, appointment_id: dto.id, created_at: caller.now }));
    return { ...dto, external_id: body.external_id, created: true };
  });
}
