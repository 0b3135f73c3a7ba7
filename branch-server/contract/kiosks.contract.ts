import { z } from 'zod';
import { IsoDateTime, Language, NoContent, NullableIso, PageQuery, paginated, TenantIdParams, TenantParams, Uuid } from './common.ts';
import { Languages, Name, QueueIds, QueueSummaryDto } from './displays.contract.ts';
import { defineRoutes, scope } from './route.ts';

export const KioskDto = z.object({
  id: z.string(),
  name: z.string(),
  site: z.string().nullable(),
  queue_ids: z.array(z.string()),
  queues: z.array(QueueSummaryDto).describe('the services offered, as queues to take a ticket in'),
  languages: z.array(Language),
  printer_id: z.string().nullable(),
  last_seen_at: NullableIso,
  is_online: z.boolean().describe('a paired device of this kiosk was seen in the last two minutes'),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type KioskDto = z.infer<typeof KioskDto>;

const kioskFields = {
  name: Name,
  queue_ids: QueueIds,
  languages: Languages.optional(),
  printer_id: Uuid.nullable().optional(),
  site: Uuid.nullable().optional(),
};
export const CreateKioskBody = z.object(kioskFields).strict();
export const UpdateKioskBody = z.object(kioskFields).partial().strict();

export const kioskRoutes = defineRoutes({
  listKiosks: {
    method: 'get', path: '/api/v1/tenants/:slug/kiosks/', tag: 'kiosks', access: scope('read:queue', 'list-services'),
    summary: 'Kiosk configurations (a paired kiosk sees only its own)',
    params: TenantParams, query: PageQuery.extend({ site: Uuid.optional() }).strict(), response: paginated(KioskDto),
  },
  createKiosk: {
    method: 'post', path: '/api/v1/tenants/:slug/kiosks/', tag: 'kiosks', access: scope('manage:settings'), status: 201,
    summary: 'Configure a kiosk: services offered (as queues), languages, ticket printer',
    params: TenantParams, body: CreateKioskBody, response: KioskDto,
  },
  getKiosk: {
    method: 'get', path: '/api/v1/tenants/:slug/kiosks/:id/', tag: 'kiosks', access: scope('read:queue', 'list-services'),
    summary: 'One kiosk configuration (what a paired kiosk loads)', params: TenantIdParams, response: KioskDto,
  },
  updateKiosk: {
    method: 'patch', path: '/api/v1/tenants/:slug/kiosks/:id/', tag: 'kiosks', access: scope('manage:settings'),
    summary: 'Change a kiosk configuration', params: TenantIdParams, body: UpdateKioskBody, response: KioskDto,
  },
  deleteKiosk: {
    method: 'delete', path: '/api/v1/tenants/:slug/kiosks/:id/', tag: 'kiosks', access: scope('manage:settings'), status: 204,
    summary: 'Remove a kiosk (its devices must be revoked first)', params: TenantIdParams, response: NoContent,
  },
});
