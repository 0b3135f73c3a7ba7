import { z } from 'zod';
import {
  IsoDateTime, Language, NoContent, NullableIso, PageQuery, paginated, QueueStatus, TenantIdParams, TenantParams, Text, Uuid,
} from './common.ts';
import { defineRoutes, scope } from './route.ts';

const unique = (items: readonly string[]) => new Set(items).size === items.length;

/** Free-form settings the renderer interprets (layout, theme, printer profile): a bounded JSON object. */
export const ConfigObject = z.record(z.string().max(64), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 8192, 'must be at most 8 KB of JSON');

export const QueueIds = z.array(Uuid).min(1, 'must list at least one queue').max(50)
  .refine(unique, 'must not list a queue twice');
export const Languages = z.array(Language).min(1, 'must list at least one language').max(3)
  .refine(unique, 'must not list a language twice');
export const Name = Text(120).min(1, 'must not be empty');

/** A queue as a device shows it: enough to draw a button or a column without read:queue. */
export const QueueSummaryDto = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  status: QueueStatus,
  service: z.string(),
  service_name: z.string(),
  site: z.string(),
});

export const DisplayType = z.enum(['main', 'counter', 'waiting_room']);

export const DisplayDto = z.object({
  id: z.string(),
  name: z.string(),
  type: DisplayType,
  site: z.string().nullable(),
  queue_ids: z.array(z.string()),
  queues: z.array(QueueSummaryDto),
  languages: z.array(Language),
  layout: z.record(z.string(), z.unknown()),
  theme: z.record(z.string(), z.unknown()),
  last_seen_at: NullableIso,
  is_online: z.boolean().describe('a paired device of this display was seen in the last two minutes'),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type DisplayDto = z.infer<typeof DisplayDto>;

const displayFields = {
  name: Name,
  type: DisplayType,
  queue_ids: QueueIds,
  languages: Languages.optional(),
  layout: ConfigObject.optional(),
  theme: ConfigObject.optional(),
  site: Uuid.nullable().optional(),
};
export const CreateDisplayBody = z.object(displayFields).strict();
export const UpdateDisplayBody = z.object(displayFields).partial().strict();

export const DisplayListQuery = PageQuery.extend({ site: Uuid.optional(), type: DisplayType.optional() }).strict();

export const displayRoutes = defineRoutes({
  listDisplays: {
    method: 'get', path: '/api/v1/tenants/:slug/displays/', tag: 'displays', access: scope('read:queue', 'read-display'),
    summary: 'Display configurations (a paired display sees only its own)',
    params: TenantParams, query: DisplayListQuery, response: paginated(DisplayDto),
  },
  createDisplay: {
    method: 'post', path: '/api/v1/tenants/:slug/displays/', tag: 'displays', access: scope('manage:settings'), status: 201,
    summary: 'Configure a display: queues shown, languages, layout and theme',
    params: TenantParams, body: CreateDisplayBody, response: DisplayDto,
  },
  getDisplay: {
    method: 'get', path: '/api/v1/tenants/:slug/displays/:id/', tag: 'displays', access: scope('read:queue', 'read-display'),
    summary: 'One display configuration (what a paired TV loads)', params: TenantIdParams, response: DisplayDto,
  },
  updateDisplay: {
    method: 'patch', path: '/api/v1/tenants/:slug/displays/:id/', tag: 'displays', access: scope('manage:settings'),
    summary: 'Change a display; the TV reloads its configuration at once',
    params: TenantIdParams, body: UpdateDisplayBody, response: DisplayDto,
  },
  deleteDisplay: {
    method: 'delete', path: '/api/v1/tenants/:slug/displays/:id/', tag: 'displays', access: scope('manage:settings'), status: 204,
    summary: 'Remove a display (its devices must be revoked first)', params: TenantIdParams, response: NoContent,
  },
});
