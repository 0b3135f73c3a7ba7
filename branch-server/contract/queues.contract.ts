import { z } from 'zod';
import {
  IsoDateTime, NoContent, PageQuery, paginated, QueueAlgorithm, QueueStatus, TenantIdParams, TenantParams, Text, Uuid,
} from './common.ts';
import { QuerySearch } from './fields.ts';
import { defineRoutes, scope } from './route.ts';

export const QueueDto = z.object({
  id: z.string(),
  site: z.string(),
  site_name: z.string(),
  service: z.string(),
  service_name: z.string(),
  name: z.string(),
  prefix: z.string(),
  algorithm: QueueAlgorithm,
  status: QueueStatus,
  weight: z.number().int(),
  max_capacity: z.number().int().describe('0 = unlimited'),
  waiting_count: z.number().int().describe('tickets waiting now'),
  eta_seconds: z.number().int().describe('estimated wait of a ticket issued now (what a kiosk tile shows)'),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type QueueDto = z.infer<typeof QueueDto>;

export const QueuePrefix = z.string().trim().regex(/^[A-Z]{1,3}$/, 'must be 1 to 3 uppercase letters');

const queueFields = {
  service: Uuid,
  name: Text(120).min(1),
  prefix: QueuePrefix,
  algorithm: QueueAlgorithm,
  status: QueueStatus,
  weight: z.number().int().min(1).max(10).describe("share in an agent's weighted round-robin across queues"),
  max_capacity: z.number().int().min(0).max(100_000),
};

export const CreateQueueBody = z.object({
  site: Uuid,
  ...queueFields,
  algorithm: queueFields.algorithm.default('fifo'),
  status: queueFields.status.default('open'),
  weight: queueFields.weight.default(1),
  max_capacity: queueFields.max_capacity.default(0),
}).strict();

/** A queue stays in its site: its numbering day and history follow the site's time zone. */
export const UpdateQueueBody = z.object(queueFields).partial().strict();

export const QueueListQuery = PageQuery.extend({
  site: Uuid.optional(),
  service: Uuid.optional(),
  status: QueueStatus.optional(),
  algorithm: QueueAlgorithm.optional(),
  search: QuerySearch.optional(),
}).strict();

export const queueRoutes = defineRoutes({
  listQueues: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/', tag: 'queues', access: scope('read:queue', 'list-services'),
    summary: 'List queues with their live waiting count and the ETA of a new ticket (filters: site, service, status, algorithm, search); devices see queues of active sites and services',
    params: TenantParams, query: QueueListQuery, response: paginated(QueueDto),
  },
  createQueue: {
    method: 'post', path: '/api/v1/tenants/:slug/queues/', tag: 'queues', access: scope('manage:queue'), hqOwned: true, status: 201,
    summary: "Create a queue of a site for a service; its prefix is unique among the site's queues",
    params: TenantParams, body: CreateQueueBody, response: QueueDto,
  },
  getQueue: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/:id/', tag: 'queues', access: scope('read:queue', 'list-services'),
    summary: 'One queue', params: TenantIdParams, response: QueueDto,
  },
  updateQueue: {
    method: 'patch', path: '/api/v1/tenants/:slug/queues/:id/', tag: 'queues', access: scope('manage:queue'), hqOwned: true,
    summary: 'Change a queue (not its site)', params: TenantIdParams, body: UpdateQueueBody, response: QueueDto,
  },
  deleteQueue: {
    method: 'delete', path: '/api/v1/tenants/:slug/queues/:id/', tag: 'queues', access: scope('manage:queue'), hqOwned: true, status: 204,
    summary: 'Delete a queue that never issued a ticket (409 otherwise: close it to keep its history)',
    params: TenantIdParams, response: NoContent,
  },
  setQueueStatus: {
    method: 'post', path: '/api/v1/tenants/:slug/queues/:id/set_status/', tag: 'queues', access: scope('manage:queue'),
    summary: 'Open, pause (no calls, tickets still issued) or close (no new tickets) a queue',
    params: TenantIdParams, body: z.object({ status: QueueStatus }).strict(), response: QueueDto,
  },
});
