import { z } from 'zod';
import { IsoDateTime, PageQuery, paginated, TenantParams, Uuid } from './common.ts';
import { QueryDateTime } from './fields.ts';
import { defineRoutes, scope } from './route.ts';

export const AuditLogDto = z.object({
  seq: z.number().int().describe('position in the hash chain'),
  id: z.string(),
  action: z.string().describe('e.g. ticket.called, member.created, customer.updated'),
  entity: z.string(),
  entity_id: z.string(),
  actor_user: z.string().nullable(),
  actor_email: z.string().nullable(),
  actor_device: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  ip: z.string(),
  user_agent: z.string(),
  endpoint: z.string(),
  created_at: IsoDateTime,
  prev_hash: z.string(),
  hash: z.string(),
});

export const AuditListQuery = PageQuery.extend({
  entity: z.string().trim().min(1).max(40).optional(),
  entity_id: z.string().trim().min(1).max(64).optional(),
  action: z.string().trim().min(1).max(64).optional().describe('exact action, or a prefix ending with a dot: "ticket."'),
  actor: Uuid.optional().describe('user id'),
  created_after: QueryDateTime.optional().describe('inclusive'),
  created_before: QueryDateTime.optional().describe('exclusive'),
}).strict();

export const AuditVerifyDto = z.object({
  ok: z.boolean(),
  rows: z.number().int().describe('rows checked (the chain spans the whole branch database)'),
  broken_at_seq: z.number().int().nullable().describe('first row whose link or hash does not match'),
});

export const auditRoutes = defineRoutes({
  verifyAuditChain: {
    method: 'get', path: '/api/v1/tenants/:slug/audit-logs/verify/', tag: 'audit', access: scope('manage:settings'),
    summary: 'Walk the hash chain of the audit log and report the first tampered row, if any',
    params: TenantParams, response: AuditVerifyDto,
  },
  listAuditLogs: {
    method: 'get', path: '/api/v1/tenants/:slug/audit-logs/', tag: 'audit', access: scope('manage:settings'),
    summary: 'The audit log, newest first (filters: entity, entity_id, action, actor, created_after, created_before)',
    params: TenantParams, query: AuditListQuery, response: paginated(AuditLogDto),
  },
});
